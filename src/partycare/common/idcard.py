"""Resident identity card numbers (GB 11643-1999): checksum, embedded birth date and gender."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class InvalidIdNumber(ValueError):
    pass


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: dt.date
    gender: str  # "male" / "female"


def check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_id_number(raw: str) -> IdNumber:
    value = (raw or "").strip().upper()
    if not _SHAPE.match(value):
        raise InvalidIdNumber("身份证号应为18位：17位数字加1位校验码（数字或X）")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("身份证号中的出生日期无效") from exc
    if check_char(value[:17]) != value[17]:
        raise InvalidIdNumber("身份证号校验码不正确")
    return IdNumber(value=value, birth_date=birth, gender="male" if int(value[16]) % 2 else "female")


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """Builds a checksum-valid number (demo data and tests). sequence parity gives the gender (odd = male)."""
    first17 = f"{region[:6]:0<6}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_char(first17)
