"""Obligations through the API: a group talk recorded over HTTP closes every participant's duty at the next sweep;
lists are scoped, waivers need a reason, compliance equals the selector's, the inbox is one's own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partycare.accounts.models import Role
from partycare.accounts.services import create_account, grant_role
from partycare.api.selectors import compliance_report
from partycare.audit.models import AuditEntry
from partycare.care.services import record_talk
from partycare.obligations.engine import sweep
from partycare.obligations.models import Notification, Obligation, ObligationState
from partycare.obligations.reminders import create_notifications
from partycare.obligations.selectors import compliance
from partycare.orgs.models import OrgKind
from partycare.orgs.services import create_organisation
from partycare.policy.services import activate_pack
from tests.api.helpers import assert_structured
from tests.api.test_schema import generate
from tests.factories import PASSWORD, make_member

OBLIGATIONS = "/api/v1/obligations/"
COMPLIANCE = "/api/v1/compliance/"
NOTIFICATIONS = "/api/v1/notifications/"
D = dt.date


@pytest.fixture
def xinxiang(world: Any) -> Any:
    """新乡学院 (seed 002): the branch secretary talks with every member of the branch once a year."""
    activate_pack(actor=world.root_user, org=world.root, pack="xinxiang-2020", effective_from=D(2021, 1, 1))
    sweep(as_of=D(2025, 3, 1))
    return world


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def talk_duty(member: Any, period: str = "2025") -> Obligation:
    return Obligation.objects.get(subject_member=member, kind="talk", period_key=period)


def test_a_group_talk_recorded_over_http_closes_both_duties_at_the_next_sweep(xinxiang, api_for):
    world = xinxiang
    client = api_for("bsec")
    query = {"kind": "talk", "responsible_org": world.b1.pk}
    before = {row["subject_member"]: row["state"] for row in results(client.get(OBLIGATIONS, query))}
    assert before == {world.m1.pk: "open", world.m2.pk: "open"}  # the secretary owes no talk to themself

    body = {
        "org": world.b1.pk,
        "held_on": "2025-03-05",
        "talkers": [world.secretary_member.pk],
        "participants": [world.m1.pk, world.m2.pk],
        "summary": "支部集体谈心",
    }
    response = client.post("/api/v1/talks/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["form"] == "group"

    sweep(as_of=D(2025, 3, 10))
    after = results(client.get(OBLIGATIONS, query))
    assert {row["subject_member"]: (row["state"], row["done_on"], row["on_time"]) for row in after} == {
        world.m1.pk: ("done", "2025-03-05", True),
        world.m2.pk: ("done", "2025-03-05", True),
    }
    # 李娜 in the other branch of the general branch was not in the room.
    assert talk_duty(world.m3).state == ObligationState.OPEN


def test_obligations_are_scoped_and_another_general_branchs_are_404(xinxiang, api_for):
    world = xinxiang
    theirs = talk_duty(world.m4)  # 理学院 (gb2)
    for persona in ("bsec", "gbsec", "committee", "member", "outsider"):
        client = api_for(persona)
        assert theirs.pk not in {row["id"] for row in results(client.get(OBLIGATIONS, {"page_size": 500}))}
        assert results(client.get(OBLIGATIONS, {"subject_member": world.m4.pk})) == []
        assert results(client.get(OBLIGATIONS, {"responsible_org": world.gb2.pk})) == []
        assert_structured(client.get(f"{OBLIGATIONS}{theirs.pk}/"), 404, "not_found")
        assert_structured(client.post(f"{OBLIGATIONS}{theirs.pk}/waive/", {"reason": "出国"}), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.state == ObligationState.OPEN

    def subjects(persona: str) -> set[int]:
        return {row["subject_member"] for row in results(api_for(persona).get(OBLIGATIONS, {"kind": "talk"}))}

    assert subjects("bsec") == {world.m1.pk, world.m2.pk}
    assert subjects("gbsec") == {world.m1.pk, world.m2.pk, world.m3.pk}
    assert subjects("admin") == {world.m1.pk, world.m2.pk, world.m3.pk, world.m4.pk}
    assert subjects("member") == set()  # a plain member answers for no one
    detail = api_for("bsec").get(f"{OBLIGATIONS}{talk_duty(world.m1).pk}/").json()
    assert (detail["subject_member_name"], detail["responsible_org_name"]) == ("张伟", "文学院教工第一党支部")
    assert detail["rule_label"] and detail["kind_label"] == "谈心谈话"


def test_obligation_list_filters(xinxiang, api_for):
    world = xinxiang
    client = api_for("admin")

    def subjects(**query: Any) -> set[int]:
        return {row["subject_member"] for row in results(client.get(OBLIGATIONS, {"kind": "talk", **query}))}

    assert subjects(responsible_org=world.gb1.pk) == {world.m1.pk, world.m2.pk, world.m3.pk}
    assert subjects(subject_member=world.m3.pk) == {world.m3.pk}
    assert subjects(due_on_after="2025-12-31", due_on_before="2025-12-31") == {
        world.m1.pk,
        world.m2.pk,
        world.m3.pk,
        world.m4.pk,
    }
    assert subjects(due_on_before="2025-06-30") == set()
    assert subjects(state="done") == set()
    assert_structured(client.get(OBLIGATIONS, {"state": "finished"}), 400, "invalid")
    assert_structured(client.get(OBLIGATIONS, {"mine": "perhaps"}), 400, "invalid")


def test_mine_lists_what_the_caller_answers_for_in_person(xinxiang, api_for):
    world = xinxiang
    bsec = api_for("bsec")
    mine = results(bsec.get(OBLIGATIONS, {"mine": "true", "as_of": "2025-03-01"}))
    assert {row["subject_member"] for row in mine} == {world.m1.pk, world.m2.pk}
    # Before the year's duties begin there is nothing to do yet.
    assert results(bsec.get(OBLIGATIONS, {"mine": "true", "as_of": "2024-12-31"})) == []
    # The general-branch secretary sees 李娜's duty in scope, but it is the branch's to do, not theirs in person.
    assert results(api_for("gbsec").get(OBLIGATIONS, {"mine": "true", "as_of": "2025-03-01"})) == []
    assert results(api_for("admin").get(OBLIGATIONS, {"mine": "true", "as_of": "2025-03-01"})) == []

    record_talk(
        actor=world.bsec, org=world.b1, held_on=D(2025, 3, 5), talkers=[world.secretary_member], participants=[world.m1]
    )
    sweep(as_of=D(2025, 3, 10))
    pending = results(bsec.get(OBLIGATIONS, {"mine": "true", "as_of": "2025-03-10"}))
    assert {row["subject_member"] for row in pending} == {world.m2.pk}
    done = results(bsec.get(OBLIGATIONS, {"mine": "true", "as_of": "2025-03-10", "state": "done"}))
    assert {row["subject_member"] for row in done} == {world.m1.pk}


def test_waiving_needs_a_reason_and_the_right_to_change(xinxiang, api_for):
    world = xinxiang
    duty = talk_duty(world.m1)
    url = f"{OBLIGATIONS}{duty.pk}/waive/"
    audit = AuditEntry.objects.filter(event="obligation.waive")

    for body in ({"reason": "   "}, {}, {"reason": "x" * 201}, {"reason": "出国", "why": "typo"}):
        assert_structured(api_for("bsec").post(url, body, format="json"), 400, "invalid")
    assert_structured(api_for("committee").post(url, {"reason": "出国"}, format="json"), 403, "permission_denied")
    assert_structured(api_for("auditor").post(url, {"reason": "出国"}, format="json"), 403, "permission_denied")
    duty.refresh_from_db()
    assert duty.state == ObligationState.OPEN and not audit.exists()

    response = api_for("bsec").post(url, {"reason": "长期出国访学"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["waived_reason"], body["waived_by_name"]) == ("waived", "长期出国访学", str(world.bsec))
    assert audit.get().actor == world.bsec
    sweep(as_of=D(2025, 3, 10))
    duty.refresh_from_db()
    assert duty.state == ObligationState.WAIVED  # the sweep never overrides a person's waiver


def test_compliance_numbers_are_the_selectors(xinxiang, api_for):
    world = xinxiang
    api_for("bsec").post(
        "/api/v1/talks/",
        {
            "org": world.b1.pk,
            "held_on": "2025-03-05",
            "talkers": [world.secretary_member.pk],
            "participants": [world.m1.pk],
        },
        format="json",
    )
    sweep(as_of=D(2026, 1, 10), since=D(2025, 1, 1))
    client = api_for("admin")

    response = client.get(COMPLIANCE, {"org": world.root.pk, "as_of": "2026-01-10"})
    assert response.status_code == 200, response.content
    report = response.json()
    # 2025's four yearly talks are due; only 张伟's was held.
    assert (report["due"], report["on_time"], report["late"], report["overdue"]) == (4, 1, 0, 3)
    assert report["rate"] == pytest.approx(0.25)
    assert report["by_kind"]["talk"] == {"due": 4, "on_time": 1, "late": 0, "overdue": 3, "rate": 0.25}
    children = {row["org"]: row for row in report["children"]}
    assert (children[world.gb1.pk]["due"], children[world.gb1.pk]["on_time"]) == (3, 1)
    assert (children[world.gb2.pk]["due"], children[world.gb2.pk]["overdue"]) == (1, 1)

    total, rows = compliance(org=world.root, as_of=D(2026, 1, 10))
    assert (report["due"], report["on_time"], report["late"], report["overdue"], report["rate"]) == (
        total.due,
        total.on_time,
        total.late,
        total.overdue,
        total.rate,
    )
    assert [(r["org"], r["label"], r["due"], r["on_time"], r["overdue"], r["rate"]) for r in report["children"]] == [
        (r.org.pk if r.org else None, r.label, r.due, r.on_time, r.overdue, r.rate) for r in rows
    ]
    expected = compliance_report(org=world.gb1, as_of=D(2026, 1, 10), kind="talk")
    got = api_for("gbsec").get(COMPLIANCE, {"org": world.gb1.pk, "as_of": "2026-01-10", "kind": "talk"}).json()
    assert got == {**expected, "as_of": "2026-01-10"}

    early = client.get(COMPLIANCE, {"org": world.root.pk, "as_of": "2025-03-01"}).json()
    assert (early["due"], early["rate"], early["children"]) == (0, None, [])  # nothing due yet: no rate, not 100%


def test_compliance_of_an_organisation_outside_scope_is_404(xinxiang, api_for):
    world = xinxiang
    bsec = api_for("bsec")
    missing = bsec.get(COMPLIANCE, {"org": 999999})
    assert_structured(missing, 404, "not_found")
    assert bsec.get(COMPLIANCE, {"org": world.gb2.pk}).json() == missing.json()
    assert_structured(bsec.get(COMPLIANCE, {"org": world.root.pk}), 404, "not_found")
    assert bsec.get(COMPLIANCE, {"org": world.b1.pk}).status_code == 200
    error = assert_structured(bsec.get(COMPLIANCE), 400, "invalid")
    assert list(error["fields"]) == ["org"]
    assert_structured(bsec.get(COMPLIANCE, {"org": world.b1.pk, "kind": "picnic"}), 400, "invalid")


@pytest.fixture
def inboxes(xinxiang: Any) -> Any:
    """Reminders a fortnight before the year's talks fall due: for the secretary of 文学院教工第一党支部 (by post) and
    a staff account granted the branch secretary's role on 理学院教工党支部."""
    world = xinxiang
    world.b3sec = create_account(
        actor=world.root_user, username="b3sec", password=PASSWORD, check_password=False, org=world.b3
    )
    grant_role(actor=world.root_user, user=world.b3sec, org=world.b3, role=Role.BRANCH_SECRETARY)
    sweep(as_of=D(2025, 12, 20))
    create_notifications(as_of=D(2025, 12, 20))
    return world


def test_the_inbox_is_ones_own(inboxes, api_for):
    world = inboxes
    own = results(api_for("bsec").get(NOTIFICATIONS))
    assert {row["obligation"]["subject_member"] for row in own} == {world.m1.pk, world.m2.pk}
    assert {row["kind"] for row in own} == {"due"}
    assert own[0]["obligation"]["due_on"] == "2025-12-31"
    assert len(own) == Notification.objects.filter(recipient=world.bsec).count()
    assert results(api_for("member").get(NOTIFICATIONS)) == []
    assert results(api_for("admin").get(NOTIFICATIONS)) == []

    theirs = Notification.objects.get(recipient=world.b3sec)
    bsec = api_for("bsec")
    assert bsec.post(f"{NOTIFICATIONS}read/", {"ids": [theirs.pk]}, format="json").json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None

    first = own[0]["id"]
    assert bsec.post(f"{NOTIFICATIONS}read/", {"ids": [first]}, format="json").json() == {"marked": 1}
    assert [row["id"] for row in results(bsec.get(NOTIFICATIONS, {"unread": "true"}))] == [own[1]["id"]]
    assert bsec.post(f"{NOTIFICATIONS}read/", {"all": True}, format="json").json() == {"marked": 1}
    assert results(bsec.get(NOTIFICATIONS, {"unread": "true"})) == []
    assert len(results(bsec.get(NOTIFICATIONS))) == 2  # read entries stay in the inbox
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": [1], "all": True}, {"all": False}, {"ids": ["x"]}])
def test_marking_read_needs_ids_or_all(inboxes, api_for, body):
    assert_structured(api_for("bsec").post(f"{NOTIFICATIONS}read/", body, format="json"), 400, "invalid")
    assert not Notification.objects.filter(read_at__isnull=False).exists()


# --- bounded queries ---------------------------------------------------------------------------------------------
def query_count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("admin", OBLIGATIONS),
        ("admin", f"{OBLIGATIONS}?mine=true&as_of=2025-12-20"),
        ("b3sec", f"{OBLIGATIONS}?mine=true&as_of=2025-12-20"),
        ("b3sec", NOTIFICATIONS),
        ("admin", f"{COMPLIANCE}?org=0&as_of=2026-01-10"),
    ],
)
def test_obligation_lists_cost_the_same_number_of_queries_however_many_rows(inboxes, api_for, persona, url):
    world = inboxes
    client = api_for("admin")
    client.force_login(getattr(world, persona))
    url = url.replace("org=0", f"org={world.root.pk}")
    before = query_count(client, url)
    for index in range(3):
        branch = create_organisation(
            actor=world.root_user, parent=world.gb2, name=f"新支部{index}", kind=OrgKind.BRANCH
        )
        for org in (branch, world.b3):
            make_member(org, world.root_user)
    sweep(as_of=D(2025, 12, 20))
    create_notifications(as_of=D(2025, 12, 20))
    assert Notification.objects.filter(recipient=world.b3sec).count() > 1
    assert query_count(client, url) == before


def test_the_schema_describes_the_new_endpoints_without_warnings(db, tmp_path: Path):
    schema = generate(tmp_path)  # --fail-on-warn
    operations = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert {
        ("GET", "/api/v1/talks/"),
        ("POST", "/api/v1/talks/"),
        ("POST", "/api/v1/talks/{id}/summary/"),
        ("POST", "/api/v1/visits/{id}/notes/"),
        ("POST", "/api/v1/greetings/"),
        ("POST", "/api/v1/talk-requests/{id}/arrange/"),
        ("POST", "/api/v1/leader-links/"),
        ("POST", "/api/v1/needs-surveys/"),
        ("POST", "/api/v1/medals/"),
        ("GET", "/api/v1/obligations/"),
        ("POST", "/api/v1/obligations/{id}/waive/"),
        ("GET", "/api/v1/compliance/"),
        ("GET", "/api/v1/notifications/"),
        ("POST", "/api/v1/notifications/read/"),
    } <= operations
    components = schema["components"]["schemas"]
    assert "summary" not in components["Talk"].get("required", [])
    assert components["Talk"]["properties"]["summary"].get("writeOnly") is True
    assert components["Visit"]["properties"]["notes"].get("writeOnly") is True
    assert components["Visit"]["properties"]["money"]["type"] == "string"
    mine = {p["name"] for p in schema["paths"]["/api/v1/obligations/"]["get"]["parameters"]}
    assert {"mine", "as_of", "kind", "state", "due_on_after", "due_on_before", "responsible_org"} <= mine
