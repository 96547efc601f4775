"""Declarative "who is eligible" conditions.

A condition is plain data, e.g.
``{all: [{field: category, op: eq, value: retired}, {field: age, op: gte, value: 80}]}``. It is validated against
the known member fields (``docs/domain-vocabulary.md``) and can be

* compiled to one Django ``Q`` over ``Member`` for a given ``as_of`` date (set-based: the obligations engine runs one
  query per rule, not a loop over people), and
* checked against a single record in Python.

Both must always give the same answer; ``tests/policy/test_conditions_agree.py`` checks that on a grid of members and
dates. Nothing here is ever evaluated as code.

Null semantics (shared by both paths): a comparison with a missing value is false, ``not`` is plain boolean
negation. Django makes negated lookups on nullable columns two-valued (it adds ``IS NOT NULL`` inside the ``NOT``),
so the SQL side agrees as long as we only build kwarg lookups here — never bare expressions on nullable columns.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from partycare.common import dates

if TYPE_CHECKING:
    from django.db.models import Q

FieldKind = Literal["bool", "int", "date", "enum", "str"]
Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "is_true", "is_false"]

OP_LABELS: dict[str, str] = {
    "eq": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": "属于",
    "is_true": "是",
    "is_false": "否",
}

OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "bool": ("is_true", "is_false", "eq", "ne"),
    "int": ("eq", "ne", "gt", "gte", "lt", "lte", "in"),
    "date": ("eq", "ne", "gt", "gte", "lt", "lte"),
    "enum": ("eq", "ne", "in"),
    "str": ("eq", "ne", "in"),
}

# Ages and party ages above this are certainly typos, and would push the cut-off date before year 1.
MAX_YEARS = 150


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    label: str
    choices: Mapping[str, str] | None = None  # enum value -> Chinese label
    derived: bool = False
    nullable: bool = False


def _spec(name: str, kind: FieldKind, label: str, **kw: Any) -> tuple[str, FieldSpec]:
    return name, FieldSpec(name=name, kind=kind, label=label, **kw)


# The shared member vocabulary (docs/domain-vocabulary.md). Free-text fields (name, position) are deliberately absent:
# an eligibility rule keyed on free text would silently stop matching after a typo fix.
MEMBER_FIELDS: dict[str, FieldSpec] = dict(
    [
        _spec("gender", "enum", "性别", choices={"male": "男", "female": "女"}),
        _spec("ethnicity", "str", "民族"),
        _spec("birth_date", "date", "出生日期"),
        _spec("joined_on", "date", "入党日期"),
        _spec("full_member_on", "date", "转正日期", nullable=True),
        _spec("status", "enum", "党员状态", choices={"probationary": "预备党员", "full": "正式党员"}),
        _spec(
            "category",
            "enum",
            "人员类别",
            choices={"staff": "在职教职工", "student": "学生", "retired": "离退休", "other": "其他"},
        ),
        _spec(
            "leadership_level",
            "enum",
            "领导职级",
            choices={"none": "无", "middle": "中层干部", "school": "校级领导"},
        ),
        _spec(
            "roll_state",
            "enum",
            "在册状态",
            choices={"active": "在册", "transferred_out": "已转出", "deceased": "已去世"},
        ),
        _spec("deceased_on", "date", "去世日期", nullable=True),
        _spec("died_on_duty", "bool", "因公殉职/牺牲"),
        _spec("lives_alone", "bool", "独居"),
        _spec("widowed_or_alone", "bool", "鳏寡孤独"),
        _spec("frail_sick_disabled", "bool", "老弱病残"),
        _spec("mobile", "bool", "流动党员"),
        _spec("honorary", "bool", "荣誉党员"),
        _spec("injured_on_duty", "bool", "因公伤残"),
        _spec("in_difficulty", "bool", "生活困难"),
        _spec("has_pension", "bool", "有养老金"),
        _spec("has_fixed_income", "bool", "有固定工资(补贴)"),
        _spec("receives_dibao", "bool", "领取低保"),
        _spec("unemployed", "bool", "下岗失业"),
        # Derived as of a date, never stored.
        _spec("age", "int", "年龄", derived=True),
        _spec("party_age", "int", "党龄", derived=True),
        _spec("in_discipline_impact", "bool", "处于处分影响期", derived=True),
        _spec("has_honour", "bool", "获得过功勋荣誉表彰", derived=True),
    ]
)

# Booleans that also name a category of the 困难党员台账 (used by ledger.categories).
BOOLEAN_FIELDS = tuple(n for n, s in MEMBER_FIELDS.items() if s.kind == "bool" and not s.derived)

# Derived facts that need other tables; a single-record check gets them from the record or from a callback.
RELATIONAL_FACTS = ("in_discipline_impact", "has_honour")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _bilingual(zh: str, en: str) -> ValueError:
    return ValueError(f"{zh} / {en}")


class FieldCondition(_Strict):
    """One comparison on one member field, e.g. ``{field: age, op: gte, value: 80}``."""

    field: str
    op: Op
    value: Any = None

    @model_validator(mode="before")
    @classmethod
    def _check_and_normalise(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        name, op, value = data.get("field"), data.get("op"), data.get("value")
        if not isinstance(name, str) or not isinstance(op, str):
            return data  # let field validation report missing/mistyped keys
        spec = MEMBER_FIELDS.get(name)
        if spec is None:
            near = difflib.get_close_matches(name, MEMBER_FIELDS, n=1)
            hint_zh = f"（是否想写 '{near[0]}'？）" if near else ""
            hint_en = f" (did you mean '{near[0]}'?)" if near else ""
            raise _bilingual(
                f"未知的党员字段 '{name}'{hint_zh}",
                f"unknown member field '{name}'{hint_en}; known fields: {', '.join(MEMBER_FIELDS)}",
            )
        allowed = OPS_BY_KIND[spec.kind]
        if op not in allowed:
            raise _bilingual(
                f"字段 '{name}'（{spec.label}）不能使用运算 '{op}'",
                f"operator '{op}' cannot be used on field '{name}'; use one of {', '.join(allowed)}",
            )
        normalised = dict(data)
        if op in ("is_true", "is_false"):
            if "value" in data and value is not None:
                raise _bilingual(f"运算 '{op}' 不需要 value", f"operator '{op}' takes no value")
            normalised["value"] = None
        elif op == "in":
            if not isinstance(value, list) or not value:
                raise _bilingual("运算 'in' 的 value 须为非空列表", "operator 'in' needs a non-empty list as value")
            normalised["value"] = tuple(_coerce_value(spec, v) for v in value)
        else:
            if "value" not in data or value is None:
                raise _bilingual(f"运算 '{op}' 需要 value", f"operator '{op}' needs a value")
            normalised["value"] = _coerce_value(spec, value)
        return normalised

    @property
    def spec(self) -> FieldSpec:
        return MEMBER_FIELDS[self.field]


def _coerce_value(spec: FieldSpec, value: Any) -> Any:
    """Check a literal against the field's kind; returns the normalised value (dates parsed)."""
    kind = spec.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise _bilingual(
                f"字段 '{spec.name}' 的取值须为 true 或 false", f"field '{spec.name}' compares with true or false"
            )
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bilingual(
                f"字段 '{spec.name}' 的取值须为整数（年）", f"field '{spec.name}' compares with a whole number of years"
            )
        if not 0 <= value <= MAX_YEARS:
            raise _bilingual(
                f"字段 '{spec.name}' 的取值须在 0 到 {MAX_YEARS} 之间",
                f"field '{spec.name}' must be compared with a value between 0 and {MAX_YEARS}",
            )
        return value
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise _bilingual(
            f"字段 '{spec.name}' 的取值须为有效日期 YYYY-MM-DD，'{value}' 无效",
            f"field '{spec.name}' compares with a valid date YYYY-MM-DD, got '{value}'",
        )
    if kind == "enum":
        assert spec.choices is not None
        if value not in spec.choices:
            raise _bilingual(
                f"'{value}' 不是字段 '{spec.name}' 允许的取值",
                f"'{value}' is not one of {', '.join(spec.choices)}",
            )
        return value
    if not isinstance(value, str):
        raise _bilingual(f"字段 '{spec.name}' 的取值须为文本", f"field '{spec.name}' compares with text")
    return value


class AllOf(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class NotOf(_Strict):
    not_: Condition = Field(alias="not")


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, Mapping):
        for key in ("all", "any", "not", "field"):
            if key in value:
                return f"condition:{key}"
        return None
    tags: dict[type, str] = {
        AllOf: "condition:all",
        AnyOf: "condition:any",
        NotOf: "condition:not",
        FieldCondition: "condition:field",
    }
    return tags.get(type(value))


# Tags are prefixed so error paths can drop them (see errors.py): they never collide with keys of the input.
Condition = Annotated[
    Annotated[AllOf, Tag("condition:all")]
    | Annotated[AnyOf, Tag("condition:any")]
    | Annotated[NotOf, Tag("condition:not")]
    | Annotated[FieldCondition, Tag("condition:field")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition_shape",
        custom_error_message="a condition needs one of the keys all, any, not or field",
    ),
]

for _model in (AllOf, AnyOf, NotOf):
    _model.model_rebuild()


# --------------------------------------------------------------------------------------------------------------
# Reading conditions
# --------------------------------------------------------------------------------------------------------------


def fields_used(cond: Condition) -> set[str]:
    if isinstance(cond, FieldCondition):
        return {cond.field}
    if isinstance(cond, NotOf):
        return fields_used(cond.not_)
    children = cond.all if isinstance(cond, AllOf) else cond.any
    out: set[str] = set()
    for child in children:
        out |= fields_used(child)
    return out


def _value_label(spec: FieldSpec, value: Any) -> str:
    if spec.choices and isinstance(value, str):
        return spec.choices.get(value, value)
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def describe(cond: Condition | None) -> str:
    """A readable Chinese rendering, e.g. ``人员类别 = 离退休 且 年龄 ≥ 80``."""
    if cond is None:
        return "全部党员"
    if isinstance(cond, FieldCondition):
        spec = cond.spec
        if cond.op == "is_true":
            return spec.label
        if cond.op == "is_false":
            return f"非{spec.label}"
        if cond.op == "in":
            return f"{spec.label}属于（{'、'.join(_value_label(spec, v) for v in cond.value)}）"
        unit = "周岁" if cond.field == "age" else "年" if cond.field == "party_age" else ""
        return f"{spec.label} {OP_LABELS[cond.op]} {_value_label(spec, cond.value)}{unit}"
    if isinstance(cond, NotOf):
        return f"非（{describe(cond.not_)}）"
    children = cond.all if isinstance(cond, AllOf) else cond.any
    joiner = " 且 " if isinstance(cond, AllOf) else " 或 "
    parts = [describe(c) if isinstance(c, FieldCondition) else f"（{describe(c)}）" for c in children]
    return joiner.join(parts)


# --------------------------------------------------------------------------------------------------------------
# Date arithmetic shared by both evaluation paths
# --------------------------------------------------------------------------------------------------------------


def whole_years(start: dt.date, as_of: dt.date) -> int:
    """Completed years from ``start`` to ``as_of`` (the product-wide rule in ``partycare.common.dates``).

    Someone born on 29 Feb completes a year on 1 Mar in common years (the 28th is still short of the anniversary).
    """
    years = dates.whole_years(start, as_of)
    assert years is not None
    return years


def cutoff(as_of: dt.date, years: int) -> dt.date:
    """Latest start date for which ``whole_years(start, as_of) >= years``.

    ``as_of`` moved back ``years`` years; 29 Feb lands on 28 Feb in a common year, which keeps the equivalence
    with :func:`whole_years` exact (checked in tests for every day of a leap cycle).
    """
    return dates.latest_start_for_years(years, as_of)


# --------------------------------------------------------------------------------------------------------------
# (b) Single-record check
# --------------------------------------------------------------------------------------------------------------

FactLookup = Callable[[str, Any, dt.date], bool]


class MissingFact(LookupError):
    """A relational fact (e.g. ``in_discipline_impact``) was needed but neither the record nor a lookup gave it."""


def _get(record: Any, name: str, default: Any = None) -> Any:
    if isinstance(record, Mapping):
        return record.get(name, default)
    return getattr(record, name, default)


def _has(record: Any, name: str) -> bool:
    return name in record if isinstance(record, Mapping) else hasattr(record, name)


def derived_value(name: str, record: Any, as_of: dt.date, facts: FactLookup | None = None) -> Any:
    if name == "age":
        birth = _get(record, "birth_date")
        return None if birth is None else whole_years(birth, as_of)
    if name == "party_age":
        start = _get(record, "full_member_on") or _get(record, "joined_on")
        return None if start is None else whole_years(start, as_of)
    if facts is not None:
        return bool(facts(name, record, as_of))
    # A plain record (dict/dataclass) may carry the fact precomputed for this as_of date.
    if _has(record, name):
        return bool(_get(record, name))
    raise MissingFact(f"'{name}' needs a fact lookup for {record!r}")


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "ne":
        return not _compare("eq", actual, expected)
    if actual is None:
        return False
    if op == "eq":
        return bool(actual == expected)
    if op == "in":
        return actual in expected
    if op == "is_true":
        return actual is True
    if op == "is_false":
        return actual is False
    if op == "gt":
        return bool(actual > expected)
    if op == "gte":
        return bool(actual >= expected)
    if op == "lt":
        return bool(actual < expected)
    if op == "lte":
        return bool(actual <= expected)
    raise AssertionError(op)


def evaluate(cond: Condition | None, record: Any, as_of: dt.date, facts: FactLookup | None = None) -> bool:
    """Does ``record`` (a Member, a dict, any object with the field names) satisfy ``cond`` on ``as_of``?"""
    if cond is None:
        return True
    if isinstance(cond, AllOf):
        return all(evaluate(c, record, as_of, facts) for c in cond.all)
    if isinstance(cond, AnyOf):
        return any(evaluate(c, record, as_of, facts) for c in cond.any)
    if isinstance(cond, NotOf):
        return not evaluate(cond.not_, record, as_of, facts)
    spec = cond.spec
    actual = derived_value(cond.field, record, as_of, facts) if spec.derived else _get(record, cond.field)
    return _compare(cond.op, actual, cond.value)


def check_member(cond: Condition | None, member: Any, as_of: dt.date) -> bool:
    """Single-record check of a ``Member`` instance, looking up discipline and honours in the database."""
    from partycare.policy.facts import member_fact

    return evaluate(cond, member, as_of, member_fact)


# --------------------------------------------------------------------------------------------------------------
# (a) Compilation to one Django Q over Member
# --------------------------------------------------------------------------------------------------------------


def to_q(cond: Condition | None, as_of: dt.date) -> Q:
    """Compile to a ``Q`` over ``partycare.members.models.Member`` valid on ``as_of``."""
    from django.db.models import Q

    if cond is None:
        return Q()
    if isinstance(cond, AllOf):
        q = Q()
        for child in cond.all:
            q &= to_q(child, as_of)
        return q
    if isinstance(cond, AnyOf):
        children = [to_q(child, as_of) for child in cond.any]
        q = children[0]
        for child_q in children[1:]:
            q |= child_q
        return q
    if isinstance(cond, NotOf):
        return ~to_q(cond.not_, as_of)
    if cond.field in ("age", "party_age"):
        return _years_q(cond, as_of)
    if cond.field in RELATIONAL_FACTS:
        return _fact_q(cond, as_of)
    return _stored_q(cond)


def _stored_q(cond: FieldCondition) -> Q:
    from django.db.models import Q

    name, op, value = cond.field, cond.op, cond.value
    if op == "is_true":
        return Q(**{name: True})
    if op == "is_false":
        return Q(**{name: False})
    if op == "eq":
        return Q(**{name: value})
    if op == "ne":
        return ~Q(**{name: value})
    if op == "in":
        return Q(**{f"{name}__in": list(value)})
    return Q(**{f"{name}__{op}": value})


def _at_least(field: str, as_of: dt.date, years: int) -> Q:
    """``whole_years(<field's date>, as_of) >= years`` as a Q."""
    from django.db.models import Q

    limit = cutoff(as_of, years)
    if field == "age":
        return Q(birth_date__lte=limit)
    # party_age counts from full_member_on, falling back to joined_on (vocabulary); spelled out as two kwarg
    # branches instead of Coalesce so that Django's null handling under negation applies to each column.
    return Q(full_member_on__lte=limit) | Q(full_member_on__isnull=True, joined_on__lte=limit)


def _below(field: str, as_of: dt.date, years: int) -> Q:
    """``whole_years(<field's date>, as_of) < years`` as a Q — false (not unknown) when the date is missing."""
    from django.db.models import Q

    limit = cutoff(as_of, years)
    if field == "age":
        return Q(birth_date__gt=limit)
    return Q(full_member_on__gt=limit) | Q(full_member_on__isnull=True, joined_on__gt=limit)


def _years_q(cond: FieldCondition, as_of: dt.date) -> Q:
    f, op, n = cond.field, cond.op, cond.value
    if op == "gte":
        return _at_least(f, as_of, n)
    if op == "gt":
        return _at_least(f, as_of, n + 1)
    if op == "lt":
        return _below(f, as_of, n)
    if op == "lte":
        return _below(f, as_of, n + 1)
    if op == "eq":
        return _at_least(f, as_of, n) & _below(f, as_of, n + 1)
    if op == "ne":
        return ~(_at_least(f, as_of, n) & _below(f, as_of, n + 1))
    if op == "in":
        exact = [_at_least(f, as_of, v) & _below(f, as_of, v + 1) for v in n]
        q = exact[0]
        for other in exact[1:]:
            q |= other
        return q
    raise AssertionError(op)


def _fact_q(cond: FieldCondition, as_of: dt.date) -> Q:
    from django.db.models import Q

    from partycare.policy import facts

    exists = facts.exists_expression(cond.field, as_of)
    truth = {"is_true": True, "is_false": False, "eq": cond.value, "ne": not cond.value}[cond.op]
    return Q(exists) if truth else ~Q(exists)


# --------------------------------------------------------------------------------------------------------------
# (c) Who may have changed between two days (for the change-driven sweep)
# --------------------------------------------------------------------------------------------------------------


def _leaves(cond: Condition | None) -> list[FieldCondition]:
    if cond is None:
        return []
    if isinstance(cond, FieldCondition):
        return [cond]
    if isinstance(cond, NotOf):
        return _leaves(cond.not_)
    children = cond.all if isinstance(cond, AllOf) else cond.any
    return [leaf for child in children for leaf in _leaves(child)]


def _thresholds(leaf: FieldCondition) -> set[int]:
    """The year counts at which the truth of an age/party-age comparison can flip."""
    n = leaf.value
    if leaf.op in ("gte", "lt"):
        return {n}
    if leaf.op in ("gt", "lte"):
        return {n + 1}
    if leaf.op in ("eq", "ne"):
        return {n, n + 1}
    if leaf.op == "in":
        return {v for value in n for v in (value, value + 1)}
    raise AssertionError(leaf.op)


def changes_between(cond: Condition | None, earlier: dt.date, later: dt.date) -> list[Q]:
    """Filters over ``Member`` whose union holds every member for whom ``cond`` may be true on one day and false on
    the other, with nothing stored having changed: someone turning 80, a party age reaching 50, a sanction's impact
    period ending. Each filter is a narrow date range on an indexed column, so the sweep can look at these few
    members instead of everyone. A superset is fine (the sweep re-derives what it finds); missing someone is not.
    Empty when the two days are the same or the condition does not depend on the date."""
    from django.db.models import Q

    from partycare.members.models import Discipline, Honour

    if earlier == later:
        return []
    earlier, later = min(earlier, later), max(earlier, later)
    filters: list[Q] = []
    seen: set[tuple[str, int]] = set()
    for leaf in _leaves(cond):
        if leaf.field in ("age", "party_age"):
            for years in sorted(_thresholds(leaf)):
                if (leaf.field, years) in seen:
                    continue
                seen.add((leaf.field, years))
                # whole_years(start, day) >= years  ⇔  start <= cutoff(day, years): it flips for starts in between.
                low, high = cutoff(earlier, years), cutoff(later, years)
                if leaf.field == "age":
                    filters.append(Q(birth_date__gt=low, birth_date__lte=high))
                else:
                    filters.append(Q(full_member_on__gt=low, full_member_on__lte=high))
                    filters.append(Q(full_member_on__isnull=True, joined_on__gt=low, joined_on__lte=high))
        elif leaf.field == "in_discipline_impact" and (leaf.field, 0) not in seen:
            seen.add((leaf.field, 0))
            starting = Q(decided_on__gt=earlier, decided_on__lte=later)
            ending = Q(impact_until__gte=earlier, impact_until__lt=later)
            filters.append(Q(pk__in=Discipline.objects.filter(starting | ending).values("member_id")))
        elif leaf.field == "has_honour" and (leaf.field, 0) not in seen:
            seen.add((leaf.field, 0))
            awarded = Honour.objects.filter(awarded_on__gt=earlier, awarded_on__lte=later)
            filters.append(Q(pk__in=awarded.values("member_id")))
    return filters
