"""Roster import from .xlsx: header aliases, cell parsing, row validation, and an all-or-nothing bulk write.

Flow: read the sheet (python-calamine) → find the header row and map its columns → validate every row through
`members.services.build_member` (reporting progress on the job as it goes, outside any transaction, so the page can
show it) → check ID numbers against each other and against the registry set-wise → if anything is wrong, write
nothing and return the errors; otherwise insert all members, one audit row each and one summary row in a single
transaction with batched INSERTs.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from partycare.accounts.scope import IMPORT, scope_of
from partycare.audit.models import AuditEntry
from partycare.audit.services import record_change, snapshot
from partycare.common import crypto
from partycare.common.dates import add_years, business_today
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.common.idcard import IdNumber, InvalidIdNumber, parse_id_number
from partycare.members.models import (
    CONDITION_FIELDS,
    Gender,
    ImportJob,
    ImportJobStatus,
    LeadershipLevel,
    Member,
    MemberCategory,
    MemberStatus,
    RollState,
)
from partycare.members.services import PLAIN_FIELDS, build_member
from partycare.orgs.models import Organisation, OrgKind, OrgStatus

BATCH_SIZE = 500
# Error lists are shown in a page and stored on the job; past this many the rest are only counted.
MAX_REPORTED_ERRORS = 1000
HEADER_SEARCH_ROWS = 10
# Progress is written at most this many times per import, so a large file costs a bounded number of updates.
PROGRESS_UPDATES = 40
IMPORT_ORG_KINDS = {OrgKind.BRANCH, OrgKind.GROUP}


# --- columns --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str  # Member field, or "org"
    header: str  # the template's header
    kind: str  # text | date | choice | bool | id_number | phone | org
    help: str = ""
    aliases: tuple[str, ...] = ()
    choices: Mapping[str, str] | None = None  # accepted spelling → stored value
    labels: tuple[str, ...] = ()  # what the template's drop-down offers
    in_template: bool = True


def _choice_map(choices: Iterable[tuple[str, str]], extra: Mapping[str, str]) -> dict[str, str]:
    mapping = {}
    for value, label in choices:
        mapping[value] = value
        mapping[label] = value
    mapping.update(extra)
    return mapping


_CONDITION_ALIASES: dict[str, tuple[str, ...]] = {
    "lives_alone": ("独居老人",),
    "in_difficulty": ("困难党员",),
    "has_pension": ("养老金",),
    "has_fixed_income": ("有固定工资", "固定工资"),
    "receives_dibao": ("低保",),
    "unemployed": ("下岗", "失业"),
}
_TRUE_WORDS = ("是", "√", "✓", "✔", "1", "y", "yes", "true", "t", "有", "对")
_FALSE_WORDS = ("否", "×", "✗", "✘", "x", "0", "n", "no", "false", "f", "无", "不是", "")

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "text", "必填。", ("名字", "党员姓名")),
    Column(
        "gender",
        "性别",
        "choice",
        "男/女。留空时按身份证号判断。",
        ("性别男女",),
        _choice_map(Gender.choices, {"男性": "male", "女性": "female", "m": "male", "f": "female"}),
        ("男", "女"),
    ),
    Column("ethnicity", "民族", "text", "如：汉族。留空按汉族。", ("族别",)),
    Column(
        "birth_date",
        "出生日期",
        "date",
        "如 1980-05-01。只填年月（如 1980.05）时以身份证号中的日期为准。有身份证号时可留空。",
        ("出生年月", "出生年月日", "出生时间", "生日"),
    ),
    Column(
        "id_number",
        "身份证号",
        "id_number",
        "18位，末位可为X；请将该列设为“文本”格式，否则 Excel 会丢失末几位。",
        ("身份证", "身份证号码", "公民身份号码", "公民身份证号", "公民身份证号码", "身份证件号码", "证件号码"),
    ),
    Column(
        "phone",
        "手机号",
        "phone",
        "手机或固定电话。",
        ("手机", "手机号码", "联系电话", "电话", "电话号码", "联系方式", "移动电话"),
    ),
    Column(
        "org",
        "所在党组织",
        "org",
        "党支部（或党小组）的名称、简称、组织编码，或完整路径（如 某党委/某党总支/某党支部）。须在您的管理范围内。",
        (
            "党组织",
            "所属党组织",
            "支部",
            "所在支部",
            "所属支部",
            "党支部",
            "所在党支部",
            "所属党支部",
            "党组织名称",
            "支部名称",
            "所在组织",
            "组织编码",
        ),
    ),
    Column(
        "joined_on",
        "入党日期",
        "date",
        "必填，须为完整日期（年月日），如 2005-07-01。",
        ("入党时间", "入党年月", "入党年月日"),
    ),
    Column(
        "full_member_on",
        "转正日期",
        "date",
        "完整日期；预备党员留空。",
        ("转正时间", "转正年月", "转正年月日"),
    ),
    Column(
        "status",
        "党员状态",
        "choice",
        "正式党员/预备党员。留空时：有转正日期或入党已满一年为正式党员，否则为预备党员。",
        ("党员类型", "党员身份", "党籍状态"),
        _choice_map(MemberStatus.choices, {"正式": "full", "预备": "probationary"}),
        tuple(label for _, label in MemberStatus.choices),
    ),
    Column(
        "category",
        "人员类别",
        "choice",
        "必填。在职教职工/学生/离退休/其他。",
        ("类别", "身份", "人员身份", "人员类型", "党员类别"),
        _choice_map(
            MemberCategory.choices,
            {
                "在职": "staff",
                "教职工": "staff",
                "在职教工": "staff",
                "教工": "staff",
                "教师": "staff",
                "职工": "staff",
                "在职人员": "staff",
                "本科生": "student",
                "研究生": "student",
                "硕士研究生": "student",
                "博士研究生": "student",
                "离休": "retired",
                "退休": "retired",
                "离退休人员": "retired",
                "退休教职工": "retired",
            },
        ),
        tuple(label for _, label in MemberCategory.choices),
    ),
    Column("position", "职务/岗位", "text", "", ("职务", "岗位", "工作岗位", "现任职务", "职务岗位")),
    Column(
        "leadership_level",
        "干部层级",
        "choice",
        "无/中层干部/校级领导。留空为“无”。",
        ("干部级别", "领导层级", "干部类别"),
        _choice_map(
            LeadershipLevel.choices,
            {"中层": "middle", "处级": "middle", "处级干部": "middle", "校领导": "school", "校级": "school"},
        ),
        tuple(label for _, label in LeadershipLevel.choices),
    ),
    Column(
        "roll_state",
        "在册状态",
        "choice",
        "在册/已转出/已去世。留空为“在册”。",
        ("在册情况", "党籍"),
        _choice_map(
            RollState.choices,
            {"正常": "active", "转出": "transferred_out", "去世": "deceased", "死亡": "deceased", "逝世": "deceased"},
        ),
        tuple(label for _, label in RollState.choices),
    ),
    *(
        Column(name, label, "bool", "是/否，留空为“否”。", _CONDITION_ALIASES.get(name, ()), labels=("是", "否"))
        for name, label in CONDITION_FIELDS.items()
    ),
    Column("deceased_on", "去世日期", "date", "", ("去世时间", "逝世日期"), in_template=False),
    Column("died_on_duty", "因公殉职/牺牲", "bool", "", ("因公殉职", "因公牺牲"), in_template=False),
    Column("note", "备注", "text", "", ("说明",), in_template=False),
)
TEMPLATE_COLUMNS: tuple[Column, ...] = tuple(c for c in COLUMNS if c.in_template)
COLUMN_BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS}
# Without these (or what stands in for them) no row could be valid, so their absence is a file-level error.
REQUIRED_FIELDS = ("name", "joined_on", "category")


def normalise_header(text: Any) -> str:
    """ "出生 年月（必填）", "是否独居", "有固定工资（补贴）" → comparable keys: no spaces, punctuation or markers."""
    key = unicodedata.normalize("NFKC", str(text or "")).lower()
    key = re.sub(r"[\W_]+", "", key)
    for marker in ("必填", "选填", "可选"):
        key = key.removesuffix(marker)
    return key


def _build_header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for spelling in (column.header, *column.aliases):
            index[normalise_header(spelling)] = column.field
    return index


_HEADER_INDEX = _build_header_index()


def field_for_header(text: Any) -> str | None:
    key = normalise_header(text)
    if not key:
        return None
    found = _HEADER_INDEX.get(key)
    if found is None and key.startswith("是否"):
        found = _HEADER_INDEX.get(key.removeprefix("是否"))
    return found


# --- cell parsing ---------------------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u200b", "").replace("\ufeff", "").strip()


def _normalised(value: Any) -> str:
    return unicodedata.normalize("NFKC", _text(value)).strip()


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_FULL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT_YEAR_MONTH = re.compile(r"^(\d{4})(\d{2})$")


@dataclass(frozen=True)
class ParsedDate:
    value: dt.date
    exact: bool  # False: only year and month were given


def _make_date(year: str | int, month: str | int, day: str | int) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise CellError(_("日期不存在")) from exc


def parse_date(value: Any) -> ParsedDate | None:
    """Excel date cells, 2020-07-01, 2020/7/1, 2020.7.1, 20200701, 2020年7月1日; 1980.05 / 198005 / 1980年5月."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return ParsedDate(value.date(), True)
    if isinstance(value, dt.date):
        return ParsedDate(value, True)
    if isinstance(value, bool):
        raise CellError(_("无法识别的日期"))
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            if 1900 < value < 2200:
                # A year.month typed into a number cell: Excel drops the trailing zero of 1980.10.
                year, month = f"{value:.2f}".split(".")
                return ParsedDate(_make_date(year, month, 1), False)
            raise CellError(_("无法识别的日期"))
        number = int(value)
        if 19000101 <= number <= 22001231:
            return parse_date(str(number))
        if 190001 <= number <= 220012:
            return parse_date(str(number))
        if 1 <= number < 100000:  # an Excel serial number in a cell not formatted as a date
            return ParsedDate(_EXCEL_EPOCH + dt.timedelta(days=number), True)
        raise CellError(_("无法识别的日期"))
    text = _normalised(value)
    text = re.sub(r"[\sT]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", text)  # "2020-07-01 00:00:00"
    if not text:
        return None
    for pattern in (_FULL_DATE, _COMPACT_DATE):
        match = pattern.match(text)
        if match:
            return ParsedDate(_make_date(*match.groups()), True)
    for pattern in (_YEAR_MONTH, _COMPACT_YEAR_MONTH):
        match = pattern.match(text)
        if match:
            return ParsedDate(_make_date(match.group(1), match.group(2), 1), False)
    raise CellError(_("无法识别的日期“%(value)s”，请写成如 2020-07-01") % {"value": _text(value)})


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _normalised(value).lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise CellError(_("应填“是”或“否”，而不是“%(value)s”") % {"value": _text(value)})


def parse_choice(value: Any, column: Column) -> str:
    text = _normalised(value)
    if not text:
        return ""
    found = (column.choices or {}).get(text) or (column.choices or {}).get(text.lower())
    if found is None:
        allowed = "、".join(column.labels)
        raise CellError(_("“%(value)s”不是可选值（可选：%(allowed)s）") % {"value": _text(value), "allowed": allowed})
    return found


def parse_id_cell(value: Any) -> IdNumber | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(_("身份证号被 Excel 存成了数字，末几位已丢失；请将该列设为“文本”格式后重新填写"))
    text = re.sub(r"\s+", "", _normalised(value))
    if not text:
        return None
    try:
        return parse_id_number(text)
    except InvalidIdNumber as exc:
        raise CellError(str(exc)) from exc


_PHONE = re.compile(r"^\+?\d{5,20}$")


def parse_phone(value: Any) -> str:
    text = re.sub(r"[\s\-()]", "", _normalised(value))
    if text and not _PHONE.match(text):
        raise CellError(_("电话号码格式不正确"))
    return text


# --- reading the sheet ----------------------------------------------------------------------------------------


@dataclass
class RosterSheet:
    header_row: int  # Excel row number
    columns: dict[str, tuple[int, str]]  # field → (column index, header as written in the file)
    ignored_columns: list[str]
    rows: list[tuple[int, list[Any]]]  # (Excel row number, cells) for every non-empty data row

    def header_of(self, field_name: str) -> str:
        if field_name in self.columns:
            return self.columns[field_name][1]
        column = COLUMN_BY_FIELD.get(field_name)
        if column is not None:
            return column.header
        try:
            return str(getattr(Member._meta.get_field(field_name), "verbose_name", field_name))
        except FieldDoesNotExist:
            return field_name


class RosterFileError(ServiceError):
    """The file as a whole cannot be imported (unreadable, no header, required columns missing)."""


def _open_workbook(file: Any) -> CalamineWorkbook:
    try:
        if isinstance(file, bytes | bytearray):
            return CalamineWorkbook.from_filelike(io.BytesIO(file))
        if isinstance(file, str | os.PathLike):
            return CalamineWorkbook.from_path(os.fspath(file))
        if hasattr(file, "seek"):
            file.seek(0)
        return CalamineWorkbook.from_filelike(file)
    except Exception as exc:  # calamine raises its own error types for every unreadable input
        raise RosterFileError(_("无法读取该文件，请上传 Excel 工作簿（.xlsx）")) from exc


def _fill_merged(grid: list[list[Any]], merged: list[tuple[tuple[int, int], tuple[int, int]]] | None) -> None:
    """Offices merge cells down a column ("所在支部" once per branch); every row of the block gets the value."""
    for (top, left), (bottom, right) in merged or []:
        if top >= len(grid) or left >= len(grid[top]):
            continue
        value = grid[top][left]
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(left, min(right, len(row) - 1) + 1):
                row[c] = value


def _find_header(grid: list[list[Any]]) -> int | None:
    """The first row (title rows above it are skipped) that names a member and at least two more known columns."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        fields = {field_for_header(cell) for cell in row} - {None}
        if "name" in fields and len(fields) >= 3:
            return index
    return None


def read_roster(file: Any, *, org_column_required: bool = True) -> RosterSheet:
    workbook = _open_workbook(file)
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            grid = [list(row) for row in sheet.to_python(skip_empty_area=False)]
            header_index = _find_header(grid)
            if header_index is None:
                continue
            _fill_merged(grid, sheet.merged_cell_ranges)
            return _map_sheet(grid, header_index, org_column_required=org_column_required)
    finally:
        workbook.close()
    raise RosterFileError(
        _("未找到表头：请在第一行填写列名（如 姓名、性别、出生日期、身份证号、所在党组织、入党日期、人员类别）")
    )


def _map_sheet(grid: list[list[Any]], header_index: int, *, org_column_required: bool) -> RosterSheet:
    columns: dict[str, tuple[int, str]] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for index, cell in enumerate(grid[header_index]):
        header = _text(cell)
        if not header:
            continue
        field_name = field_for_header(header)
        if field_name is None:
            ignored.append(header)
        elif field_name in columns:
            problems.append(
                _("“%(a)s”与“%(b)s”两列含义相同，请只保留一列") % {"a": columns[field_name][1], "b": header}
            )
        else:
            columns[field_name] = (index, header)
    missing = [COLUMN_BY_FIELD[f].header for f in REQUIRED_FIELDS if f not in columns]
    if "birth_date" not in columns and "id_number" not in columns:
        missing.append(_("出生日期（或身份证号）"))
    if org_column_required and "org" not in columns:
        missing.append(_("所在党组织（或在上传时选择导入范围）"))
    if missing:
        problems.append(_("缺少必需的列：%(columns)s") % {"columns": "、".join(missing)})
    if problems:
        raise RosterFileError("；".join(problems), fields={"file": problems})
    # A row is empty when every recognised column is: pre-numbered 序号 rows below the data are not members.
    positions = [index for index, _header in columns.values()]
    rows = [
        (number, row)
        for number, row in enumerate(grid[header_index + 1 :], start=header_index + 2)
        if any(_text(row[i]) for i in positions if i < len(row))
    ]
    return RosterSheet(header_row=header_index + 1, columns=columns, ignored_columns=ignored, rows=rows)


# --- organisations --------------------------------------------------------------------------------------------

_PATH_SEPARATORS = re.compile(r"\s*[/\\>|→]+\s*")


def _org_key(text: str) -> str:
    normalised = unicodedata.normalize("NFKC", text).strip().lower()
    parts = [re.sub(r"\s+", "", part) for part in _PATH_SEPARATORS.split(normalised)]
    return "/".join(part for part in parts if part)


class OrgDirectory:
    """The organisations a user may import into, found by name, short name, code or (partial) path of names.

    Organisations outside the importer's scope are not in it at all, so "unknown" and "not yours" read the same.
    """

    def __init__(self, *, actor: Any, within: Organisation | None = None) -> None:
        scope = scope_of(actor)
        candidates = list(Organisation.objects.filter(scope.org_q(IMPORT)).order_by("path"))
        steplen = Organisation.steplen
        ancestor_paths = {org.path[:end] for org in candidates for end in range(steplen, len(org.path), steplen)}
        known = {org.path: org for org in candidates}
        missing = ancestor_paths - set(known)
        if missing:
            known.update({org.path: org for org in Organisation.objects.filter(path__in=missing)})
        self.by_path = known
        self.within = within
        self._by_key: dict[str, set[int]] = {}
        self._by_code: dict[str, Organisation] = {}
        self._orgs = {org.pk: org for org in candidates}
        for org in candidates:
            if org.code:
                self._by_code[org.code.strip().lower()] = org
            names = [known[org.path[:end]].name for end in range(steplen, len(org.path) + 1, steplen)]
            keys = {_org_key(org.name)} | ({_org_key(org.short_name)} if org.short_name else set())
            keys |= {_org_key("/".join(names[start:])) for start in range(len(names))}
            for key in keys:
                self._by_key.setdefault(key, set()).add(org.pk)

    def resolve(self, text: str) -> Organisation:
        key = _org_key(text)
        org = self._by_code.get(text.strip().lower())
        if org is None:
            matches = self._by_key.get(key, set())
            if len(matches) > 1:  # a dissolved branch may share its name with today's one
                matches = {pk for pk in matches if self._orgs[pk].status == OrgStatus.ACTIVE} or matches
            if len(matches) > 1:
                raise CellError(
                    _("“%(name)s”对应多个党组织，请填写组织编码或完整路径（如 党委/党总支/党支部）") % {"name": text}
                )
            if not matches:
                raise CellError(_("未找到党组织“%(name)s”，或该组织不在您的管理范围内") % {"name": text})
            org = self._orgs[next(iter(matches))]
        if self.within is not None and not org.path.startswith(self.within.path):
            raise CellError(
                _("“%(name)s”不在本次导入范围“%(scope)s”内") % {"name": org.name, "scope": self.within.name}
            )
        if org.status == OrgStatus.DISSOLVED:
            raise CellError(_("党组织“%(name)s”已撤销") % {"name": org.name})
        return org

    def common_ancestor(self, orgs: Iterable[Organisation]) -> Organisation | None:
        paths = {org.path for org in orgs}
        if not paths:
            return self.within
        step = Organisation.steplen
        shortest = min(paths, key=len)
        depth = 0
        while (depth + 1) * step <= len(shortest) and len({p[: (depth + 1) * step] for p in paths}) == 1:
            depth += 1
        return self.by_path.get(shortest[: depth * step])


# --- validation -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int | None  # Excel row number (header = 1); None for a problem with the file as a whole
    column: str  # the header as written in the file; "" for the whole row / file
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RowError:
        return cls(row=data.get("row"), column=str(data.get("column") or ""), message=str(data.get("message") or ""))


@dataclass
class ImportResult:
    total_rows: int = 0
    valid_rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0  # may exceed len(errors): only the first MAX_REPORTED_ERRORS are kept
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    job: ImportJob | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0


class _ErrorList:
    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.count = 0

    def add(self, row: int | None, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append(RowError(row, column, message))


@dataclass
class _ValidRow:
    number: int
    member: Member


class _RowValidator:
    def __init__(self, sheet: RosterSheet, directory: OrgDirectory, *, today: dt.date) -> None:
        self.sheet = sheet
        self.directory = directory
        self.today = today
        # Stands in for an unresolved organisation so the rest of the row is still checked and reported.
        self.placeholder_org = Organisation(kind=OrgKind.BRANCH, name="")

    def cell(self, cells: list[Any], field_name: str) -> Any:
        position = self.sheet.columns.get(field_name)
        return cells[position[0]] if position is not None and position[0] < len(cells) else None

    def validate(self, cells: list[Any]) -> tuple[Member | None, dict[str, str], str]:
        """The validated (unsaved) member or the problems as {field: message}, and the row's ID-number index (for
        duplicate checks, even when something else on the row is wrong)."""
        problems: dict[str, str] = {}
        data: dict[str, Any] = {}
        parsed_dates: dict[str, ParsedDate | None] = {}

        for field_name in self.sheet.columns:
            column = COLUMN_BY_FIELD[field_name]
            raw = self.cell(cells, field_name)
            try:
                if column.kind == "text":
                    data[field_name] = _text(raw)
                elif column.kind == "date":
                    parsed_dates[field_name] = parse_date(raw)
                elif column.kind == "bool":
                    data[field_name] = parse_bool(raw)
                elif column.kind == "choice":
                    value = parse_choice(raw, column)
                    if value:
                        data[field_name] = value
                elif column.kind == "phone":
                    data["phone"] = parse_phone(raw)
            except CellError as exc:
                problems[field_name] = str(exc)
        if data.get("ethnicity") == "":
            del data["ethnicity"]

        org = self._org(cells, problems)
        id_number = self._id_number(cells, problems)
        id_index = crypto.blind_index(id_number.value) if id_number is not None else ""
        self._dates(parsed_dates, id_number, data, problems)
        self._derived(id_number, data, problems)

        for field_name in ("name", "gender", "birth_date", "joined_on", "category"):
            if field_name not in problems and not data.get(field_name):
                problems[field_name] = _("必填，不能为空")

        try:
            member = build_member(org=org or self.placeholder_org, data=data, database_checks=False)
        except ServiceError as exc:
            for field_name, messages in (exc.fields or {"": [exc.message]}).items():
                target = self._blame(field_name, id_number)
                if target in problems:
                    continue  # already reported from the cell itself
                message = exc.message if field_name == "org" else "；".join(messages)
                problems[target] = message
            return None, problems, id_index
        if problems or org is None:
            return None, problems, id_index
        return member, problems, id_index

    def _org(self, cells: list[Any], problems: dict[str, str]) -> Organisation | None:
        text = _text(self.cell(cells, "org"))
        if not text:
            if self.directory.within is not None:
                return self.directory.within
            problems["org"] = _("必填，不能为空")
            return None
        try:
            return self.directory.resolve(text)
        except CellError as exc:
            problems["org"] = str(exc)
            return None

    def _id_number(self, cells: list[Any], problems: dict[str, str]) -> IdNumber | None:
        try:
            return parse_id_cell(self.cell(cells, "id_number"))
        except CellError as exc:
            problems["id_number"] = str(exc)
            return None

    def _dates(
        self,
        parsed: dict[str, ParsedDate | None],
        id_number: IdNumber | None,
        data: dict[str, Any],
        problems: dict[str, str],
    ) -> None:
        for field_name, value in parsed.items():
            if value is None or field_name in problems:
                continue
            if value.exact:
                data[field_name] = value.value
            elif field_name != "birth_date":
                problems[field_name] = _("请填写完整日期（年月日）")
            elif id_number is not None:
                # 出生年月 only gives the month; the ID number carries the exact day.
                if (id_number.birth_date.year, id_number.birth_date.month) != (value.value.year, value.value.month):
                    problems[field_name] = _("出生年月与身份证号不一致")
                data[field_name] = id_number.birth_date
            else:
                data[field_name] = value.value

    def _derived(self, id_number: IdNumber | None, data: dict[str, Any], problems: dict[str, str]) -> None:
        if id_number is not None:
            data["id_number"] = id_number.value
            if "birth_date" not in data and "birth_date" not in problems:
                data["birth_date"] = id_number.birth_date
            if "gender" not in data and "gender" not in problems:
                data["gender"] = id_number.gender
            elif data.get("gender") and data["gender"] != id_number.gender:
                problems["gender"] = _("性别与身份证号不一致")
        if data.get("deceased_on") and "roll_state" not in data and "roll_state" not in problems:
            data["roll_state"] = RollState.DECEASED
        if "status" not in data and "status" not in problems and data.get("joined_on"):
            # Rosters often lack the column; a member past the one-year probation without a recorded 转正日期 is
            # an old record, not a probationary member.
            within_probation = add_years(data["joined_on"], 1) > self.today
            full = data.get("full_member_on") or not within_probation
            data["status"] = MemberStatus.FULL if full else MemberStatus.PROBATIONARY

    def _blame(self, field_name: str, id_number: IdNumber | None) -> str:
        """Which column a model error belongs to: a birth date taken from the ID number is the ID column's fault."""
        if field_name == "birth_date" and "birth_date" not in self.sheet.columns and id_number is not None:
            return "id_number"
        if field_name in ("", "__all__"):
            return ""
        return field_name


def _existing_id_indexes(indexes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(indexes), BATCH_SIZE):
        chunk = indexes[start : start + BATCH_SIZE]
        found.update(Member.objects.filter(id_number_index__in=chunk).values_list("id_number_index", flat=True))
    return found


class _Progress:
    """Writes the job's counters with single UPDATEs outside the import transaction, so the page sees them."""

    def __init__(self, job: ImportJob | None, total: int) -> None:
        self.job = job
        self.total = total
        self.step = max(1, math.ceil(total / PROGRESS_UPDATES))
        if job is not None:
            self._update(total_rows=total, processed_rows=0)

    def advance(self, processed: int) -> None:
        if self.job is not None and (processed % self.step == 0 or processed == self.total):
            self._update(processed_rows=processed)

    def _update(self, **values: Any) -> None:
        assert self.job is not None
        ImportJob.objects.filter(pk=self.job.pk).update(**values)
        for name, value in values.items():
            setattr(self.job, name, value)


def _validate_all(
    sheet: RosterSheet, directory: OrgDirectory, progress: _Progress, errors: _ErrorList
) -> list[_ValidRow]:
    validator = _RowValidator(sheet, directory, today=business_today())
    first_row_of_id: dict[str, int] = {}
    problems_by_row: dict[int, dict[str, str]] = {}
    valid: dict[int, _ValidRow] = {}
    for position, (number, cells) in enumerate(sheet.rows, start=1):
        member, problems, id_index = validator.validate(cells)
        if id_index:
            first = first_row_of_id.setdefault(id_index, number)
            if first != number:
                problems["id_number"] = _("与第 %(row)s 行的身份证号重复") % {"row": first}
        if problems:
            problems_by_row[number] = problems
        elif member is not None:
            valid[number] = _ValidRow(number, member)
        progress.advance(position)

    registered = _existing_id_indexes(list(first_row_of_id))
    for id_index in registered:
        number = first_row_of_id[id_index]
        problems_by_row.setdefault(number, {}).setdefault("id_number", _("该身份证号已在系统中登记"))
        valid.pop(number, None)

    order = {field_name: index for field_name, (index, _header) in sheet.columns.items()}
    for number in sorted(problems_by_row):
        problems = problems_by_row[number]
        for field_name in sorted(problems, key=lambda f: order.get(f, -1)):
            errors.add(number, sheet.header_of(field_name) if field_name else "", problems[field_name])
    return list(valid.values())


# --- writing --------------------------------------------------------------------------------------------------


def _audit_entry(actor: Any, member: Member) -> AuditEntry:
    """The row `record_change` would write for `member.create`, built in memory so it can be bulk-inserted."""
    changes = snapshot(member, ("org", *PLAIN_FIELDS))
    changes.update({"id_number": member.id_number_masked, "phone": member.phone_masked})
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor.get_username() if actor is not None else "系统")[:150],
        action=AuditEntry.Action.CREATE,
        event="member.import",
        object_type=Member._meta.label_lower,
        object_id=str(member.pk),
        object_repr=str(member)[:200],
        org_path=member.org.path,
        changes=changes,
    )


def _write(
    *,
    actor: Any,
    rows: list[_ValidRow],
    directory: OrgDirectory,
    job: ImportJob | None,
    file_name: str,
    total_rows: int,
    started_at: dt.datetime,
) -> ImportJob:
    members = [row.member for row in rows]
    with transaction.atomic():
        # Someone may have registered one of these ID numbers since validation; the constraint would refuse the
        # insert anyway, but this names the row.
        clashes = _existing_id_indexes([m.id_number_index for m in members if m.id_number_index])
        if clashes:
            raise _LateDuplicates({row.number for row in rows if row.member.id_number_index in clashes})
        Member.objects.bulk_create(members, batch_size=BATCH_SIZE)
        AuditEntry.objects.bulk_create([_audit_entry(actor, m) for m in members], batch_size=BATCH_SIZE)
        now = timezone.now()
        finished = {
            "status": ImportJobStatus.SUCCEEDED,
            "total_rows": total_rows,
            "processed_rows": total_rows,
            "created_count": len(members),
            "error_count": 0,
            "errors": [],
            "finished_at": now,
        }
        if job is None:
            job = ImportJob.objects.create(
                created_by=actor if getattr(actor, "pk", None) else None,
                org=directory.within,
                file_name=file_name[:255],
                started_at=started_at,
                **finished,
            )
        else:
            ImportJob.objects.filter(pk=job.pk).update(**finished)
            for name, value in finished.items():
                setattr(job, name, value)
        per_org: dict[str, int] = {}
        for member in members:
            per_org[member.org.name] = per_org.get(member.org.name, 0) + 1
        record_change(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            obj=job,
            event="roster.import",
            changes={"file": file_name, "rows": total_rows, "created": len(members), "per_org": per_org},
            org=directory.common_ancestor(m.org for m in members),
        )
    return job


class _LateDuplicates(Exception):
    def __init__(self, rows: set[int]) -> None:
        super().__init__()
        self.rows = rows


def _fail(job: ImportJob | None, result: ImportResult) -> ImportResult:
    if job is not None:
        values = {
            "status": ImportJobStatus.FAILED,
            "errors": [e.as_dict() for e in result.errors],
            "error_count": result.error_count,
            "ignored_columns": result.ignored_columns,
            "total_rows": result.total_rows,
            "processed_rows": result.total_rows,
            "finished_at": timezone.now(),
        }
        ImportJob.objects.filter(pk=job.pk).update(**values)
        for name, value in values.items():
            setattr(job, name, value)
    return result


def _file_name_of(file: Any) -> str:
    if isinstance(file, str | os.PathLike):
        return Path(file).name
    return Path(str(getattr(file, "name", "") or "")).name


def import_roster(
    *,
    actor: Any,
    file: Any,
    dry_run: bool = False,
    org: Organisation | None = None,
    job: ImportJob | None = None,
    file_name: str = "",
) -> ImportResult:
    """Validates every row of a roster workbook and, only if all are good, creates all members at once.

    `file`: a path, bytes or a binary file object. `org` limits the import to that organisation's subtree and fills
    blank 所在党组织 cells. `job` receives progress and the outcome. Nothing is written when any row is bad or when
    `dry_run` is set; the result lists every problem as (Excel row, column header in the file, reason).
    """
    if dry_run and job is not None:
        raise ValueError("a dry run does not report to a job")
    scope = scope_of(actor)
    if not scope.allows_anywhere(IMPORT):
        raise PermissionDenied(_("无权导入党员名册 / not allowed to import rosters"))
    if org is not None and not scope.allows(IMPORT, org.path):
        raise PermissionDenied(_("无权向该组织导入党员 / not allowed to import into this organisation"))
    started_at = timezone.now()
    file_name = file_name or _file_name_of(file)
    result = ImportResult(dry_run=dry_run, job=job)

    try:
        sheet = read_roster(file, org_column_required=org is None)
    except RosterFileError as exc:
        for message in exc.fields.get("file") or [exc.message]:
            result.errors.append(RowError(None, "", message))
        result.error_count = len(result.errors)
        return _fail(job, result)

    result.total_rows = len(sheet.rows)
    result.ignored_columns = sheet.ignored_columns
    if job is not None:
        ImportJob.objects.filter(pk=job.pk).update(ignored_columns=sheet.ignored_columns)
    if not sheet.rows:
        result.errors.append(RowError(None, "", _("文件中没有党员数据（表头下方没有内容）")))
        result.error_count = 1
        return _fail(job, result)

    directory = OrgDirectory(actor=actor, within=org)
    errors = _ErrorList()
    valid = _validate_all(sheet, directory, _Progress(job, len(sheet.rows)), errors)
    result.valid_rows = len(valid)
    result.errors, result.error_count = errors.items, errors.count
    if errors.count:
        return _fail(job, result)
    if dry_run:
        return result

    try:
        result.job = _write(
            actor=actor,
            rows=valid,
            directory=directory,
            job=job,
            file_name=file_name,
            total_rows=result.total_rows,
            started_at=started_at,
        )
    except (_LateDuplicates, IntegrityError) as exc:
        late_rows = exc.rows if isinstance(exc, _LateDuplicates) else set()
        for number in sorted(late_rows):
            result.errors.append(RowError(number, sheet.header_of("id_number"), _("该身份证号已在系统中登记")))
        if not late_rows:
            result.errors.append(RowError(None, "", _("写入时与他人同时登记的数据冲突，未导入任何数据，请重试")))
        result.error_count = len(result.errors)
        return _fail(job, result)
    result.created = len(valid)
    return result


# --- jobs -----------------------------------------------------------------------------------------------------


def start_roster_import(*, actor: Any, upload: Any, org: Organisation | None = None) -> ImportJob:
    """Stores the upload as a pending job and hands it to the task worker; the job page shows its progress."""
    from partycare.members.tasks import run_roster_import

    scope = scope_of(actor)
    if not scope.allows_anywhere(IMPORT) or (org is not None and not scope.allows(IMPORT, org.path)):
        raise PermissionDenied(_("无权导入党员名册 / not allowed to import rosters"))
    name = _file_name_of(upload) or "roster.xlsx"
    job = ImportJob(created_by=actor, org=org, file_name=name[:255])
    job.file.save(name, upload, save=False)
    job.save()
    run_roster_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def run_import_job(job: ImportJob) -> ImportResult | None:
    """The worker's side: validate and import the job's file once, then delete the upload (it holds ID numbers)."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.PENDING).update(
        status=ImportJobStatus.VALIDATING, started_at=timezone.now()
    )
    if not claimed:
        return None  # already run (a retried task must not import twice)
    job.refresh_from_db()
    try:
        with job.file.open("rb") as handle:
            return import_roster(actor=job.created_by, file=handle, org=job.org, job=job, file_name=job.file_name)
    except ServiceError as exc:
        return _fail(job, ImportResult(errors=[RowError(None, "", exc.message)], error_count=1))
    except Exception:
        _fail(job, ImportResult(errors=[RowError(None, "", _("导入时发生系统错误，未导入任何数据"))], error_count=1))
        raise
    finally:
        if job.file:
            job.file.delete(save=False)
            ImportJob.objects.filter(pk=job.pk).update(file="")


def job_errors(job: ImportJob) -> list[RowError]:
    return [RowError.from_dict(item) for item in job.errors or []]


__all__ = [
    "COLUMNS",
    "TEMPLATE_COLUMNS",
    "ImportResult",
    "OrgDirectory",
    "RowError",
    "field_for_header",
    "import_roster",
    "normalise_header",
    "parse_bool",
    "parse_date",
    "read_roster",
    "run_import_job",
    "start_roster_import",
]
