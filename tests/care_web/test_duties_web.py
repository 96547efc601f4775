"""Duty screens over HTTP with the personas: the home page's duties and inbox, the duty list and detail, the
two-step waiver, supervision (落实率) with its .xlsx export, and the holiday calendar."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from partycare.audit.models import AuditEntry
from partycare.care.services import record_talk
from partycare.obligations.engine import sweep
from partycare.obligations.models import Notification, Obligation, ObligationKind, ObligationState
from partycare.obligations.reminders import create_notifications
from partycare.obligations.selectors import compliance, overdue_items


def talk_duty(member, year, **filters):
    return Obligation.objects.get(kind=ObligationKind.TALK, subject_member=member, period_key=str(year), **filters)


# --- home page -------------------------------------------------------------------------------------------------


def test_branch_secretary_home_lists_own_overdue_talks_and_not_other_branches(world, client_for, xinxiang, today):
    response = client_for("bsec").get(reverse("web:home"))
    assert response.status_code == 200
    rows = response.context["duty_rows"]
    overdue = {(r.duty.subject_member, r.duty.period_key) for r in rows if r.duty.state == ObligationState.OVERDUE}
    assert {(world.m1, str(today.year - 1)), (world.m2, str(today.year - 1))} <= overdue
    assert all(r.duty.responsible_org == world.b1 for r in rows)
    page = response.content.decode()
    assert "已逾期" in page and "text-bg-danger" in page
    assert world.m4.name not in page  # 理学院 (gb2) is another secretary's work
    assert world.m3.name not in page  # so is the student branch b2


def test_home_duty_links_to_a_prefilled_talk_form(world, client_for, xinxiang, today):
    client = client_for("bsec")
    duty = talk_duty(world.m1, today.year - 1)
    row = next(r for r in client.get(reverse("web:home")).context["duty_rows"] if r.duty == duty)
    assert row.action.url == f"{reverse('care:talk_new')}?obligation={duty.pk}"
    assert f'href="{row.action.url}"'.replace("&", "&amp;") in client.get(reverse("web:home")).content.decode()

    form = client.get(row.action.url).context["form"]
    assert form["org"].value() == world.b1.pk
    assert form["participants"].value() == [world.m1.pk]
    assert form["talkers"].value() == [world.secretary_member.pk]
    assert form["reason"].value() == "periodic"
    assert form["obligation"].value() == duty.pk


def test_general_secretary_staff_account_sees_general_branch_duties(world, client_for, xinxiang):
    response = client_for("gbsec").get(reverse("web:home"))
    assert response.status_code == 200
    assert all(r.duty.responsible_path.startswith(world.gb1.path) for r in response.context["duty_rows"])


def test_home_inbox_shows_unread_and_marks_read(world, client_for, xinxiang, today):
    create_notifications(as_of=today)
    client = client_for("bsec")
    unread = Notification.objects.filter(recipient=world.bsec, read_at__isnull=True).count()
    assert unread > 0
    response = client.get(reverse("web:home"))
    assert response.context["unread"] == unread
    assert f'id="unread-count">{unread}<' in response.content.decode()

    one = response.context["inbox"][0]
    client.post(reverse("obligations:inbox_read"), {"id": one.pk, "next": "/"})
    assert Notification.objects.get(pk=one.pk).read_at is not None
    assert Notification.objects.filter(recipient=world.bsec, read_at__isnull=True).count() == unread - 1

    # Someone else's notification id is ignored, not read.
    other = Notification.objects.exclude(recipient=world.bsec).first()
    if other is not None:
        client.post(reverse("obligations:inbox_read"), {"id": other.pk})
        assert Notification.objects.get(pk=other.pk).read_at is None

    response = client.post(reverse("obligations:inbox_read"), {"all": "1", "next": "https://evil.example/"})
    assert response["Location"] == reverse("obligations:inbox")  # no open redirect
    assert client.get(reverse("web:home")).context["unread"] == 0


def test_plain_member_home_offers_a_requested_talk(world, client_for, xinxiang):
    response = client_for("member").get(reverse("web:home"))
    assert response.status_code == 200
    assert response.context["duty_rows"] == []
    assert reverse("care:request_new") in response.content.decode()


# --- duty list and detail ----------------------------------------------------------------------------------------


def test_duty_list_filters_by_kind_state_and_due_range(world, client_for, xinxiang, today):
    client = client_for("bsec")
    everything = client.get(reverse("obligations:list")).context["page_obj"].paginator.count
    talks = client.get(reverse("obligations:list"), {"kind": "talk"}).context["rows"]
    assert talks and all(r.duty.kind == "talk" for r in talks)
    overdue = client.get(reverse("obligations:list"), {"state": "overdue"}).context["rows"]
    assert overdue and all(r.duty.state == "overdue" for r in overdue)
    last_year = client.get(
        reverse("obligations:list"), {"due_from": f"{today.year - 1}-01-01", "due_to": f"{today.year - 1}-12-31"}
    ).context["rows"]
    assert last_year and all(r.duty.due_on.year == today.year - 1 for r in last_year)
    assert len(last_year) < everything
    bad = client.get(reverse("obligations:list"), {"due_from": "2025-02-01", "due_to": "2025-01-01"})
    assert bad.context["form"].errors


def test_duty_detail_shows_rule_source_window_and_fulfilling_record(world, client_for, xinxiang, today):
    duty = talk_duty(world.m1, today.year)
    client = client_for("bsec")
    page = client.get(reverse("obligations:detail", args=[duty.pk])).content.decode()
    assert duty.pack in page and "002" in page  # the seed the rule comes from
    assert f"{duty.window_start:%Y-%m-%d} — {duty.due_on:%Y-%m-%d}" in page

    talk = record_talk(
        actor=world.bsec, org=world.b1, held_on=today, talkers=[world.secretary_member], participants=[world.m1]
    )
    sweep(as_of=today)
    response = client.get(reverse("obligations:detail", args=[duty.pk]))
    assert response.context["record"] == talk
    assert reverse("care:talk_detail", args=[talk.pk]) in response.content.decode()


def test_out_of_scope_duty_is_404(world, client_for, xinxiang, today):
    other = talk_duty(world.m4, today.year)
    client = client_for("bsec")
    assert client.get(reverse("obligations:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("obligations:waive", args=[other.pk])).status_code == 404
    assert client.get(f"{reverse('care:talk_new')}?obligation={other.pk}").status_code == 404
    assert client_for("gbsec").get(reverse("obligations:detail", args=[other.pk])).status_code == 404
    assert client_for("admin").get(reverse("obligations:detail", args=[other.pk])).status_code == 200


# --- waiving -----------------------------------------------------------------------------------------------------


def test_waiving_needs_a_reason_and_a_confirmation_and_is_audited(world, client_for, xinxiang, today):
    duty = talk_duty(world.m2, today.year)
    client = client_for("bsec")
    url = reverse("obligations:waive", args=[duty.pk])

    response = client.post(url, {"reason": "   "})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    response = client.post(url, {"reason": "党员长期出国访学"})
    assert response.status_code == 200 and response.context["confirming"]
    assert "党员长期出国访学" in response.content.decode()
    duty.refresh_from_db()
    assert duty.state == ObligationState.OPEN  # nothing changes before the confirmation

    response = client.post(url, {"reason": "党员长期出国访学", "confirmed": "True"})
    assert response.status_code == 302
    duty.refresh_from_db()
    assert (duty.state, duty.waived_reason, duty.waived_by) == (ObligationState.WAIVED, "党员长期出国访学", world.bsec)
    entry = AuditEntry.objects.get(event="obligation.waive", object_id=str(duty.pk))
    assert entry.actor == world.bsec and entry.changes["waived_reason"] == "党员长期出国访学"
    assert "党员长期出国访学" in client.get(reverse("obligations:detail", args=[duty.pk])).content.decode()


def test_committee_member_cannot_waive(world, client_for, xinxiang, today):
    duty = talk_duty(world.m2, today.year)
    client = client_for("committee")
    assert client.get(reverse("obligations:detail", args=[duty.pk])).context["can_waive"] is False
    assert (
        client.post(reverse("obligations:waive", args=[duty.pk]), {"reason": "x", "confirmed": "True"}).status_code
        == 403
    )
    duty.refresh_from_db()
    assert duty.state == ObligationState.OPEN


# --- supervision -------------------------------------------------------------------------------------------------


@pytest.fixture
def some_done(world, xinxiang, today):
    """Last year: m1 talked with on time; everything else in the tree overdue."""
    record_talk(
        actor=world.bsec,
        org=world.b1,
        held_on=dt.date(today.year - 1, 6, 1),
        talkers=[world.secretary_member],
        participants=[world.m1],
    )
    sweep(as_of=today, since=dt.date(today.year - 1, 1, 1))
    return today


def test_compliance_page_matches_the_selector_and_drills_down(world, client_for, some_done, today):
    client = client_for("admin")
    response = client.get(reverse("obligations:compliance"), {"org": world.root.pk, "kind": "talk"})
    assert response.status_code == 200
    total, rows = compliance(org=world.root, as_of=today, kind="talk")
    assert response.context["total"].row.due == total.due > 0
    assert response.context["total"].percent == round(100 * total.on_time / total.due, 1)
    gb1_row = next(line for line in response.context["rows"] if line.row.org == world.gb1)
    expected_gb1 = next(r for r in rows if r.org == world.gb1)
    assert (gb1_row.row.due, gb1_row.row.on_time, gb1_row.row.overdue) == (
        expected_gb1.due,
        expected_gb1.on_time,
        expected_gb1.overdue,
    )
    page = response.content.decode()
    assert f"?org={world.gb1.pk}&amp;" in page  # drill-down link
    assert f'data-rate="{gb1_row.percent:.1f}"' in page

    child = client.get(reverse("obligations:compliance"), {"org": world.gb1.pk, "kind": "talk"})
    assert {line.row.org for line in child.context["rows"]} <= {world.b1, world.b2, None}
    overdue_names = {d.subject_member.name for d in child.context["overdue_page"]}
    assert world.m2.name in overdue_names and world.m4.name not in overdue_names


def test_compliance_shows_no_rate_when_nothing_is_due(world, client_for, xinxiang):
    response = client_for("admin").get(reverse("obligations:compliance"), {"org": world.root.pk, "as_of": "2020-01-01"})
    assert response.context["total"].percent is None and response.context["rows"] == []
    page = response.content.decode()
    assert '<div class="display-6 my-2">—</div>' in page and "100.0%" not in page


def test_compliance_is_limited_to_scope(world, client_for, xinxiang):
    client = client_for("bsec")
    assert client.get(reverse("obligations:compliance"), {"org": world.gb2.pk}).status_code == 404
    assert client.get(reverse("obligations:compliance"), {"org": "nonsense"}).status_code == 404
    assert client.get(reverse("obligations:compliance_export"), {"org": world.b3.pk}).status_code == 404
    default = client.get(reverse("obligations:compliance"))
    assert default.context["org"] == world.b1


def test_compliance_export_has_the_same_numbers_and_is_audited(world, client_for, some_done, today):
    client = client_for("admin")
    response = client.get(reverse("obligations:compliance_export"), {"org": world.root.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rates = list(workbook["落实率"].iter_rows(values_only=True))
    total, rows = compliance(org=world.root, as_of=today)
    assert rates[0][:3] == ("组织", "类别", "应完成")
    assert rates[1][2:6] == (total.due, total.on_time, total.late, total.overdue)
    assert rates[1][6] == pytest.approx(total.on_time / total.due)
    by_label = {r[0]: r for r in rates[2 : 2 + len(rows)]}
    for row in rows:
        assert by_label[row.label][2:6] == (row.due, row.on_time, row.late, row.overdue)
    overdue = list(workbook["逾期事项"].iter_rows(values_only=True))
    expected = list(overdue_items(org=world.root, as_of=today))
    assert len(overdue) - 1 == len(expected) > 0
    assert {r[3] for r in overdue[1:]} >= {world.m2.name, world.m4.name}
    entry = AuditEntry.objects.get(event="obligation.compliance_export")
    assert entry.actor == world.admin and entry.action == "export" and entry.changes["overdue_rows"] == len(expected)


def test_committee_member_sees_compliance_but_cannot_export(world, client_for, xinxiang):
    client = client_for("committee")
    response = client.get(reverse("obligations:compliance"), {"org": world.b1.pk})
    assert response.status_code == 200 and response.context["can_export"] is False
    assert client.get(reverse("obligations:compliance_export"), {"org": world.b1.pk}).status_code == 403
    assert not AuditEntry.objects.filter(event="obligation.compliance_export").exists()


def test_only_org_admins_can_run_the_check_now(world, client_for, django_capture_on_commit_callbacks, today):
    assert client_for("bsec").post(reverse("obligations:sweep_now")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("admin").post(reverse("obligations:sweep_now"))
    assert response.status_code == 302
    from partycare.obligations.models import SweepRun

    assert SweepRun.objects.filter(as_of=today, triggered_by="web:admin").exists()
    assert AuditEntry.objects.filter(event="obligation.sweep_requested", actor=world.admin).exists()


# --- calendar ----------------------------------------------------------------------------------------------------


def test_calendar_shows_spring_festival_on_its_lunar_date(world, client_for, xinxiang):
    response = client_for("bsec").get(reverse("obligations:calendar"), {"year": 2027})
    assert response.status_code == 200
    lines = {line.code: line for line in response.context["lines"]}
    assert lines["chunjie"].day == dt.date(2027, 2, 6)  # 农历正月初一 2027
    assert lines["qiyi"].day == dt.date(2027, 7, 1)
    page = response.content.decode()
    assert 'data-holiday="chunjie" data-date="2027-02-06"' in page
    assert "春节（农历1月1日）" in page
    other_year = client_for("bsec").get(reverse("obligations:calendar"), {"year": 2026}).context["lines"]
    assert next(line for line in other_year if line.code == "chunjie").day == dt.date(2026, 2, 17)


def test_calendar_lists_the_holiday_visits_planned(world, client_for, today):
    from partycare.members.services import update_member
    from partycare.obligations.engine import PackScope
    from tests.obligations.packs import make_pack

    update_member(actor=world.root_user, member=world.m1, changes={"in_difficulty": True})
    scope = PackScope(pack=make_pack(), label="engine-test@1", root=world.root)
    sweep(as_of=dt.date(2025, 6, 25), scopes=[scope])
    from partycare.policy.services import activate_pack

    activate_pack(actor=world.root_user, org=world.root, pack=scope.pack, effective_from=dt.date(2020, 1, 1))
    response = client_for("bsec").get(reverse("obligations:calendar"), {"year": 2025})
    july = next(line for line in response.context["lines"] if line.code == "july_first")
    assert july.planned == 1 and july.duties[0].duty.subject_member == world.m1


def test_calendar_without_a_pack_says_so(world, client_for):
    response = client_for("bsec").get(reverse("obligations:calendar"))
    assert response.status_code == 200 and response.context["found"] is None
    assert "尚未启用政策包" in response.content.decode()


def test_calendar_defaults_to_the_coming_twelve_months(world, client_for, xinxiang, today):
    response = client_for("bsec").get(reverse("obligations:calendar"))
    lines = response.context["lines"]
    assert response.context["upcoming"] and lines
    assert all(today <= line.day <= today + dt.timedelta(days=365) for line in lines)
    assert {line.code for line in lines} == {"chunjie", "qiyi"}  # each comes once a year


def test_duty_pages_in_english(world, client_for, xinxiang, english_catalogue):
    client = client_for("bsec")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    home = client.get(reverse("web:home")).content.decode()
    for label in ("My duties", "Overdue", "Record talk", "Reminders"):
        assert label in home, label
    compliance_page = client.get(reverse("obligations:compliance")).content.decode()
    assert "Compliance rate" in compliance_page and "落实率" not in compliance_page
