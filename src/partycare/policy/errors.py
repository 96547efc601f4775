"""Validation problems of a policy pack, each named by its path inside the file and explained in Chinese and English:

talks.periodic[2].interval: 'fortnight' 不是允许的取值 / is not one of year, semester, quarter, month
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class Issue:
    path: str  # "" for the whole file
    zh: str
    en: str

    def __str__(self) -> str:
        where = self.path or "（文件 / file）"
        return f"{where}: {self.zh} / {self.en}"


class PackInvalid(Exception):
    """A pack failed validation; nothing was loaded or activated."""

    def __init__(self, issues: Sequence[Issue], origin: str = ""):
        self.issues = list(issues)
        self.origin = origin
        head = f"{origin}: " if origin else ""
        super().__init__(head + "; ".join(str(i) for i in self.issues))


def format_path(loc: Sequence[Any]) -> str:
    out = ""
    for seg in loc:
        if isinstance(seg, int):
            out += f"[{seg}]"
        else:
            out += f".{seg}" if out else str(seg)
    return out


def _clean_loc(loc: Sequence[Any], data: Any) -> list[Any]:
    """Drop pydantic's internal segments (union tags like 'condition:all', 'function-after[...]', '[key]') by walking
    the input alongside the location: a segment that does not address the current input node is not a path step."""
    out: list[Any] = []
    node = data
    for seg in loc:
        addresses_key = isinstance(node, Mapping) and not isinstance(seg, int) and seg in node
        addresses_index = isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node)
        if addresses_key or addresses_index:
            out.append(seg)
            node = node[seg]
        elif isinstance(seg, str) and (seg.startswith("condition:") or "[" in seg or seg.startswith("function")):
            continue
        elif isinstance(node, Mapping) and seg == 0:
            continue  # a single mapping accepted where a list is expected (e.g. source)
        else:
            # Past the input (e.g. a key that is missing): keep the name, it is what the user must add.
            out.append(seg)
            node = None
    return out


def _expected_list(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return re.sub(r"\s+or\s+", ", ", expected).replace("'", "")


def _allowed_keys_at(root: type[BaseModel], loc: Sequence[Any]) -> list[str] | None:
    """Best effort: the field names of the model at ``loc[:-1]`` (to suggest a fix for an unknown key)."""
    tp: Any = root
    for seg in loc[:-1]:
        tp = _step(tp, seg)
        if tp is None:
            return None
    tp = _unwrap_model(tp, None)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or name for name, f in tp.model_fields.items()]
    return None


def _unwrap_model(tp: Any, tag: str | None) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap_model(typing.get_args(tp)[0], tag)
    if origin in (typing.Union, types.UnionType):
        models = [_unwrap_model(a, tag) for a in typing.get_args(tp)]
        models = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)]
        return models[0] if len(models) == 1 else tp
    return tp


def _step(tp: Any, seg: Any) -> Any:
    tp = _unwrap_model(tp, None)
    origin = typing.get_origin(tp)
    if isinstance(seg, int):
        if origin is list:
            return typing.get_args(tp)[0]
        if origin in (typing.Union, types.UnionType):
            for arg in typing.get_args(tp):
                if typing.get_origin(_unwrap_model(arg, None)) is list:
                    return typing.get_args(_unwrap_model(arg, None))[0]
        return None
    if isinstance(seg, str) and seg.startswith("condition:"):
        from partycare.policy import conditions

        return {
            "condition:all": conditions.AllOf,
            "condition:any": conditions.AnyOf,
            "condition:not": conditions.NotOf,
            "condition:field": conditions.FieldCondition,
        }.get(seg)
    if origin is dict:
        return typing.get_args(tp)[1]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, f in tp.model_fields.items():
            if seg in (name, f.alias):
                return f.annotation
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            found = _step(arg, seg)
            if found is not None:
                return found
    return None


def _split_bilingual(msg: str) -> tuple[str, str]:
    msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
    parts = re.split(r"\s?/\s", msg, maxsplit=1)  # "中文 / English"; a bare "/" inside Chinese labels is not a split
    if len(parts) == 2:
        return parts[0].strip(), parts[1].strip()
    return "取值无效", msg


def _translate(err: Mapping[str, Any], root: type[BaseModel]) -> tuple[str, str]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    shown = f"'{given}'" if isinstance(given, str | int | float) and not isinstance(given, bool) else "该值"
    if kind == "missing":
        return "缺少必填项", "is required"
    if kind == "extra_forbidden":
        allowed = _allowed_keys_at(root, err["loc"]) or []
        near = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
        zh = "不认识的键（此处不允许）" + (f"，是否想写 '{near[0]}'？" if near else "")
        en = "is not a known key here" + (f" (did you mean '{near[0]}'?)" if near else "")
        if allowed and not near:
            en += f"; allowed: {', '.join(allowed)}"
        return zh, en
    if kind in ("literal_error", "enum"):
        return f"{shown} 不是允许的取值", f"is not one of {_expected_list(ctx)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{shown} 应为整数", "must be a whole number"
    if kind in ("bool_type", "bool_parsing"):
        return f"{shown} 应为 true 或 false", "must be true or false"
    if kind in ("string_type", "string_sub_type"):
        return "应为文本", "must be text"
    if kind in ("list_type", "tuple_type"):
        return "应为列表", "must be a list"
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return "应为键值映射", "must be a mapping of keys to values"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return f"{shown} 不是有效日期（YYYY-MM-DD）", "is not a valid date (YYYY-MM-DD)"
    if kind in ("decimal_type", "decimal_parsing"):
        return f"{shown} 不是数值", "is not a number"
    if kind == "string_pattern_mismatch":
        return f"{shown} 格式不符（{ctx.get('pattern')}）", f"does not match the pattern {ctx.get('pattern')}"
    if kind == "string_too_long":
        return f"过长（最多 {ctx.get('max_length')} 个字符）", f"is longer than {ctx.get('max_length')} characters"
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length')} 项", f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "greater_than_equal":
        return f"{shown} 应不小于 {ctx.get('ge')}", f"must be at least {ctx.get('ge')}"
    if kind == "greater_than":
        return f"{shown} 应大于 {ctx.get('gt')}", f"must be greater than {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"{shown} 应不大于 {ctx.get('le')}", f"must be at most {ctx.get('le')}"
    if kind == "condition_shape":
        return "条件须含 all、any、not 或 field 之一", "a condition needs one of the keys all, any, not or field"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "结构不符", err.get("msg", "does not match any allowed shape")
    if kind in ("value_error", "assertion_error"):
        return _split_bilingual(str(err.get("msg", "")))
    return "取值无效", str(err.get("msg", kind))


def issues_from_validation_error(exc: ValidationError, data: Any, root: type[BaseModel]) -> list[Issue]:
    issues: list[Issue] = []
    for err in exc.errors(include_url=False):
        zh, en = _translate(err, root)
        issues.append(Issue(format_path(_clean_loc(err["loc"], data)), zh, en))
    # One problem reported once, even when a union tried several shapes.
    return list(dict.fromkeys(issues))
