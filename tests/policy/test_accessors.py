"""The typed accessors the obligations engine and the UI consume, the readable summary, and pack comparison."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import get_args

import pytest

from partycare.members.models import LifeEventKind
from partycare.policy import schema
from partycare.policy.conditions import MEMBER_FIELDS
from partycare.policy.diff import diff_packs
from partycare.policy.loader import load_preset, preset_slugs
from partycare.policy.summary import summarise


def test_event_kinds_are_exactly_the_vocabulary() -> None:
    assert set(get_args(schema.EventKind)) == set(LifeEventKind.values)


@pytest.mark.parametrize("name", sorted(schema.ALL_LABELS))
def test_every_enumeration_has_a_chinese_label_for_each_value(name: str) -> None:
    assert set(get_args(getattr(schema, name))) == set(schema.ALL_LABELS[name])


def test_condition_fields_match_the_member_model() -> None:
    from partycare.members.models import Member

    stored = {f.name for f in Member._meta.get_fields()}
    assert {n for n, spec in MEMBER_FIELDS.items() if not spec.derived} <= stored


def test_rules_for_event_flattens_every_list() -> None:
    pack = load_preset("zhangye-mingren")
    refs = pack.talks.rules_for_event("position_change")
    assert sorted(r.duty.name for r in refs) == ["七必谈（张掖）", "六必谈（明仁街道）"]
    assert all(r.duty.within_days == 30 for r in refs)
    assert refs[0].refs[0].seed == "003"
    assert "returned_home" in pack.visits.triggering_events()
    assert pack.talks.rules_for_event("wedding") == []


def test_dues_amounts() -> None:
    dues = load_preset("sichuan-wenli-2020").dues
    assert dues.monthly_amount("staff", Decimal("3000.00")) == Decimal("15.00")  # 0.5%, 3000 inclusive
    assert dues.monthly_amount("staff", Decimal("3000.01")) == Decimal("30.00")  # 1%
    assert dues.monthly_amount("staff", Decimal("12000")) == Decimal("240.00")  # 2%
    assert dues.monthly_amount("retired", Decimal("4999")) == Decimal("25.00")  # 24.995 rounds half up
    student = {"category": "student", "unemployed": False, "receives_dibao": False}
    assert dues.monthly_amount("student", Decimal("0"), record=student) == Decimal("0.20")
    dibao = {"category": "staff", "unemployed": False, "receives_dibao": True}
    assert dues.monthly_amount("staff", Decimal("2000"), record=dibao, as_of=dt.date(2025, 1, 1)) == Decimal("0.20")


def test_approval_chain_accessors() -> None:
    chain = load_preset("zhangye-mingren").approvals["difficulty_registration"]
    assert chain.requires_democratic_review
    assert chain.notice_days == 5
    assert chain.final_step.level == "committee" and chain.final_is_collective


def test_grade_for_score() -> None:
    inc = load_preset("xx-district").incentives
    assert [inc.grade_for(s) for s in (95, 90, 89, 60, 59, 0)] == ["优秀", "优秀", "良好", "合格", "不合格", "不合格"]


def test_defaults_are_listed_with_their_paths() -> None:
    defaults = load_preset("xian-caijing-2018").defaults()
    assert any(path == "calendar" and key == "semesters" and "9月1日" in why for path, key, why in defaults)
    assert any(path == "talks.event_triggered[1]" and key == "within_days" for path, key, _ in defaults)


@pytest.mark.parametrize("per_event", [False, True])
@pytest.mark.parametrize("slug", preset_slugs())
def test_summary_keys_are_unique_and_every_rule_is_shown(slug: str, per_event: bool) -> None:
    pack = load_preset(slug)
    items = [item for section in summarise(pack, per_event=per_event) for item in section.items]
    keys = [item.key for item in items]
    assert len(keys) == len(set(keys))
    assert all(item.text for item in items)
    # Every rule with a seed source appears with that source somewhere in the summary.
    shown = {ref for item in items for ref in item.sources}
    for path, rule in pack.rules():
        if path.startswith(("not_encoded",)):
            continue
        assert set(rule.refs) & shown or any(item.source in shown for item in getattr(rule, "items", [])), path


def test_diff_of_a_pack_with_itself_is_empty() -> None:
    pack = load_preset("zhangye-mingren")
    assert diff_packs(pack, pack).identical


def test_diff_finds_what_xian_requires_that_sichuan_does_not() -> None:
    d = diff_packs(load_preset("xian-caijing-2018"), load_preset("sichuan-wenli-2020"))
    only_a = {item.key for _, item in d.only_a}
    only_b = {item.key for _, item in d.only_b}
    changed = {c.key: c for c in d.changed}
    assert "stipend|part_time_branch_secretary" in only_a
    assert {"talk.event|setback", "talk.event|conflict"} <= only_a
    assert "approval|commendation" in only_a
    assert {"political_birthday", "visit.terminal", "medal|“光荣在党50年”纪念章"} <= only_b
    assert "talk.periodic|general_secretary|branch_secretaries_in_subtree|全部党员" in only_b
    periodic = changed["talk.periodic|branch_secretary|members_of_branch|全部党员"]
    assert "每学期" in periodic.a.text and "每年" in periodic.b.text
    assert "commendation" in changed
    # The same event with the same deadline and actor is no difference, whatever the list is called.
    assert "talk.event|position_change" not in changed


def test_diff_xinxiang_against_linyi() -> None:
    d = diff_packs(load_preset("xinxiang-2020"), load_preset("linyi-zonggonghui-2016"))
    only_a = {item.key for _, item in d.only_a}
    assert {"talk.requested", "approval|fund_use", "medal|“光荣在党50年”纪念章"} <= only_a
    assert "leader_links" in {c.key for c in d.changed}  # ≥2 linked members vs 1 contact organisation


def test_the_readable_summary_shows_each_list_as_the_document_does() -> None:
    talks = next(s for s in summarise(load_preset("xian-caijing-2018")) if s.code == "talks")
    four = next(item for item in talks.items if item.key == "talk.list|four-must-talks")
    assert four.text.startswith("四必谈：党支部书记须在事件发生后30日内谈心谈话 — 党员职务调整、岗位变动必谈")
    assert ("within_days", "原文未规定期限；取事件发生后30日内。") in four.defaults
