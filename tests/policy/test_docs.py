"""docs/policy-packs.md documents every key of the schema and every allowed value."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from partycare.policy import schema
from partycare.policy.conditions import MEMBER_FIELDS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "policy-packs.md").read_text(encoding="utf-8")


def _models(tp: object, seen: set[type[BaseModel]]) -> None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in seen:
            return
        seen.add(tp)
        for field in tp.model_fields.values():
            _models(field.annotation, seen)
        return
    for arg in typing.get_args(tp):
        _models(arg, seen)


def all_keys() -> set[str]:
    seen: set[type[BaseModel]] = set()
    _models(schema.PolicyPack, seen)
    return {field.alias or name for model in seen for name, field in model.model_fields.items()}


def test_every_key_is_documented() -> None:
    missing = sorted(k for k in all_keys() if not re.search(rf"\b{re.escape(k)}\b", DOC))
    assert missing == []


def test_every_enumeration_value_and_condition_field_is_documented() -> None:
    values = {v for labels in schema.ALL_LABELS.values() for v in labels} | set(MEMBER_FIELDS)
    missing = sorted(v for v in values if f"`{v}`" not in DOC)
    assert missing == []
