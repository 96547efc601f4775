"""Roster import: header aliases, date formats, row-level errors, all-or-nothing, scope, jobs and the template."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from partycare.audit.models import AuditEntry
from partycare.common.errors import PermissionDenied
from partycare.common.idcard import make_id_number
from partycare.members.models import ImportJob, ImportJobStatus, Member
from partycare.members.roster import field_for_header, import_roster, parse_date, start_roster_import
from partycare.orgs.services import update_organisation
from tests.members.conftest import TEMPLATE_HEADERS, birth, roster_file, template_row, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def counts() -> tuple[int, int, int]:
    return Member.objects.count(), AuditEntry.objects.count(), ImportJob.objects.count()


def errors_of(result) -> list[tuple[int | None, str]]:  # type: ignore[no-untyped-def]
    return [(e.row, e.column) for e in result.errors]


# --- the happy path -------------------------------------------------------------------------------------------


def test_good_file_imports_every_row_with_an_audit_row_each(world):
    rows = [template_row(world.b1.name, name=f"新党员{i}") for i in range(3)]
    before = Member.objects.count()

    result = import_roster(actor=world.bsec, file=xlsx(TEMPLATE_HEADERS, rows), file_name="支部名册.xlsx")

    assert result.ok and result.created == 3 and result.total_rows == 3
    created = Member.objects.filter(name__startswith="新党员")
    assert Member.objects.count() == before + 3
    assert set(created.values_list("org_id", flat=True)) == {world.b1.pk}
    audits = AuditEntry.objects.filter(event="member.import")
    assert sorted(audits.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in created.values_list("pk", flat=True)
    )
    entry = audits.first()
    assert entry.actor == world.bsec and entry.action == AuditEntry.Action.CREATE
    member = Member.objects.get(pk=entry.object_id)
    # The log keeps only masked identifiers.
    assert entry.changes["id_number"] == member.id_number_masked and "*" in entry.changes["id_number"]
    assert entry.changes["phone"] == member.phone_masked
    assert member.id_number not in str(entry.changes)
    summary = AuditEntry.objects.get(event="roster.import")
    assert summary.action == AuditEntry.Action.IMPORT and summary.actor == world.bsec
    assert summary.changes["created"] == 3 and summary.changes["file"] == "支部名册.xlsx"
    assert summary.org_path == world.b1.path
    assert ImportJob.objects.get().status == ImportJobStatus.SUCCEEDED


def test_imported_member_has_the_values_of_its_row(world):
    row = template_row(world.b1.name, name="周敏", gender="female", birth_date=dt.date(1990, 2, 3))
    row[TEMPLATE_HEADERS.index("职务/岗位")] = "副教授"
    row[TEMPLATE_HEADERS.index("独居")] = "是"
    row[TEMPLATE_HEADERS.index("有养老金")] = "√"

    assert import_roster(actor=world.bsec, file=xlsx(TEMPLATE_HEADERS, [row])).ok

    member = Member.objects.get(name="周敏")
    assert (member.gender, member.birth_date, member.position) == ("female", dt.date(1990, 2, 3), "副教授")
    assert member.lives_alone and member.has_pension and not member.mobile
    assert member.id_number == row[TEMPLATE_HEADERS.index("身份证号")]
    assert member.status == "full" and member.category == "staff"


# --- all or nothing -------------------------------------------------------------------------------------------


def test_bad_rows_write_nothing_and_are_reported_by_row_and_column(world):
    good = template_row(world.b1.name, name="甲")
    bad_checksum = template_row(world.b1.name, name="乙")
    id_column = TEMPLATE_HEADERS.index("身份证号")
    number = bad_checksum[id_column]
    bad_checksum[id_column] = number[:17] + ("0" if number[17] != "0" else "1")
    unknown_org = template_row("不存在的党支部", name="丙")
    first = template_row(world.b1.name, name="丁")
    duplicate_in_file = [*first]
    duplicate_in_file[0] = "戊"
    m1 = world.m1
    duplicate_in_db = template_row(world.b1.name, name="己", birth_date=m1.birth_date, gender=m1.gender)
    duplicate_in_db[id_column] = m1.id_number
    before = counts()

    result = import_roster(
        actor=world.bsec,
        file=xlsx(TEMPLATE_HEADERS, [good, bad_checksum, unknown_org, first, duplicate_in_file, duplicate_in_db]),
    )

    assert not result.ok and result.created == 0
    assert counts() == before
    assert errors_of(result) == [(3, "身份证号"), (4, "所在党组织"), (6, "身份证号"), (7, "身份证号")]
    messages = [e.message for e in result.errors]
    assert "校验码" in messages[0]
    assert "未找到党组织" in messages[1]
    assert "第 5 行" in messages[2]
    assert "已在系统中登记" in messages[3]


def test_one_bad_row_among_many_blocks_the_whole_file(world):
    rows = [template_row(world.b1.name) for _ in range(30)]
    rows[17][TEMPLATE_HEADERS.index("入党日期")] = "2020-13-45"
    before = counts()

    result = import_roster(actor=world.bsec, file=xlsx(TEMPLATE_HEADERS, rows))

    assert errors_of(result) == [(19, "入党日期")]
    assert counts() == before


def test_model_rules_are_reported_on_their_column(world):
    too_young = template_row(world.b1.name, birth_date=dt.date(2000, 1, 1), joined_on=dt.date(2015, 7, 1))
    probationary_with_full_date = template_row(world.b1.name)
    probationary_with_full_date[TEMPLATE_HEADERS.index("党员状态")] = "预备党员"
    wrong_gender = template_row(world.b1.name, gender="male")
    wrong_gender[TEMPLATE_HEADERS.index("性别")] = "女"
    no_name = template_row(world.b1.name, name="")

    result = import_roster(
        actor=world.bsec, file=xlsx(TEMPLATE_HEADERS, [too_young, probationary_with_full_date, wrong_gender, no_name])
    )

    assert errors_of(result) == [(2, "入党日期"), (3, "党员状态"), (4, "性别"), (5, "姓名")]
    assert "十八" in result.errors[0].message
    assert "必填" in result.errors[3].message


def test_missing_required_columns_is_a_file_level_error(world):
    headers = ["姓名", "性别", "身份证号", "所在党组织"]
    result = import_roster(actor=world.bsec, file=xlsx(headers, [["张三", "男", "", world.b1.name]]))

    assert [(e.row, e.column) for e in result.errors] == [(None, "")]
    assert "入党日期" in result.errors[0].message and "人员类别" in result.errors[0].message


def test_unreadable_file_is_reported_not_raised(world):
    result = import_roster(actor=world.bsec, file=b"this is not a workbook")
    assert not result.ok and result.errors[0].row is None and "xlsx" in result.errors[0].message


def test_dry_run_validates_but_writes_nothing(world):
    before = counts()
    result = import_roster(actor=world.bsec, file=roster_file(world.b1.name, 4), dry_run=True)
    assert result.ok and result.valid_rows == 4 and result.created == 0
    assert counts() == before


def test_id_number_stored_as_a_number_is_explained(world):
    row = template_row(world.b1.name)
    row[TEMPLATE_HEADERS.index("身份证号")] = float(row[TEMPLATE_HEADERS.index("身份证号")].replace("X", "0"))
    result = import_roster(actor=world.bsec, file=xlsx(TEMPLATE_HEADERS, [row]))
    assert errors_of(result) == [(2, "身份证号")] and "文本" in result.errors[0].message


# --- what offices actually upload -----------------------------------------------------------------------------


def test_header_aliases_title_rows_and_date_formats_are_understood(world):
    headers = [
        "序号",
        "名字",
        "性 别",
        "出生年月",
        "公民身份号码",
        "联系电话",
        "所在支部",
        "入党时间",
        "转正时间",
        "身份",
        "是否独居",
        "有固定工资（补贴）",
        "党员类型",
    ]
    births = [birth(n) for n in range(1, 7)]
    ids = [make_id_number("320102", day, 100 + n * 2 + 1) for n, day in enumerate(births)]
    joined = ["2010/7/1", "2010.7.1", 20100701, "2010年7月1日", dt.date(2010, 7, 1), "2010-07-01 00:00:00"]
    rows = [
        [
            n + 1,
            f"别名{n}",
            "",  # gender from the ID number
            f"{births[n]:%Y.%m}",  # 出生年月: the day comes from the ID number
            ids[n],
            f"138 0000 00{n:02d}",
            world.b1.name,
            joined[n],
            "",
            ["在职", "学生", "离退休", "教师", "研究生", "其他"][n],
            ["√", "是", "1", "", "否", "0"][n],
            "是" if n == 0 else "",
            "",
        ]
        for n in range(6)
    ]

    # Office templates number their rows in advance; numbered rows with nothing else are not members.
    rows += [[n] + [""] * (len(headers) - 1) for n in range(7, 20)]

    result = import_roster(actor=world.bsec, file=xlsx(headers, rows, above=[["文学院教工第一党支部党员花名册"], []]))

    assert result.ok, result.errors
    assert result.total_rows == 6 and result.ignored_columns == ["序号"]
    members = {m.name: m for m in Member.objects.filter(name__startswith="别名")}
    assert [members[f"别名{n}"].birth_date for n in range(6)] == births
    assert {m.joined_on for m in members.values()} == {dt.date(2010, 7, 1)}
    assert [members[f"别名{n}"].category for n in range(6)] == [
        "staff",
        "student",
        "retired",
        "staff",
        "student",
        "other",
    ]
    assert [members[f"别名{n}"].lives_alone for n in range(6)] == [True, True, True, False, False, False]
    assert members["别名0"].has_fixed_income and not members["别名1"].has_fixed_income
    assert members["别名0"].gender == "male" and members["别名0"].phone == "13800000000"
    # No 转正日期 and no status column: joined long ago means a full member, not a probationary one.
    assert members["别名0"].status == "full"


def test_birth_month_without_an_id_number_is_the_first_of_the_month(world):
    headers = ["姓名", "性别", "出生年月", "所在党组织", "入党日期", "人员类别"]
    rows = [["年月", "女", "1980.05", world.b1.name, "2005-07-01", "在职教职工"]]
    assert import_roster(actor=world.bsec, file=xlsx(headers, rows)).ok
    assert Member.objects.get(name="年月").birth_date == dt.date(1980, 5, 1)


def test_birth_month_that_contradicts_the_id_number_is_an_error(world):
    headers = ["姓名", "出生年月", "身份证号", "所在党组织", "入党日期", "人员类别"]
    rows = [["不符", "1980.06", make_id_number("110101", dt.date(1980, 5, 17), 3), world.b1.name, "2005-07-01", "学生"]]
    result = import_roster(actor=world.bsec, file=xlsx(headers, rows))
    assert errors_of(result) == [(2, "出生年月")]


@pytest.mark.parametrize(
    ("value", "expected", "exact"),
    [
        (dt.date(2020, 7, 1), dt.date(2020, 7, 1), True),
        (dt.datetime(2020, 7, 1, 0, 0), dt.date(2020, 7, 1), True),
        ("2020-07-01", dt.date(2020, 7, 1), True),
        ("2020/7/1", dt.date(2020, 7, 1), True),
        ("2020.7.1", dt.date(2020, 7, 1), True),
        ("20200701", dt.date(2020, 7, 1), True),
        (20200701, dt.date(2020, 7, 1), True),
        ("2020年7月1日", dt.date(2020, 7, 1), True),
        ("２０２０年７月１日", dt.date(2020, 7, 1), True),
        (44013, dt.date(2020, 7, 1), True),  # an Excel serial in an unformatted cell
        ("1980.05", dt.date(1980, 5, 1), False),
        (1980.05, dt.date(1980, 5, 1), False),
        (1980.1, dt.date(1980, 10, 1), False),  # Excel shows 1980.10 typed into a number cell as 1980.1
        ("1980年5月", dt.date(1980, 5, 1), False),
        ("198005", dt.date(1980, 5, 1), False),
    ],
)
def test_date_forms(value, expected, exact):
    parsed = parse_date(value)
    assert (parsed.value, parsed.exact) == (expected, exact)


@pytest.mark.parametrize("value", ["2020-02-30", "明年", "2020.13", True])
def test_bad_dates_are_refused(value):
    from partycare.members.roster import CellError

    with pytest.raises(CellError):
        parse_date(value)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("名字", "name"),
        ("身份证号码", "id_number"),
        ("公民身份号码", "id_number"),
        ("联系电话", "phone"),
        ("手机", "phone"),
        ("所属党组织", "org"),
        ("支部", "org"),
        ("入党时间", "joined_on"),
        ("转正 时间", "full_member_on"),
        ("出生年月", "birth_date"),
        ("类别", "category"),
        ("职务／岗位", "position"),
        ("有固定工资（补贴）", "has_fixed_income"),
        ("是否流动党员", "mobile"),
        ("姓名*", "name"),
        ("入党日期（必填）", "joined_on"),
        ("籍贯", None),
    ],
)
def test_header_aliases(header, field):
    assert field_for_header(header) == field


def test_org_found_by_code_and_by_path(world):
    update_organisation(actor=world.root_user, org=world.b1, changes={"code": "WX-JG1"})
    rows = [
        template_row("wx-jg1"),
        template_row("测试大学党委/文学院党总支/文学院教工第一党支部"),
        template_row("文学院党总支 / 文学院学生党支部"),
    ]
    assert import_roster(actor=world.gbsec, file=xlsx(TEMPLATE_HEADERS, rows)).ok
    assert Member.objects.filter(org=world.b1).count() == 5 and Member.objects.filter(org=world.b2).count() == 2


def test_merged_org_cells_apply_to_every_row_of_the_block(world):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(TEMPLATE_HEADERS)
    for _ in range(3):
        sheet.append(template_row(world.b1.name))
    column = TEMPLATE_HEADERS.index("所在党组织") + 1
    for row in (3, 4):
        sheet.cell(row=row, column=column).value = None
    sheet.merge_cells(start_row=2, end_row=4, start_column=column, end_column=column)
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert import_roster(actor=world.bsec, file=buffer.getvalue()).ok
    assert Member.objects.filter(org=world.b1).count() == 6


# --- scope ----------------------------------------------------------------------------------------------------


def test_branch_secretary_cannot_import_into_another_branch(world):
    before = counts()
    rows = [template_row(world.b1.name), template_row(world.b2.name), template_row(world.b3.name)]

    result = import_roster(actor=world.bsec, file=xlsx(TEMPLATE_HEADERS, rows))

    assert errors_of(result) == [(3, "所在党组织"), (4, "所在党组织")]
    # Out of scope reads exactly like an organisation that does not exist.
    unknown = import_roster(actor=world.bsec, file=roster_file("根本不存在的支部", 1)).errors[0].message
    assert result.errors[0].message == unknown.replace("根本不存在的支部", world.b2.name)
    assert counts() == before


def test_branch_secretary_cannot_import_into_another_branch_by_ui(world, client_for):
    client = client_for("bsec")
    before = Member.objects.count()
    upload = SimpleUploadedFile("other.xlsx", roster_file(world.b3.name, 2), content_type=XLSX)

    response = client.post(reverse("roster:import"), {"file": upload}, follow=True)

    assert response.status_code == 200
    assert response.context["job"].status == ImportJobStatus.FAILED
    assert [(e.row, e.column) for e in response.context["errors"]] == [(2, "所在党组织"), (3, "所在党组织")]
    assert Member.objects.count() == before


def test_chosen_scope_limits_the_import_and_fills_blank_orgs(world):
    rows = [template_row(""), template_row(world.b2.name)]
    result = import_roster(actor=world.gbsec, file=xlsx(TEMPLATE_HEADERS, rows), org=world.b1)
    assert errors_of(result) == [(3, "所在党组织")] and "导入范围" in result.errors[0].message

    assert import_roster(actor=world.gbsec, file=xlsx(TEMPLATE_HEADERS, rows[:1]), org=world.b1).ok
    assert Member.objects.filter(org=world.b1).count() == 4


def test_without_an_org_column_the_chosen_scope_is_required(world):
    headers = [h for h in TEMPLATE_HEADERS if h != "所在党组织"]
    rows = [[v for h, v in zip(TEMPLATE_HEADERS, template_row(""), strict=True) if h != "所在党组织"]]

    missing = import_roster(actor=world.bsec, file=xlsx(headers, rows))
    assert [(e.row, e.column) for e in missing.errors] == [(None, "")] and "所在党组织" in missing.errors[0].message

    assert import_roster(actor=world.bsec, file=xlsx(headers, rows), org=world.b1).ok
    assert Member.objects.filter(org=world.b1).count() == 4


def test_people_without_import_rights_are_refused(world):
    for persona in ("committee", "member", "outsider", "auditor"):
        with pytest.raises(PermissionDenied):
            import_roster(actor=getattr(world, persona), file=roster_file(world.b1.name, 1))
    with pytest.raises(PermissionDenied):
        import_roster(actor=world.bsec, file=roster_file(world.b1.name, 1), org=world.b3)


def test_committee_member_cannot_open_the_import_page(world, client_for):
    assert client_for("committee").get(reverse("roster:import")).status_code == 403
    assert client_for("committee").get(reverse("roster:template")).status_code == 403


# --- jobs, progress and the pages -----------------------------------------------------------------------------


def test_import_job_progress_counters_reach_the_total(world):
    upload = SimpleUploadedFile("big.xlsx", roster_file(world.b1.name, 120), content_type=XLSX)

    with CaptureQueriesContext(connection) as queries:
        job = start_roster_import(actor=world.bsec, upload=upload)

    assert job.status == ImportJobStatus.SUCCEEDED
    assert job.total_rows == job.processed_rows == job.created_count == 120
    assert job.started_at and job.finished_at
    progress_updates = [q for q in queries if 'UPDATE "members_importjob" SET "processed_rows"' in q["sql"]]
    # Written while validating (before the import transaction), not only once at the end.
    assert 2 <= len(progress_updates) <= 41
    assert not job.file  # the upload holds ID numbers; it is removed once processed


def test_two_hundred_row_import_takes_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    data = roster_file(world.b1.name, 200)
    with django_assert_max_num_queries(30):
        result = import_roster(actor=world.bsec, file=data)
    assert result.created == 200
    assert AuditEntry.objects.filter(event="member.import").count() == 200


def test_upload_page_shows_the_error_table(world, client_for):
    client = client_for("bsec")
    row = template_row(world.b1.name)
    row[TEMPLATE_HEADERS.index("入党日期")] = "去年"
    upload = SimpleUploadedFile("bad.xlsx", xlsx(TEMPLATE_HEADERS, [template_row(world.b1.name), row]))

    response = client.post(reverse("roster:import"), {"file": upload})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("roster:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-errors"' in page and "入党日期" in page and "无法识别的日期" in page
    assert "hx-trigger" not in page  # finished: no more polling
    errors_xlsx = client.get(reverse("roster:job-errors", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(errors_xlsx.getvalue())).active.values)
    assert rows[1][:2] == (3, "入党日期")


def test_unfinished_job_page_polls_every_second(world, client_for):
    job = ImportJob.objects.create(created_by=world.bsec, file_name="x.xlsx", total_rows=400, processed_rows=100)
    client = client_for("bsec")

    partial = client.get(reverse("roster:job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()

    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial
    assert "100 / 400" in partial and 'aria-valuenow="25"' in partial


def test_jobs_are_private_to_their_uploader(world, client_for):
    job = ImportJob.objects.create(created_by=world.bsec, file_name="mine.xlsx")
    assert client_for("gbsec").get(reverse("roster:job", args=[job.pk])).status_code == 404
    assert client_for("gbsec").get(reverse("roster:job-errors", args=[job.pk])).status_code == 404
    listing = client_for("bsec").get(reverse("roster:jobs")).content.decode()
    assert "mine.xlsx" in listing
    assert "mine.xlsx" not in client_for("gbsec").get(reverse("roster:jobs")).content.decode()


def test_upload_form_refuses_other_file_types(world, client_for):
    upload = SimpleUploadedFile("roster.csv", b"name\n", content_type="text/csv")
    response = client_for("bsec").post(reverse("roster:import"), {"file": upload})
    assert response.status_code == 200 and not ImportJob.objects.exists()
    assert ".xlsx" in response.context["form"].errors["file"][0]


def test_template_downloads_and_reimports_cleanly_once_filled(world, client_for):
    client = client_for("bsec")
    page = client.get(reverse("roster:import")).content.decode()
    assert reverse("roster:template") in page

    response = client.get(reverse("roster:template"))
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == TEMPLATE_HEADERS
    assert sheet.cell(row=2, column=TEMPLATE_HEADERS.index("所在党组织") + 1).value == world.b1.name
    assert "填写说明" in workbook.sheetnames
    guide_headers = [row[0] for row in workbook["填写说明"].values]
    assert all(header in guide_headers for header in TEMPLATE_HEADERS)
    validations = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations["B2"] == '"男,女"'
    assert validations[f"{chr(ord('A') + TEMPLATE_HEADERS.index('独居'))}2"] == '"是,否"'

    for row in (template_row(world.b1.name, name="填写一"), template_row(world.b1.name, name="填写二")):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("filled.xlsx", buffer.getvalue(), content_type=XLSX)
    before = Member.objects.count()

    response = client.post(reverse("roster:import"), {"file": upload}, follow=True)

    assert response.context["job"].status == ImportJobStatus.SUCCEEDED, response.context["errors"]
    # The example row is a valid member too, so a template filled below it imports all three.
    assert Member.objects.count() == before + 3
    assert set(Member.objects.filter(name__in=["填写一", "填写二", "张明"]).values_list("org_id", flat=True)) == {
        world.b1.pk
    }
    assert 'id="import-success"' in response.content.decode()
