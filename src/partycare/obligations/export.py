"""The supervision table (落实率) as .xlsx: the organisation and each child, by kind, and the overdue items."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from partycare.obligations.models import ObligationKind
from partycare.obligations.selectors import ComplianceRow, compliance, overdue_items
from partycare.obligations.services import record_compliance_export
from partycare.orgs.models import Organisation

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B71C1C")
TOTAL_FONT = Font(bold=True)
RATE_FORMAT = "0.0%"
KIND_NAMES = dict(ObligationKind.choices)

RATE_HEADERS = ("组织", "类别", "应完成", "按时完成", "逾期完成", "逾期未完成", "落实率")
OVERDUE_HEADERS = ("责任组织", "类别", "事项", "对象", "周期", "开始日期", "截止日期", "逾期天数", "依据")
RATE_WIDTHS = (30, 18, 10, 10, 10, 12, 10)
OVERDUE_WIDTHS = (28, 14, 40, 12, 22, 12, 12, 10, 40)


@dataclass
class ExportFile:
    handle: IO[bytes]  # positioned at the start; closing it removes the temporary file
    filename: str
    overdue_rows: int


def _cell(sheet: Any, value: Any, *, font: Font | None = None, fill: PatternFill | None = None, fmt: str = "") -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if fmt:
        cell.number_format = fmt
    return cell


def _header(sheet: Any, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, h, font=HEADER_FONT, fill=HEADER_FILL) for h in headers])


def _rate_line(sheet: Any, label: str, kind: str, counts: dict[str, int], *, bold: bool = False) -> list[Any]:
    due = counts["due"]
    font = TOTAL_FONT if bold else None
    # No rate when nothing was due: an empty cell, never a fake 100%.
    rate = _cell(sheet, counts["on_time"] / due if due else None, font=font, fmt=RATE_FORMAT)
    values = (label, kind, due, counts["on_time"], counts["late"], counts["overdue"])
    return [*(_cell(sheet, v, font=font) for v in values), rate]


def _counts(row: ComplianceRow) -> dict[str, int]:
    return {"due": row.due, "on_time": row.on_time, "late": row.late, "overdue": row.overdue}


def build_compliance_export(*, actor: Any, org: Organisation, as_of: dt.date, kind: str = "") -> ExportFile:
    """The same numbers as the supervision page (`selectors.compliance`), then every overdue item; audited."""
    total, rows = compliance(org=org, as_of=as_of, kind=kind)
    workbook = Workbook(write_only=True)

    rates = workbook.create_sheet("落实率")
    _header(rates, RATE_HEADERS, RATE_WIDTHS)
    all_kinds = KIND_NAMES.get(kind, "全部") if kind else "全部"
    rates.append(_rate_line(rates, f"{total.label}（合计）", all_kinds, _counts(total), bold=True))
    for row in rows:
        rates.append(_rate_line(rates, row.label, all_kinds, _counts(row)))
    rates.append([])
    rates.append([_cell(rates, "按类别", font=TOTAL_FONT)])
    for kind_value, counts in sorted(total.by_kind.items()):
        rates.append(_rate_line(rates, total.label, KIND_NAMES.get(kind_value, kind_value), counts))
    rates.append([])
    rates.append(
        [_cell(rates, f"统计截至 {as_of:%Y-%m-%d}；落实率 = 按时完成 ÷ 应完成（不含已免除）；无应完成事项时不计算。")]
    )

    overdue = workbook.create_sheet("逾期事项")
    _header(overdue, OVERDUE_HEADERS, OVERDUE_WIDTHS)
    count = 0
    for item in overdue_items(org=org, as_of=as_of, kind=kind).iterator(chunk_size=2000):
        overdue.append(
            [
                item.responsible_org.name,
                KIND_NAMES.get(item.kind, item.kind),
                item.rule_label,
                item.subject_member.name if item.subject_member else "",
                item.period_label,
                _cell(overdue, item.window_start, fmt="yyyy-mm-dd"),
                _cell(overdue, item.due_on, fmt="yyyy-mm-dd"),
                (as_of - item.due_on).days,
                item.source,
            ]
        )
        count += 1

    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes (and so removes) it
    workbook.save(handle)
    handle.seek(0)
    record_compliance_export(actor=actor, org=org, as_of=as_of, kind=kind, rows=count)
    return ExportFile(handle=handle, filename=f"落实率_{org.name}_{as_of:%Y%m%d}.xlsx", overdue_rows=count)
