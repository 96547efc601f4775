"""Member list export: scoped, filtered, masked by default, audited, efficient."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from partycare.audit.models import AuditEntry
from partycare.common.dates import business_today, whole_years
from partycare.common.errors import PermissionDenied
from partycare.members.export import EXPORT_HEADERS, export_members
from partycare.members.models import Member
from partycare.members.roster import import_roster
from partycare.members.selectors import MemberFilter
from tests.members.conftest import roster_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(data: bytes) -> list[dict[str, Any]]:
    rows = list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].values)
    headers = list(rows[0])
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def download(client, **params: Any) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    response = client.get(reverse("roster:export"), params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return sheet_rows(b"".join(response.streaming_content))


def test_export_has_the_template_columns_masked_identifiers_and_derived_ages(world):
    export = export_members(actor=world.admin, filters=MemberFilter(q="张伟"))
    rows = sheet_rows(export.handle.read())

    assert list(rows[0]) == list(EXPORT_HEADERS)
    assert export.rows == 1 and export.filename.endswith(".xlsx")
    (row,) = rows
    m1 = world.m1
    today = business_today()
    assert row["姓名"] == "张伟" and row["所在党组织"] == world.b1.name
    assert row["身份证号"] == m1.id_number_masked and "*" in row["身份证号"] and m1.id_number not in str(row)
    assert row["手机号"] == m1.phone_masked and m1.phone not in str(row)
    assert row["年龄"] == whole_years(m1.birth_date, today)
    assert row["党龄"] == whole_years(m1.full_member_on, today)
    assert row["出生日期"].date() == m1.birth_date
    assert (row["性别"], row["党员状态"], row["人员类别"], row["在册状态"]) == ("男", "正式党员", "在职教职工", "在册")
    assert row["独居"] == "否"


def test_export_honours_filters(world, client_for):
    client = client_for("admin")
    assert {r["姓名"] for r in download(client, category="student")} == {"李娜"}
    assert {r["姓名"] for r in download(client, org=world.gb1.pk)} == {"张伟", "王芳", "陈静", "李娜"}
    assert {r["姓名"] for r in download(client, q="刘")} == {"刘洋"}
    assert {r["姓名"] for r in download(client, gender="female", org=world.b1.pk)} == {
        m.name for m in Member.objects.filter(org=world.b1, gender="female")
    }


def test_export_honours_condition_age_and_roll_state_filters(world, client_for):
    Member.objects.filter(pk=world.m1.pk).update(lives_alone=True)
    Member.objects.filter(pk=world.m2.pk).update(roll_state="transferred_out")
    oldest = Member.objects.order_by("birth_date").first()
    client = client_for("admin")

    assert {r["姓名"] for r in download(client, condition="lives_alone")} == {"张伟"}
    assert "王芳" not in {r["姓名"] for r in download(client)}  # on the roll only, as the list shows by default
    assert {r["姓名"] for r in download(client, roll_state="transferred_out")} == {"王芳"}
    age = whole_years(oldest.birth_date, business_today())
    assert oldest.name in {r["姓名"] for r in download(client, age_min=age)}
    assert all(r["年龄"] >= age for r in download(client, age_min=age))


def test_branch_secretary_export_never_contains_another_branch_by_ui(world, client_for):
    client = client_for("bsec")
    assert {r["姓名"] for r in download(client)} == {"张伟", "王芳", "陈静"}
    assert {r["姓名"] for r in download(client, roll_state="all")} == {"张伟", "王芳", "陈静"}
    # Asking for another branch does not widen the export.
    response = client.get(reverse("roster:export"), {"org": world.b3.pk})
    assert response.status_code == 400
    assert "刘洋".encode() not in response.content


def test_export_is_audited_with_filters_and_row_count(world, client_for):
    download(client_for("bsec"), category="staff")

    entry = AuditEntry.objects.get(event="member.export")
    assert entry.action == AuditEntry.Action.EXPORT and entry.actor == world.bsec
    assert entry.changes["rows"] == 3 and entry.changes["unmasked"] is False
    assert entry.changes["filters"]["category"] == "staff"
    assert entry.org_path == world.b1.path


def test_unmasked_export_needs_the_right_to_see_identifiers_and_is_logged(world, client_for):
    with pytest.raises(PermissionDenied):
        export_members(actor=world.auditor, filters=MemberFilter(), unmasked=True)
    assert client_for("auditor").get(reverse("roster:export"), {"unmasked": "1"}).status_code == 403

    rows = download(client_for("bsec"), unmasked="1")
    assert {r["身份证号"] for r in rows} == {m.id_number for m in Member.objects.filter(org=world.b1)}
    entry = AuditEntry.objects.get(event="member.export")
    assert entry.changes["unmasked"] is True
    assert sorted(entry.changes["members"]) == sorted(Member.objects.filter(org=world.b1).values_list("pk", flat=True))


def test_people_without_export_rights_get_403(world, client_for):
    for persona in ("member", "outsider", "committee"):
        assert client_for(persona).get(reverse("roster:export")).status_code == 403
    assert not AuditEntry.objects.filter(event="member.export").exists()


def test_large_export_takes_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    assert import_roster(actor=world.admin, file=roster_file(world.b3.name, 600)).ok

    with django_assert_max_num_queries(12):
        export = export_members(actor=world.admin, filters=MemberFilter(org_id=world.b3.pk))

    assert export.rows == 601
    assert len(sheet_rows(export.handle.read())) == 601


def test_imported_members_appear_in_the_export(world, client_for):
    assert import_roster(
        actor=world.bsec,
        file=roster_file(
            world.b1.name,
            2,
            birth_date=dt.date(1975, 3, 1),
            joined_on=dt.date(2001, 7, 1),
            full_member_on=dt.date(2002, 7, 1),
        ),
    ).ok
    rows = download(client_for("bsec"))
    assert len(rows) == 5
    assert sum(1 for r in rows if r["入党日期"].date() == dt.date(2001, 7, 1)) == 2
