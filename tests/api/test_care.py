"""Care records through the API: scoped lists, 404 outside scope, writes only through the services, sensitive
notes write-only and read through a logged request, bad input a structured 400 that writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from partycare.accounts.services import create_account
from partycare.audit.models import AuditEntry
from partycare.care.models import Greeting, LeaderLink, MedalAward, NeedsSurveyResponse, Talk, TalkRequest, Visit
from partycare.care.services import link_leader, record_greetings, record_talk, record_visit, request_talk
from partycare.common.dates import business_today
from partycare.orgs.models import OrgKind
from partycare.orgs.services import create_organisation
from tests.api.helpers import assert_structured
from tests.factories import PASSWORD, make_member

TALKS = "/api/v1/talks/"
VISITS = "/api/v1/visits/"
GREETINGS = "/api/v1/greetings/"
REQUESTS = "/api/v1/talk-requests/"
LINKS = "/api/v1/leader-links/"
SURVEYS = "/api/v1/needs-surveys/"
MEDALS = "/api/v1/medals/"
D = dt.date
SECRET = "家中老人住院，本人情绪低落"


def written() -> tuple[int, ...]:
    """Everything a care endpoint could write, so a refused request can be shown to have written nothing."""
    models = (Talk, Visit, Greeting, TalkRequest, LeaderLink, NeedsSurveyResponse, MedalAward, AuditEntry)
    return tuple(model._default_manager.count() for model in models)


def talk_body(world: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "org": world.b1.pk,
        "held_on": "2025-03-05",
        "talkers": [world.secretary_member.pk],
        "participants": [world.m1.pk],
        "reason": "periodic",
        "summary": SECRET,
        "follow_ups": "下周再次了解情况",
    }
    return {**body, **overrides}


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def other_side(world: Any) -> dict[str, Any]:
    """A talk and a visit in 理学院 (gb2), recorded by the organisation department."""
    talk = record_talk(
        actor=world.admin,
        org=world.b3,
        held_on=D(2025, 3, 1),
        talkers=[world.m4],
        participants=[world.m4],
        summary="理学院的谈话要点",
    )
    visit = record_visit(actor=world.admin, org=world.b3, member=world.m4, visited_on=D(2025, 3, 2), notes="住院")
    return {"talk": talk, "visit": visit}


@pytest.fixture
def leader(world: Any) -> Any:
    """A school leader (校级领导) in 理学院 with an account of their own (`leader.account`)."""
    member = make_member(world.b3, world.root_user, name="赵校长", leadership_level="school")
    create_account(actor=world.root_user, username="leader", password=PASSWORD, check_password=False, member=member)
    member.refresh_from_db()
    return member


def logged_in(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# --- talks -------------------------------------------------------------------------------------------------------
def test_a_talk_is_recorded_through_the_service_and_never_answers_its_summary(world, api_for):
    client = api_for("bsec")
    response = client.post(TALKS, talk_body(world), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert "summary" not in created and SECRET not in response.content.decode()
    assert created["has_summary"] is True
    assert created["form"] == "individual"
    assert [p["name"] for p in created["participants_detail"]] == ["张伟"]
    assert created["talkers"] == [world.secretary_member.pk]

    talk = Talk.objects.get(pk=created["id"])
    assert talk.summary == SECRET and talk.recorded_by == world.bsec
    entry = AuditEntry.objects.get(event="care.talk", object_id=str(talk.pk))
    assert entry.actor == world.bsec and SECRET not in str(entry.changes)

    detail = client.get(f"{TALKS}{talk.pk}/")
    assert detail.status_code == 200
    assert "summary" not in detail.json() and SECRET not in detail.content.decode()
    assert SECRET not in client.get(TALKS).content.decode()


def test_several_participants_make_a_group_talk(world, api_for):
    response = api_for("bsec").post(TALKS, talk_body(world, participants=[world.m1.pk, world.m2.pk]), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["form"] == "group"
    assert {p["id"] for p in response.json()["participants_detail"]} == {world.m1.pk, world.m2.pk}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (lambda w: {"participants": [999999]}, "participants"),
        # Another general branch's member: the same answer as an unknown id.
        (lambda w: {"participants": [w.m1.pk, w.m4.pk]}, "participants"),
        (lambda w: {"participants": []}, "participants"),
        (lambda w: {"talkers": []}, "talkers"),
        (lambda w: {"talkers": [999999]}, "talkers"),
        (lambda w: {"participants": ["张伟"]}, "participants.0"),
        (lambda w: {"reason_event": 999999}, "reason_event"),
        (lambda w: {"org": w.b3.pk}, "org"),
        (lambda w: {"held_on": "2999-01-01"}, "held_on"),
        (lambda w: {"form": "chat"}, "form"),
        (lambda w: {"surprise": 1}, "surprise"),
    ],
)
def test_bad_talk_input_is_a_structured_400_that_writes_nothing(world, api_for, overrides, field):
    before = written()
    response = api_for("bsec").post(TALKS, talk_body(world, **overrides(world)), format="json")
    error = assert_structured(response, 400, "invalid")
    assert field in error["fields"], error
    assert written() == before


def test_unknown_and_out_of_scope_members_get_the_same_answer(world, api_for):
    client = api_for("bsec")
    unknown = client.post(TALKS, talk_body(world, participants=[999999]), format="json").json()
    other = client.post(TALKS, talk_body(world, participants=[world.m4.pk]), format="json").json()
    assert unknown["error"]["fields"]["participants"][0].replace("999999", "") == other["error"]["fields"][
        "participants"
    ][0].replace(str(world.m4.pk), "")


def test_only_a_talker_or_a_responsible_secretary_reads_the_summary_and_each_read_is_logged(world, api_for):
    talk = record_talk(
        actor=world.bsec,
        org=world.b1,
        held_on=D(2025, 3, 5),
        talkers=[world.secretary_member],
        participants=[world.m2],
        summary=SECRET,
    )
    url = f"{TALKS}{talk.pk}/summary/"
    reads = AuditEntry.objects.filter(action=AuditEntry.Action.READ_SENSITIVE)

    response = api_for("bsec").post(url)
    assert response.status_code == 200, response.content
    assert response.json() == {"summary": SECRET}
    assert response["Cache-Control"] == "no-store"
    entry = reads.get()
    assert (entry.actor, entry.object_id, entry.changes) == (world.bsec, str(talk.pk), {"field": "summary"})

    # The committee member and the member talked with both see the talk, but not its notes.
    for persona in ("committee", "member"):
        client = api_for(persona)
        assert client.get(f"{TALKS}{talk.pk}/").status_code == 200
        assert_structured(client.post(url), 403, "permission_denied")
    assert reads.count() == 1

    assert api_for("gbsec").post(url).status_code == 200
    assert reads.count() == 2


def test_another_general_branchs_talks_and_visits_are_invisible(world, api_for, other_side):
    talk, visit = other_side["talk"], other_side["visit"]
    for persona in ("bsec", "gbsec", "committee", "member", "outsider"):
        client = api_for(persona)
        assert talk.pk not in {row["id"] for row in results(client.get(TALKS))}, persona
        assert visit.pk not in {row["id"] for row in results(client.get(VISITS))}, persona
        assert results(client.get(TALKS, {"org": world.b3.pk})) == []
        assert results(client.get(VISITS, {"member": world.m4.pk})) == []
        assert_structured(client.get(f"{TALKS}{talk.pk}/"), 404, "not_found")
        assert_structured(client.post(f"{TALKS}{talk.pk}/summary/"), 404, "not_found")
        assert_structured(client.get(f"{VISITS}{visit.pk}/"), 404, "not_found")
        assert_structured(client.post(f"{VISITS}{visit.pk}/notes/"), 404, "not_found")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ_SENSITIVE).exists()
    admin = api_for("admin")
    assert {row["id"] for row in results(admin.get(TALKS))} == {talk.pk}
    assert admin.get(f"{TALKS}{talk.pk}/").json()["talkers_detail"] == [{"id": world.m4.pk, "name": "刘洋"}]


def test_talk_list_filters(world, api_for):
    march = record_talk(
        actor=world.bsec, org=world.b1, held_on=D(2025, 3, 5), talkers=[world.secretary_member], participants=[world.m1]
    )
    may = record_talk(
        actor=world.bsec, org=world.b1, held_on=D(2025, 5, 5), talkers=[world.secretary_member], participants=[world.m2]
    )
    client = api_for("bsec")

    def ids(**query: Any) -> set[int]:
        return {row["id"] for row in results(client.get(TALKS, query))}

    assert ids() == {march.pk, may.pk}
    assert ids(member=world.m1.pk) == {march.pk}
    assert ids(member=world.secretary_member.pk) == {march.pk, may.pk}  # as talker, each talk once
    assert ids(held_on_after="2025-04-01") == {may.pk}
    assert ids(held_on_before="2025-04-01", org=world.b1.pk) == {march.pk}
    assert_structured(client.get(TALKS, {"held_on_after": "not-a-date"}), 400, "invalid")


# --- visits ------------------------------------------------------------------------------------------------------
def visit_body(world: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "org": world.b1.pk,
        "member": world.m1.pk,
        "visited_on": "2025-03-06",
        "visitors": [world.secretary_member.pk],
        "reason": "event",
        "gifts": "水果、牛奶",
        "money": "500.00",
        "notes": "术后恢复良好",
    }
    return {**body, **overrides}


def test_a_visit_records_money_as_a_decimal_string(world, api_for):
    client = api_for("bsec")
    response = client.post(VISITS, visit_body(world, money="300.5"), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["money"] == "300.50"
    assert created["has_notes"] is True and "notes" not in created and "术后" not in response.content.decode()
    visit = Visit.objects.get(pk=created["id"])
    assert str(visit.money) == "300.50" and visit.recorded_by == world.bsec
    assert AuditEntry.objects.get(event="care.visit", object_id=str(visit.pk)).changes["money"] == "300.50"
    assert client.get(f"{VISITS}{visit.pk}/").json()["visitors_detail"] == [
        {"id": world.secretary_member.pk, "name": "陈静"}
    ]
    assert client.post(VISITS, visit_body(world, money=200), format="json").json()["money"] == "200.00"


@pytest.mark.parametrize(
    ("money", "reason"),
    [("-1.00", "不能为负"), (-5, "不能为负"), (12.5, "字符串"), ("1.234", ""), ("abc", ""), ("123456789012", "")],
)
def test_bad_money_is_a_structured_400_that_writes_nothing(world, api_for, money, reason):
    before = written()
    error = assert_structured(api_for("bsec").post(VISITS, visit_body(world, money=money), format="json"), 400)
    assert list(error["fields"]) == ["money"]
    assert reason in error["fields"]["money"][0]
    assert written() == before


def test_visit_notes_are_read_through_a_logged_request(world, api_for):
    visit = record_visit(
        actor=world.bsec, org=world.b1, member=world.m1, visited_on=D(2025, 3, 6), notes="术后恢复良好"
    )
    url = f"{VISITS}{visit.pk}/notes/"
    assert_structured(api_for("committee").post(url), 403, "permission_denied")
    response = api_for("bsec").post(url)
    assert response.json() == {"notes": "术后恢复良好"}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.READ_SENSITIVE, object_id=str(visit.pk)).count() == 1


# --- greetings ---------------------------------------------------------------------------------------------------
def test_greetings_are_batch_recorded_all_or_nothing(world, api_for):
    client = api_for("bsec")
    body = {
        "org": world.b1.pk,
        "members": [world.m1.pk, world.m2.pk, world.m1.pk],
        "greeted_on": "2025-07-01",
        "occasion": "political_birthday",
        "action": "oath",
        "note": "七一集体过政治生日",
    }
    before = written()
    error = assert_structured(
        client.post(GREETINGS, {**body, "members": [world.m1.pk, world.m4.pk]}, format="json"), 400
    )
    assert str(world.m4.pk) in error["fields"]["members"][0]
    assert_structured(client.post(GREETINGS, {**body, "members": []}, format="json"), 400)
    assert written() == before

    response = client.post(GREETINGS, body, format="json")
    assert response.status_code == 201, response.content
    assert sorted(row["member_name"] for row in response.json()) == ["张伟", "王芳"]  # a repeated id counts once
    assert AuditEntry.objects.filter(event="care.greeting").count() == 2
    assert {row["member"] for row in results(client.get(GREETINGS, {"member": world.m2.pk}))} == {world.m2.pk}
    assert results(api_for("member").get(GREETINGS))[0]["member"] == world.m2.pk
    assert len(results(api_for("member").get(GREETINGS))) == 1
    assert results(api_for("gbsec").get(GREETINGS, {"org": world.b2.pk})) == []


# --- requested talks ---------------------------------------------------------------------------------------------
def test_a_member_asks_a_leader_for_a_talk_and_the_leader_arranges_it(world, api_for, leader):
    member = api_for("member")
    response = member.post(REQUESTS, {"leader": leader.pk, "topic": "想谈谈工作调整"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["member"], created["leader"], created["leader_name"]) == (world.m2.pk, leader.pk, "赵校长")
    assert created["requested_on"] == str(business_today()) and created["arranged_on"] is None
    assert "topic" not in created and "工作调整" not in response.content.decode()
    assert TalkRequest.objects.get(pk=created["id"]).topic == "想谈谈工作调整"

    leader_client = logged_in(leader.account)
    assert [row["id"] for row in results(leader_client.get(REQUESTS, {"mine": "leader"}))] == [created["id"]]
    assert results(leader_client.get(REQUESTS, {"mine": "member"})) == []
    assert [row["id"] for row in results(member.get(REQUESTS, {"mine": "member"}))] == [created["id"]]
    assert [row["id"] for row in results(api_for("bsec").get(REQUESTS))] == [created["id"]]
    assert results(api_for("admin").get(REQUESTS, {"mine": "member"})) == []  # a staff account asks for nothing
    assert_structured(api_for("outsider").get(f"{REQUESTS}{created['id']}/"), 404)

    url = f"{REQUESTS}{created['id']}/arrange/"
    assert_structured(member.post(url, {"arranged_on": str(business_today())}, format="json"), 403)
    yesterday = business_today() - dt.timedelta(days=1)
    error = assert_structured(leader_client.post(url, {"arranged_on": str(yesterday)}, format="json"), 400)
    assert "arranged_on" in error["fields"]
    arranged = leader_client.post(url, {"arranged_on": str(business_today())}, format="json")
    assert arranged.status_code == 200, arranged.content
    assert arranged.json()["arranged_on"] == str(business_today())
    assert AuditEntry.objects.filter(event="care.talk_request.arrange", actor=leader.account).exists()
    assert [row["id"] for row in results(member.get(REQUESTS, {"arranged": "true"}))] == [created["id"]]


def test_a_member_cannot_ask_in_someone_elses_name_nor_ask_a_non_leader(world, api_for, leader):
    member = api_for("member")
    before = written()
    error = assert_structured(member.post(REQUESTS, {"member": world.m1.pk, "leader": leader.pk}, format="json"), 400)
    assert list(error["fields"]) == ["member"]
    error = assert_structured(member.post(REQUESTS, {"leader": world.m1.pk}, format="json"), 400)
    assert list(error["fields"]) == ["leader"]
    error = assert_structured(api_for("admin").post(REQUESTS, {"leader": leader.pk}, format="json"), 400)
    assert list(error["fields"]) == ["member"]  # a staff account has no member record to ask for
    assert written() == before
    # A secretary registers a request for a member of the branch.
    response = api_for("bsec").post(
        REQUESTS, {"member": world.m1.pk, "leader": leader.pk, "requested_on": "2025-05-06"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["org"] == world.b1.pk


# --- leader links, needs surveys, medals -------------------------------------------------------------------------
def test_leader_links_are_created_by_whoever_sees_both_people(world, api_for, leader):
    body = {"org": world.root.pk, "leader": leader.pk, "member": world.m1.pk, "since": "2025-01-01"}
    before = written()
    error = assert_structured(api_for("bsec").post(LINKS, {**body, "org": world.b1.pk}, format="json"), 400)
    assert list(error["fields"]) == ["leader"]  # a leader outside the branch secretary's scope
    assert written() == before
    response = api_for("admin").post(LINKS, {**body, "category": "老党员"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["leader_name"], created["member_name"], created["kind"]) == ("赵校长", "张伟", "direct")
    assert [row["id"] for row in results(api_for("admin").get(LINKS, {"leader": leader.pk}))] == [created["id"]]
    assert results(api_for("bsec").get(LINKS)) == []  # recorded in the committee's name, above the branch
    same = api_for("admin").post(LINKS, {**body, "member": leader.pk}, format="json")
    assert_structured(same, 400)


def test_needs_survey_once_a_year_and_its_answers_stay_write_only(world, api_for):
    client = api_for("bsec")
    body = {
        "member": world.m1.pk,
        "year": 2025,
        "responded_on": "2025-03-01",
        "thoughts": "思想稳定",
        "needs": "子女入学",
    }
    response = client.post(SURVEYS, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["org"] == world.b1.pk
    assert "思想稳定" not in response.content.decode() and "子女入学" not in response.content.decode()
    before = written()
    assert_structured(client.post(SURVEYS, body, format="json"), 400)
    assert_structured(client.post(SURVEYS, {**body, "member": world.m3.pk}, format="json"), 400)
    assert written() == before


def test_medals_are_awarded_once_and_only_by_people_who_record(world, api_for):
    body = {"member": world.m2.pk, "year": 2025, "awarded_on": "2025-06-28"}
    before = written()
    assert_structured(api_for("member").post(MEDALS, body, format="json"), 403, "permission_denied")
    assert written() == before
    response = api_for("committee").post(MEDALS, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["medal"] == "光荣在党50年"
    assert_structured(api_for("bsec").post(MEDALS, body, format="json"), 400)
    assert MedalAward.objects.count() == 1


# --- bounded queries ---------------------------------------------------------------------------------------------
def query_count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def add_care_records(world: Any, leader: Any, branch: Any, day: dt.date) -> None:
    members = [make_member(branch, world.root_user) for _ in range(2)]
    record_talk(actor=world.root_user, org=branch, held_on=day, talkers=[members[0], leader], participants=members)
    record_visit(actor=world.root_user, org=branch, member=members[1], visited_on=day, visitors=members)
    request_talk(actor=world.root_user, member=members[0], leader=leader, requested_on=day)
    record_greetings(
        actor=world.root_user, org=branch, members=members, greeted_on=day, occasion="birthday", action="card"
    )
    for member in members:
        link_leader(actor=world.root_user, org=branch, leader=leader, member=member, since=day)


@pytest.mark.parametrize("url", [TALKS, VISITS, GREETINGS, REQUESTS, LINKS])
def test_care_lists_cost_the_same_number_of_queries_however_many_rows(world, api_for, leader, url):
    client = api_for("admin")
    add_care_records(world, leader, world.b1, D(2025, 3, 1))
    before = query_count(client, url)
    for index in range(4):
        branch = create_organisation(
            actor=world.root_user, parent=world.gb2, name=f"新支部{index}", kind=OrgKind.BRANCH
        )
        add_care_records(world, leader, branch, D(2025, 3, 2 + index))
    assert query_count(client, url) == before
