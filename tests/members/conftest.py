from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from partycare.common.idcard import make_id_number
from partycare.members.roster import TEMPLATE_COLUMNS

TEMPLATE_HEADERS = [c.header for c in TEMPLATE_COLUMNS]


def xlsx(headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, above: Iterable[Sequence[Any]] = ()) -> bytes:
    """A workbook built the way an office would: optional title rows, then the header, then one row per member."""
    workbook = Workbook()
    sheet = workbook.active
    for row in above:
        sheet.append(list(row))
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_rows = itertools.count(1)


def roster_member_data(**overrides: Any) -> dict[str, Any]:
    """Valid member fields with a counter of their own: tests.factories' shared counter moves birth dates forward
    with every call, and hundreds of roster rows would push other tests' members past their events."""
    n = next(_rows)
    gender = overrides.pop("gender", "male" if n % 2 else "female")
    born = overrides.pop("birth_date", dt.date(1950, 1, 1) + dt.timedelta(days=(n * 37) % 14600))
    data = {
        "name": f"导入{n}",
        "gender": gender,
        "birth_date": born,
        "id_number": make_id_number("330106", born, 2 * (n % 400) + (1 if gender == "male" else 0)),
        "phone": f"139{n:08d}",
        "joined_on": dt.date(born.year + 25, 7, 1),
        "full_member_on": dt.date(born.year + 26, 7, 1),
        "status": "full",
        "category": "staff",
    }
    data.update(overrides)
    return data


def template_row(org_name: str, **overrides: Any) -> list[Any]:
    """One row in the template's column order, from valid member data."""
    data = roster_member_data(**overrides)
    labels = {"male": "男", "female": "女", "full": "正式党员", "probationary": "预备党员", "staff": "在职教职工"}
    values: dict[str, Any] = {
        "姓名": data["name"],
        "性别": labels[data["gender"]],
        "民族": "汉族",
        "出生日期": data["birth_date"],
        "身份证号": data["id_number"],
        "手机号": data["phone"],
        "所在党组织": org_name,
        "入党日期": data["joined_on"],
        "转正日期": data["full_member_on"],
        "党员状态": labels[data["status"]],
        "人员类别": labels.get(data["category"], data["category"]),
        "职务/岗位": "",
        "干部层级": "无",
        "在册状态": "在册",
    }
    return [values.get(header, "否") for header in TEMPLATE_HEADERS]


def roster_file(org_name: str, count: int, **overrides: Any) -> bytes:
    return xlsx(TEMPLATE_HEADERS, [template_row(org_name, **overrides) for _ in range(count)])


def birth(n: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=97 * n)
