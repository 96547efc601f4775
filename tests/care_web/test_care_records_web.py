"""Care records over HTTP with the personas: talks (and their audited notes), visits, batch greetings, requested
talks, leader links, needs surveys, medals — and out-of-scope ids answering 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from partycare.accounts.services import create_account
from partycare.audit.models import AuditEntry
from partycare.care.models import Greeting, LeaderLink, MedalAward, NeedsSurveyResponse, Talk, TalkRequest, Visit
from partycare.care.services import record_talk, record_visit
from partycare.obligations.engine import sweep
from partycare.obligations.models import Obligation, ObligationKind, ObligationState
from tests.factories import PASSWORD, make_member


def talk_post(world, today, **overrides):
    data = {
        "org": world.b1.pk,
        "pick": world.b1.pk,
        "held_on": today.isoformat(),
        "form": "group",
        "reason": "periodic",
        "talkers": [world.secretary_member.pk],
        "participants": [world.m1.pk, world.m2.pk],
        "summary": "谈了教学科研压力，约定下月再谈",
        "follow_ups": "帮助联系心理咨询",
    }
    data.update(overrides)
    return data


# --- talks -------------------------------------------------------------------------------------------------------


def test_group_talk_through_the_form_closes_both_participants_duties_at_the_sweep(world, client_for, xinxiang, today):
    client = client_for("bsec")
    duties = Obligation.objects.filter(
        kind=ObligationKind.TALK, subject_member__in=[world.m1, world.m2], period_key=str(today.year)
    )
    assert duties.count() == 2 and set(duties.values_list("state", flat=True)) == {ObligationState.OPEN}

    response = client.post(reverse("care:talk_new"), talk_post(world, today))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    talk = Talk.objects.get()
    assert response["Location"] == reverse("care:talk_detail", args=[talk.pk])
    assert set(talk.participants.all()) == {world.m1, world.m2} and talk.form == "group"
    assert AuditEntry.objects.filter(event="care.talk", object_id=str(talk.pk), actor=world.bsec).exists()
    assert "下一次每日核对" in client.get(response["Location"]).content.decode()  # the message says when it counts

    sweep(as_of=today)
    assert set(duties.values_list("state", "done_on")) == {(ObligationState.DONE, today)}
    still_listed = {r.duty.pk for r in client.get(reverse("web:home")).context["duty_rows"]}
    assert not still_listed & set(duties.values_list("pk", flat=True))


def test_talk_form_refuses_bad_input_and_changes_nothing(world, client_for, today):
    client = client_for("bsec")
    future = (today + dt.timedelta(days=3)).isoformat()
    response = client.post(reverse("care:talk_new"), talk_post(world, today, held_on=future))
    assert response.status_code == 400 and "held_on" in response.context["form"].errors
    response = client.post(reverse("care:talk_new"), talk_post(world, today, participants=[]))
    assert response.status_code == 400 and "participants" in response.context["form"].errors
    # A member of another branch is not among the choices.
    response = client.post(reverse("care:talk_new"), talk_post(world, today, participants=[world.m4.pk]))
    assert response.status_code == 400 and "participants" in response.context["form"].errors
    # Nor can the record be made in another branch's name.
    response = client.post(reverse("care:talk_new"), talk_post(world, today, org=world.b3.pk))
    assert response.status_code == 400
    assert not Talk.objects.exists()


def test_talk_summary_is_hidden_until_asked_for_and_the_read_is_audited(world, client_for, today):
    talk = record_talk(
        actor=world.bsec,
        org=world.b1,
        held_on=today,
        talkers=[world.secretary_member],
        participants=[world.m1],
        summary="家中老人住院，经济压力较大",
    )
    client = client_for("bsec")
    detail = client.get(reverse("care:talk_detail", args=[talk.pk]))
    assert detail.status_code == 200 and detail.context["may_read_summary"]
    assert "家中老人住院" not in detail.content.decode()
    assert not AuditEntry.objects.filter(action="read_sensitive", object_id=str(talk.pk)).exists()

    response = client.post(reverse("care:talk_summary", args=[talk.pk]))
    assert response.status_code == 200 and "家中老人住院，经济压力较大" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="read_sensitive", object_id=str(talk.pk))
    assert entry.actor == world.bsec and entry.object_type == "care.talk" and entry.changes == {"field": "summary"}


def test_committee_member_sees_the_talk_but_not_its_notes(world, client_for, today):
    talk = record_talk(
        actor=world.bsec,
        org=world.b1,
        held_on=today,
        talkers=[world.secretary_member],
        participants=[world.m1],
        summary="敏感内容",
    )
    client = client_for("committee")
    detail = client.get(reverse("care:talk_detail", args=[talk.pk]))
    assert detail.status_code == 200 and not detail.context["may_read_summary"]
    assert reverse("care:talk_summary", args=[talk.pk]) not in detail.content.decode()
    response = client.post(reverse("care:talk_summary", args=[talk.pk]))
    assert response.status_code == 403 and "敏感内容" not in response.content.decode()
    assert not AuditEntry.objects.filter(action="read_sensitive", object_id=str(talk.pk)).exists()


def test_a_participant_sees_the_talk_but_not_the_notes(world, client_for, today):
    talk = record_talk(
        actor=world.bsec, org=world.b1, held_on=today, talkers=[world.secretary_member], participants=[world.m2],
        summary="只给谈话人看",
    )  # fmt: skip
    client = client_for("member")  # m2
    assert talk in client.get(reverse("care:talks")).context["page_obj"]
    assert client.post(reverse("care:talk_summary", args=[talk.pk])).status_code == 403


def test_talks_of_other_branches_are_404(world, client_for, today):
    other = record_talk(actor=world.root_user, org=world.b3, held_on=today, talkers=[world.m4], participants=[world.m4])
    client = client_for("bsec")
    assert other not in client.get(reverse("care:talks")).context["page_obj"]
    assert client.get(reverse("care:talk_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("care:talk_summary", args=[other.pk])).status_code == 404
    assert client.get(reverse("care:talk_detail", args=[999999])).status_code == 404


def test_talk_list_is_searchable_by_name(world, client_for, today):
    record_talk(
        actor=world.bsec, org=world.b1, held_on=today, talkers=[world.secretary_member], participants=[world.m1]
    )
    record_talk(
        actor=world.bsec, org=world.b1, held_on=today, talkers=[world.secretary_member], participants=[world.m2]
    )
    page = client_for("bsec").get(reverse("care:talks"), {"q": world.m1.name}).context["page_obj"]
    assert [set(t.participants.all()) for t in page] == [{world.m1}]


# --- visits ------------------------------------------------------------------------------------------------------


def test_visit_from_a_hospital_duty_is_prefilled_and_recorded(world, client_for, xinxiang, today):
    from partycare.members.services import record_life_event

    event = record_life_event(actor=world.bsec, member=world.m1, kind="serious_illness", occurred_on=today)
    sweep(as_of=today)
    duty = Obligation.objects.get(trigger_event=event)
    client = client_for("bsec")
    form = client.get(reverse("care:visit_new"), {"obligation": duty.pk}).context["form"]
    assert (form["member"].value(), form["reason"].value(), form["reason_event"].value()) == (
        world.m1.pk,
        "event",
        event.pk,
    )
    data = {
        "org": world.b1.pk,
        "pick": world.b1.pk,
        "obligation": duty.pk,
        "reason_event": event.pk,
        "visited_on": today.isoformat(),
        "member": world.m1.pk,
        "visitors": [world.secretary_member.pk],
        "reason": "event",
        "gifts": "水果、牛奶",
        "money": "500.00",
        "notes": "病情稳定，家属在身边",
    }
    assert client.post(reverse("care:visit_new"), {**data, "money": "-1"}).status_code == 400
    response = client.post(reverse("care:visit_new"), data)
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.money, visit.reason_event, visit.gifts) == (Decimal("500.00"), event, "水果、牛奶")
    assert "病情稳定" not in client.get(response["Location"]).content.decode()
    revealed = client.post(reverse("care:visit_notes", args=[visit.pk])).content.decode()
    assert "病情稳定，家属在身边" in revealed
    assert AuditEntry.objects.filter(
        action="read_sensitive", object_id=str(visit.pk), object_type="care.visit"
    ).exists()
    sweep(as_of=today)
    duty.refresh_from_db()
    assert duty.state == ObligationState.DONE


def test_holiday_visit_needs_the_holiday(world, client_for, xinxiang, today):
    data = {
        "org": world.b1.pk,
        "pick": world.b1.pk,
        "visited_on": today.isoformat(),
        "member": world.m1.pk,
        "reason": "holiday",
        "money": "0",
    }
    response = client_for("bsec").post(reverse("care:visit_new"), data)
    assert response.status_code == 400 and "holiday" in response.context["form"].errors
    response = client_for("bsec").post(reverse("care:visit_new"), {**data, "holiday": "chunjie"})
    assert response.status_code == 302 and Visit.objects.get().holiday == "chunjie"


def test_visits_of_other_branches_are_404(world, client_for, today):
    other = record_visit(actor=world.root_user, org=world.b3, member=world.m4, visited_on=today, notes="x")
    client = client_for("bsec")
    assert client.get(reverse("care:visit_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("care:visit_notes", args=[other.pk])).status_code == 404
    assert other not in client.get(reverse("care:visits")).context["page_obj"]


def test_auditor_and_plain_member_cannot_open_record_forms(world, client_for):
    for persona in ("auditor", "member", "outsider"):
        client = client_for(persona)
        assert client.get(reverse("care:talk_new")).status_code == 404, persona
        assert client.get(reverse("care:visit_new")).status_code == 404, persona
        assert client.get(reverse("care:greetings")).status_code == 404, persona


# --- greetings ---------------------------------------------------------------------------------------------------


def test_political_birthdays_of_the_month_are_preticked_and_recorded_in_one_submit(world, client_for, today):
    month = world.m1.joined_on.month  # the factory joins everyone on 1 July
    client = client_for("bsec")
    params = {"org": world.b1.pk, "year": today.year, "month": month, "occasion": "political_birthday"}
    response = client.get(reverse("care:greetings"), params)
    names = {row.member.name for row in response.context["rows"]}
    assert {world.m1.name, world.m2.name} <= names and world.m4.name not in names
    assert {world.m1.pk, world.m2.pk} <= response.context["ticked"]

    url = f"{reverse('care:greetings')}?org={world.b1.pk}&year={today.year}&month={month}&occasion=political_birthday"
    response = client.post(
        url, {"greeted_on": today.isoformat(), "action": "card", "members": [world.m1.pk, world.m2.pk]}
    )
    assert response.status_code == 302
    assert set(Greeting.objects.values_list("member", "occasion")) == {
        (world.m1.pk, "political_birthday"),
        (world.m2.pk, "political_birthday"),
    }
    after = client.get(reverse("care:greetings"), params)
    greeted = {row.member.pk for row in after.context["rows"] if row.greeted}
    assert {world.m1.pk, world.m2.pk} <= greeted and not ({world.m1.pk, world.m2.pk} & after.context["ticked"])

    # Someone else's member cannot be slipped in.
    response = client.post(url, {"greeted_on": today.isoformat(), "action": "card", "members": [world.m4.pk]})
    assert response.status_code == 400 and Greeting.objects.count() == 2


def test_birthday_celebration_is_recorded_for_the_branch(world, client_for, today):
    month = world.m1.birth_date.month
    url = f"{reverse('care:greetings')}?org={world.b1.pk}&year={today.year}&month={month}&occasion=birthday"
    client = client_for("bsec")
    rows = client.get(url).context["rows"]
    assert world.m1.pk in {r.member.pk for r in rows}
    response = client.post(url, {"greeted_on": today.isoformat(), "action": "meeting", "members": [world.m1.pk]})
    assert response.status_code == 302
    greeting = Greeting.objects.get()
    assert (greeting.org, greeting.occasion, greeting.action) == (world.b1, "birthday", "meeting")


# --- requested talks ---------------------------------------------------------------------------------------------


def make_leader(world):
    leader = make_member(world.b3, world.root_user, name="赵校长", leadership_level="school")
    account = create_account(
        actor=world.root_user, username="zhao", password=PASSWORD, check_password=False, member=leader
    )
    return leader, account


def test_plain_member_requests_a_talk_and_the_leader_sees_and_arranges_it(world, client_for, xinxiang, today):
    from django.test import Client

    leader, account = make_leader(world)
    member_client = client_for("member")  # m2
    form = member_client.get(reverse("care:request_new")).context["form"]
    leader_choices = list(form.fields["leader"].queryset)
    assert leader in leader_choices and world.secretary_member in leader_choices and world.m2 not in leader_choices

    response = member_client.post(
        reverse("care:request_new"),
        {"leader": leader.pk, "requested_on": today.isoformat(), "topic": "想谈谈职称评审中的困惑"},
    )
    assert response.status_code == 302
    item = TalkRequest.objects.get()
    assert (item.member, item.leader, item.org) == (world.m2, leader, world.b1)

    leader_client = Client()
    leader_client.force_login(account)
    listing = leader_client.get(reverse("care:requests"))
    assert [row.item for row in listing.context["rows"]] == [item]
    detail = leader_client.get(reverse("care:request_detail", args=[item.pk]))
    assert detail.context["may_arrange"] and "想谈谈职称评审中的困惑" in detail.content.decode()

    # The deadline the pack gives appears once the sweep has made it a duty.
    sweep(as_of=today)
    duty = Obligation.objects.get(trigger_request=item)
    assert duty.due_on == today + dt.timedelta(days=7)
    assert duty.responsible_member == leader
    assert duty in [r.duty for r in leader_client.get(reverse("web:home")).context["duty_rows"]]

    response = leader_client.post(reverse("care:request_arrange", args=[item.pk]), {"arranged_on": today.isoformat()})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.arranged_on == today
    sweep(as_of=today)
    duty.refresh_from_db()
    assert duty.state == ObligationState.DONE


def test_others_cannot_see_or_arrange_a_request(world, client_for, today):
    leader, _account = make_leader(world)
    from partycare.care.services import request_talk

    item = request_talk(actor=world.member, member=world.m2, leader=leader, requested_on=today, topic="私密")
    # The branch's committee member sees that it exists (to follow it up) but not the topic, and cannot arrange.
    committee = client_for("committee")
    detail = committee.get(reverse("care:request_detail", args=[item.pk]))
    assert detail.status_code == 200 and "私密" not in detail.content.decode()
    # 理学院's people do not see it at all.
    outsider = make_member(world.b3, world.root_user, name="旁人")
    account = create_account(
        actor=world.root_user, username="pr", password=PASSWORD, check_password=False, member=outsider
    )
    from django.test import Client

    client = Client()
    client.force_login(account)
    assert client.get(reverse("care:request_detail", args=[item.pk])).status_code == 404
    assert client.post(reverse("care:request_arrange", args=[item.pk]), {"arranged_on": today}).status_code == 404


def test_member_cannot_request_for_someone_else(world, client_for, today):
    response = client_for("member").get(reverse("care:request_new"), {"member": world.m1.pk})
    assert response.status_code == 404


# --- leader links, needs surveys, medals -------------------------------------------------------------------------


def test_leader_link_is_added_and_listed(world, client_for, today):
    leader, _account = make_leader(world)
    client = client_for("admin")
    assert client.get(reverse("care:links")).context["form"] is None  # the form opens on request
    form = client.get(reverse("care:links"), {"add": "1"}).context["form"]
    assert leader in form.fields["leader"].queryset
    response = client.post(
        reverse("care:links"),
        {
            "org": world.root.pk,
            "leader": leader.pk,
            "member": world.m1.pk,
            "kind": "direct",
            "since": today.isoformat(),
        },
    )
    assert response.status_code == 302
    link = LeaderLink.objects.get()
    assert (link.leader, link.member, link.kind) == (leader, world.m1, "direct")
    assert link in client.get(reverse("care:links")).context["page_obj"]
    assert client_for("auditor").post(reverse("care:links"), {}).status_code == 404


def test_needs_survey_is_recorded(world, client_for, today):
    client = client_for("bsec")
    response = client.post(
        reverse("care:survey_new"),
        {"member": world.m1.pk, "year": today.year, "responded_on": today.isoformat(), "needs": "希望增加业务培训"},
    )
    assert response.status_code == 302
    item = NeedsSurveyResponse.objects.get()
    assert (item.member, item.year, item.needs) == (world.m1, today.year, "希望增加业务培训")
    listing = client.get(reverse("care:surveys"), {"year": today.year})
    assert item in listing.context["page_obj"] and "希望增加业务培训" not in listing.content.decode()


def test_fifty_year_medal_list_and_award(world, client_for, today):
    veteran = make_member(
        world.b1,
        world.root_user,
        name="老党员",
        birth_date=dt.date(1945, 3, 1),
        joined_on=dt.date(today.year - 51, 3, 1),
        full_member_on=dt.date(today.year - 50, 3, 1),
        category="retired",
    )
    from partycare.policy.services import activate_pack

    activate_pack(actor=world.root_user, org=world.root, pack="xinxiang-2020", effective_from=dt.date(2021, 1, 1))
    sweep(as_of=today)
    client = client_for("bsec")
    response = client.get(reverse("care:medals"), {"year": today.year})
    duties = [duty for duty, _can in response.context["rows"]]
    assert [d.subject_member for d in duties] == [veteran]
    response = client.post(
        f"{reverse('care:medals')}?year={today.year}", {"obligation": duties[0].pk, "awarded_on": today.isoformat()}
    )
    assert response.status_code == 302
    award = MedalAward.objects.get()
    assert (award.member, award.year, award.medal) == (veteran, today.year, "“光荣在党50年”纪念章")
    assert client_for("gbsec").get(reverse("care:medals"), {"year": today.year}).status_code == 200
    # Another branch's secretary cannot award it.
    other = make_member(world.b3, world.root_user, name="理学院书记")
    from partycare.orgs.services import assign_post

    assign_post(actor=world.root_user, org=world.b3, member=other, post="secretary", since=dt.date(2020, 1, 1))
    account = create_account(
        actor=world.root_user, username="b3sec", password=PASSWORD, check_password=False, member=other
    )
    from django.test import Client

    b3 = Client()
    b3.force_login(account)
    assert (
        b3.post(reverse("care:medals"), {"obligation": duties[0].pk, "awarded_on": today.isoformat()}).status_code
        == 404
    )
