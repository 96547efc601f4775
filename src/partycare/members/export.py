""".xlsx files offices use: the roster template, the (filtered, scoped) member list, and an import's error list."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from partycare.accounts.scope import EXPORT, IMPORT, VIEW_SENSITIVE, scope_of
from partycare.audit.models import AuditEntry
from partycare.audit.services import record_change
from partycare.common.dates import business_today, whole_years
from partycare.common.errors import PermissionDenied
from partycare.common.idcard import make_id_number
from partycare.members.models import (
    CONDITION_FIELDS,
    Gender,
    LeadershipLevel,
    MemberCategory,
    MemberStatus,
    RollState,
)
from partycare.members.roster import IMPORT_ORG_KINDS, TEMPLATE_COLUMNS, Column, RowError
from partycare.members.selectors import MemberFilter, member_list
from partycare.orgs.models import Organisation, OrgStatus

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B71C1C")
EXAMPLE_FONT = Font(color="7F7F7F", italic=True)
TEMPLATE_ROWS = 5000  # how far down the drop-downs and text formats reach
_WIDTHS = {"姓名": 10, "身份证号": 22, "手机号": 15, "所在党组织": 28, "职务/岗位": 16, "有固定工资(补贴)": 16}


def _width(header: str) -> int:
    return _WIDTHS.get(header, max(10, len(header) * 2 + 2))


# --- the import template --------------------------------------------------------------------------------------


def _example_org_name(user: Any) -> str:
    scope = scope_of(user)
    org = (
        Organisation.objects.filter(scope.org_q(IMPORT), kind__in=IMPORT_ORG_KINDS, status=OrgStatus.ACTIVE)
        .order_by("path")
        .only("name")
        .first()
    )
    return org.name if org is not None else "某某党支部"


def _importable_org_names(user: Any) -> list[str]:
    scope = scope_of(user)
    if not scope.allows_anywhere(IMPORT):
        return []
    return list(
        Organisation.objects.filter(scope.org_q(IMPORT), kind__in=IMPORT_ORG_KINDS, status=OrgStatus.ACTIVE)
        .order_by("path")
        .values_list("name", flat=True)
    )


def _example_row() -> dict[str, Any]:
    birth = dt.date(1985, 3, 15)
    values: dict[str, Any] = {
        "name": "张明",
        "gender": "男",
        "ethnicity": "汉族",
        "birth_date": birth,
        "id_number": make_id_number("110101", birth, 11),
        "phone": "13800138000",
        "joined_on": dt.date(2008, 6, 20),
        "full_member_on": dt.date(2009, 6, 20),
        "status": "正式党员",
        "category": "在职教职工",
        "position": "讲师",
        "leadership_level": "无",
        "roll_state": "在册",
    }
    values.update({name: "否" for name in CONDITION_FIELDS})
    return values


def _is_required(column: Column) -> str:
    if column.field in {"name", "joined_on", "category"}:
        return "是"
    if column.field == "org":
        return "是（上传时选了导入范围则可留空）"
    if column.field in {"birth_date", "id_number"}:
        return "出生日期与身份证号至少填一项"
    if column.field == "gender":
        return "有身份证号时可留空"
    return ""


INSTRUCTIONS = (
    "填写说明",
    "1. 第1行是表头，请勿修改列名；第2行是示例，导入前请删除或改成真实数据。每行填写一名党员。",
    "2. 日期可写成 2020-07-01、2020/7/1、2020.7.1、20200701 或 2020年7月1日，也可使用 Excel 日期格式。",
    "3. 是/否 列可填 是、否、√、1、0；留空视为“否”。",
    "4. 身份证号、手机号两列已设为“文本”格式；从其他表格粘贴时请“只粘贴值”，以免身份证号末几位丢失。",
    "5. 所在党组织须在您的管理范围内，可填名称、组织编码或完整路径（用“/”分隔）。",
    "6. 只要有一行有错，整份文件都不会导入；系统会列出出错的行号、列名和原因，改好后重新上传即可。",
    "7. 系统也能识别常见的其他列名（见下表“也可写作”）；无法识别的列会被忽略。",
)


def build_template(*, user: Any) -> bytes:
    """The roster template: Chinese headers, one example row, drop-downs, and a sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "党员名册"
    headers = [c.header for c in TEMPLATE_COLUMNS]
    sheet.append(headers)
    example = _example_row()
    example["org"] = _example_org_name(user)
    sheet.append([example.get(c.field, "") for c in TEMPLATE_COLUMNS])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for cell in sheet[2]:
        cell.font = EXAMPLE_FONT
    sheet.freeze_panes = "B2"

    org_names = _importable_org_names(user)
    if org_names:
        lists = workbook.create_sheet("组织列表")
        for name in org_names:
            lists.append([name])
        lists.sheet_state = "hidden"
        workbook.defined_names["党组织"] = DefinedName(
            "党组织", attr_text=f"{quote_sheetname(lists.title)}!$A$1:$A${len(org_names)}"
        )

    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _width(column.header)
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS}"
        if column.kind in {"id_number", "phone"}:
            # Text, so Excel keeps all 18 digits instead of turning them into 4.10105E+17.
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=index).number_format = "@"
        if column.labels:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.labels) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.header,
                error=f"请从下拉列表中选择：{'、'.join(column.labels)}",
            )
        elif column.field == "org" and org_names:
            # Names from the list; a code or a full path is accepted too, so typing something else is allowed.
            validation = DataValidation(type="list", formula1="=党组织", allow_blank=True, showErrorMessage=False)
        elif column.kind == "date":
            validation = DataValidation(
                allow_blank=True, showInputMessage=True, promptTitle=column.header, prompt="如 2020-07-01"
            )
        else:
            continue
        validation.add(cells)
        sheet.add_data_validation(validation)

    guide = workbook.create_sheet("填写说明")
    for line in INSTRUCTIONS:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append([])
    guide.append(["列名", "是否必填", "说明", "也可写作"])
    for cell in guide[guide.max_row]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for column in TEMPLATE_COLUMNS:
        guide.append([column.header, _is_required(column), column.help, "、".join(column.aliases)])
    for letter, width in zip("ABCD", (18, 22, 70, 50), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=len(INSTRUCTIONS) + 3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the member list ------------------------------------------------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "gender": dict(Gender.choices),
    "status": dict(MemberStatus.choices),
    "category": dict(MemberCategory.choices),
    "leadership_level": dict(LeadershipLevel.choices),
    "roll_state": dict(RollState.choices),
}
EXPORT_HEADERS: tuple[str, ...] = (
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "年龄",
    "身份证号",
    "手机号",
    "所在党组织",
    "入党日期",
    "转正日期",
    "党龄",
    "党员状态",
    "人员类别",
    "职务/岗位",
    "干部层级",
    "在册状态",
    *CONDITION_FIELDS.values(),
)


@dataclass
class ExportFile:
    handle: IO[bytes]  # positioned at the start; closing it removes the temporary file
    filename: str
    rows: int


def _anchor_org(actor: Any, filters: MemberFilter) -> Organisation | None:
    """Where the export belongs in the audit log: the filtered organisation, else the top of the actor's scope."""
    scope = scope_of(actor)
    if filters.org_id:
        org = Organisation.objects.filter(scope.org_q(EXPORT), pk=filters.org_id).first()
        if org is not None:
            return org
    paths = scope.paths_for(EXPORT)
    if paths:
        return Organisation.objects.filter(path=paths[0]).first()
    return Organisation.objects.filter(depth=1).order_by("path").first()


def _filters_for_log(filters: MemberFilter) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, dt.date) else v) for k, v in dataclasses.asdict(filters).items() if v}


def export_members(
    *, actor: Any, filters: MemberFilter | None = None, unmasked: bool = False, as_of: dt.date | None = None
) -> ExportFile:
    """The scoped, filtered member list as .xlsx (ID and phone masked unless `unmasked`); the export is audited."""
    scope = scope_of(actor)
    if not scope.allows_anywhere(EXPORT):
        raise PermissionDenied(_("无权导出党员名册 / not allowed to export the roster"))
    filters = filters or MemberFilter()
    today = as_of or business_today()
    members = member_list(user=actor, filters=filters, action=EXPORT).order_by("org__path", "name", "id")
    if unmasked and not scope.is_superuser and members.exclude(scope.org_q(VIEW_SENSITIVE, prefix="org__")).exists():
        raise PermissionDenied(_("无权导出完整身份证号和手机号 / not allowed to export unmasked identifiers"))

    id_field, phone_field = ("id_number", "phone") if unmasked else ("id_number_masked", "phone_masked")
    columns = (
        "pk",
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        id_field,
        phone_field,
        "org__name",
        "joined_on",
        "full_member_on",
        "status",
        "category",
        "position",
        "leadership_level",
        "roll_state",
        *CONDITION_FIELDS,
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("党员名册")
    for index, header in enumerate(EXPORT_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(header)
    sheet.freeze_panes = "B2"
    sheet.append([_header_cell(sheet, header) for header in EXPORT_HEADERS])
    labels = _LABELS
    exported_ids: list[int] = []
    for row in members.values_list(*columns).iterator(chunk_size=2000):
        values = dict(zip(columns, row, strict=True))
        exported_ids.append(values["pk"])
        party_age_since = values["full_member_on"] or values["joined_on"]
        sheet.append(
            [
                values["name"],
                labels["gender"].get(values["gender"], values["gender"]),
                values["ethnicity"],
                values["birth_date"],
                whole_years(values["birth_date"], today),
                values[id_field],
                values[phone_field],
                values["org__name"],
                values["joined_on"],
                values["full_member_on"],
                max(whole_years(party_age_since, today) or 0, 0),
                labels["status"].get(values["status"], values["status"]),
                labels["category"].get(values["category"], values["category"]),
                values["position"],
                labels["leadership_level"].get(values["leadership_level"], values["leadership_level"]),
                labels["roll_state"].get(values["roll_state"], values["roll_state"]),
                *("是" if values[name] else "否" for name in CONDITION_FIELDS),
            ]
        )
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_HEADERS))}{len(exported_ids) + 1}"
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes (and so removes) it
    workbook.save(handle)
    handle.seek(0)

    changes: dict[str, Any] = {"filters": _filters_for_log(filters), "rows": len(exported_ids), "unmasked": unmasked}
    if unmasked:
        changes["members"] = exported_ids  # who had their full ID number and phone read
    anchor = _anchor_org(actor, filters)
    with transaction.atomic():
        record_change(
            actor=actor,
            action=AuditEntry.Action.EXPORT,
            obj=anchor if anchor is not None else actor,
            event="member.export",
            changes=changes,
            org=anchor,
        )
    return ExportFile(handle=handle, filename=f"党员名册_{today:%Y%m%d}.xlsx", rows=len(exported_ids))


def _header_cell(sheet: Any, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    return cell


# --- an import's errors ---------------------------------------------------------------------------------------


def build_error_report(errors: Iterable[RowError], *, total: int | None = None) -> bytes:
    """The error table of a failed import, so an office can work through it beside the roster."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("导入错误")
    for letter, width in zip("ABC", (10, 18, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([_header_cell(sheet, h) for h in ("行号", "列", "错误原因")])
    count = 0
    for error in errors:
        sheet.append([error.row if error.row is not None else "文件", error.column or "整行", error.message])
        count += 1
    if total is not None and total > count:
        sheet.append(["", "", f"另有 {total - count} 处错误未列出，请修改以上问题后重新上传"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
