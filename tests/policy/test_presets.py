"""Every shipped preset validates, quotes its seed verbatim, and encodes what its seed says.

The seed texts are copied under tests/policy/seed_texts/ (from shared/seeds/) so these tests stand alone.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from partycare.policy.conditions import evaluate
from partycare.policy.loader import load_preset, preset_slugs
from partycare.policy.schema import PolicyPack

SEED_DIR = Path(__file__).parent / "seed_texts"
EXPECTED_PRESETS = {
    "sichuan-wenli-2020": "000",
    "xian-caijing-2018": "001",
    "xinxiang-2020": "002",
    "linyi-zonggonghui-2016": "004",
    "xx-district": "003",
    "zhangye-mingren": "003",
    "dinggao": "003",
    "xingren-zhongxue": "003",
}


def _squash(text: str) -> str:
    # PDF extraction breaks lines mid-sentence and scatters spaces; quotes are compared without whitespace.
    return re.sub(r"\s+", "", text)


SEEDS = {p.name[:3]: _squash(p.read_text(encoding="utf-8")) for p in SEED_DIR.glob("*.txt")}


def pack(slug: str) -> PolicyPack:
    return load_preset(slug)


def test_the_expected_presets_ship() -> None:
    assert set(preset_slugs()) == set(EXPECTED_PRESETS)


@pytest.mark.parametrize("slug", sorted(EXPECTED_PRESETS))
def test_preset_validates_and_names_its_seed(slug: str) -> None:
    p = pack(slug)
    assert p.slug == slug
    assert p.metadata.source_seed == EXPECTED_PRESETS[slug]
    assert sum(1 for _ in p.rules()) > 5


@pytest.mark.parametrize("slug", sorted(EXPECTED_PRESETS))
def test_every_quote_is_verbatim_in_its_seed(slug: str) -> None:
    p = pack(slug)
    refs = [ref for _, rule in p.rules() for ref in rule.refs]
    refs += [
        item.source for d in (*p.talks.event_triggered, *p.visits.event_triggered) for item in d.items if item.source
    ]
    refs += [ref for n in p.not_encoded for ref in n.source]
    seed_refs = [r for r in refs if r.seed is not None]
    assert seed_refs, "a preset must cite its seed"
    missing = [r.quote for r in seed_refs if _squash(r.quote) not in SEEDS[r.seed]]
    assert missing == []


@pytest.mark.parametrize("slug", sorted(EXPECTED_PRESETS))
def test_rules_without_a_seed_quote_are_marked_as_defaults(slug: str) -> None:
    """A rule sourced only from an outside regulation is a default for this institution and must say why."""
    for path, rule in pack(slug).rules():
        if all(ref.seed is None for ref in rule.refs):
            assert rule.defaulted, f"{path} cites no seed and documents no default"


@pytest.mark.parametrize("slug", sorted(EXPECTED_PRESETS))
def test_content_round_trips(slug: str) -> None:
    p = pack(slug)
    assert PolicyPack.model_validate(p.to_content()) == p


# --- 000 四川文理学院 ----------------------------------------------------------------------------------------------


def test_sichuan_branch_secretary_talks_with_every_member_each_year() -> None:
    talk = next(t for t in pack("sichuan-wenli-2020").talks.periodic if t.by == "branch_secretary")
    assert (talk.interval, talk.times, talk.whom.relations) == ("year", 1, ["members_of_branch"])
    assert "党支部书记每年至少与本支部每一名党员谈心谈话一次" in talk.refs[0].quote


def test_sichuan_general_branch_secretary_talks_with_branch_secretaries_each_quarter() -> None:
    talk = next(t for t in pack("sichuan-wenli-2020").talks.periodic if t.by == "general_secretary")
    assert talk.interval == "quarter"
    assert talk.whom.relations == ["branch_secretaries_in_subtree"]


def test_sichuan_five_must_talks_cover_the_five_situations() -> None:
    duty = next(d for d in pack("sichuan-wenli-2020").talks.event_triggered if d.name == "五必谈")
    assert len(duty.items) == 5
    assert set(duty.events) == {
        "joined",
        "transferred_in",
        "transferred_out",
        "position_change",
        "honoured",
        "disciplined",
        "warning_signs",
        "complaint_received",
    }
    assert duty.modes == ["individual", "group"]


def test_sichuan_periodic_visits_are_for_retired_members_aged_80_and_over() -> None:
    visit = pack("sichuan-wenli-2020").visits.periodic[0]
    as_of = dt.date(2025, 6, 1)
    retired_80 = {"category": "retired", "birth_date": dt.date(1945, 6, 1)}
    retired_79 = {"category": "retired", "birth_date": dt.date(1945, 6, 2)}
    staff_85 = {"category": "staff", "birth_date": dt.date(1940, 1, 1)}
    assert evaluate(visit.whom.where, retired_80, as_of)
    assert not evaluate(visit.whom.where, retired_79, as_of)
    assert not evaluate(visit.whom.where, staff_85, as_of)


def test_sichuan_dues_reduction_chain() -> None:
    chain = pack("sichuan-wenli-2020").approvals["dues_reduction"]
    assert [(s.action, s.level) for s in chain.steps] == [
        ("apply", "self"),
        ("discuss", "branch"),
        ("opinion", "general_branch"),
        ("approve", "committee"),
    ]
    assert chain.final_step.level == "committee"


def test_sichuan_has_political_birthday_and_medal_but_no_commendation_cycle() -> None:
    p = pack("sichuan-wenli-2020")
    assert p.political_birthday is not None
    assert set(p.political_birthday.actions) == {"renew_oath", "birthday_card", "greeting_message"}
    assert p.medals[0].where.field == "party_age" and p.medals[0].where.value == 50
    assert p.incentives.commendation is not None
    assert p.incentives.commendation.every_years is None  # 适时分类表彰 only
    assert p.visits.end_of_life.terminal_visit is not None


def test_sichuan_leader_annual_excellent_requires_party_building_excellent() -> None:
    link = pack("sichuan-wenli-2020").incentives.linkage[0]
    assert (link.when.assessment, link.when.grade) == ("leader_annual", "优秀")
    assert (link.requires.assessment, link.requires.grade) == ("party-building", "优秀")
    assert pack("sichuan-wenli-2020").incentives.rectification.grades == ["一般", "较差"]


# --- 001 西安财经学院 ----------------------------------------------------------------------------------------------


def test_xian_branch_secretary_talks_with_every_member_each_semester() -> None:
    p = pack("xian-caijing-2018")
    talk = next(t for t in p.talks.periodic if t.by == "branch_secretary")
    assert talk.interval == "semester"
    assert talk.whom.relations == ["members_of_branch"]
    assert "每学期" in talk.refs[0].quote
    assert {s.code for s in p.calendar.semesters} == {"autumn", "spring"}


def test_xian_metadata() -> None:
    md = pack("xian-caijing-2018").metadata
    assert md.number == "西财党发〔2018〕16号"
    assert (md.adopted_on, md.issued_on) == (dt.date(2018, 4, 12), dt.date(2018, 4, 23))


def test_xian_four_must_talks() -> None:
    duty = next(d for d in pack("xian-caijing-2018").talks.event_triggered if d.name == "四必谈")
    assert [item.events for item in duty.items] == [
        ["position_change"],
        ["setback"],
        ["conflict"],
        ["complaint_received"],
    ]


def test_xian_commendation_every_two_years_before_july_first() -> None:
    c = pack("xian-caijing-2018").incentives.commendation
    assert (c.every_years, c.before.month, c.before.day) == (2, 7, 1)
    assert c.campaign_years(2018, 2024, anchor_year=2018) == [2018, 2020, 2022, 2024]


def test_xian_stipend_is_3000_yuan_per_branch_per_year_after_passing_assessment() -> None:
    stipend = pack("xian-caijing-2018").stipends[0]
    assert stipend.amount == Decimal("3000.00")
    assert (stipend.per, stipend.period, stipend.requires_assessment_pass) == ("branch", "year", True)
    assert stipend.recipient == "part_time_branch_secretary"


def test_xian_dues_reduction_goes_through_the_secondary_organisation() -> None:
    chain = pack("xian-caijing-2018").approvals["dues_reduction"]
    assert [s.level for s in chain.steps] == ["self", "branch", "parent", "committee"]
    assert chain.steps[2].action == "opinion"
    assert chain.final_step.action == "approve"


def test_xian_has_condolence_but_no_terminal_visit_nor_medal() -> None:
    p = pack("xian-caijing-2018")
    assert p.visits.end_of_life.condolence is not None
    assert p.visits.end_of_life.terminal_visit is None
    assert p.medals == []


# --- 002 新乡学院 --------------------------------------------------------------------------------------------------


def test_xinxiang_requested_talk_within_seven_days() -> None:
    requested = pack("xinxiang-2020").talks.requested
    assert requested.deadline_days == 7
    assert "一周内" in requested.refs[0].quote


def test_xinxiang_leaders_link_at_least_two_members() -> None:
    links = pack("xinxiang-2020").leader_links
    assert links.min_members == 2
    assert [g.label for g in links.preferred] == ["老党员", "困难党员", "专家人才党员", "获得功勋荣誉表彰的党员"]


def test_xinxiang_commendation_every_year_before_july_first() -> None:
    c = pack("xinxiang-2020").incentives.commendation
    assert c.every_years == 1 and c.before.label() == "7月1日"
    assert c.excludes_discipline_impact


def test_xinxiang_six_must_talks_and_four_must_visits() -> None:
    p = pack("xinxiang-2020")
    six = p.talks.event_triggered[0]
    assert six.name == "六必谈" and len(six.items) == 6
    assert {"missed_org_life", "dues_arrears"} <= set(six.events)
    four = p.visits.event_triggered[0]
    assert four.name == "四必访"
    assert set(four.events) == {"serious_illness", "setback", "family_accident", "disaster"}


def test_xinxiang_fund_use_chain_ends_in_a_collective_decision_then_public_notice() -> None:
    chain = pack("xinxiang-2020").approvals["fund_use"]
    assert [s.action for s in chain.steps] == ["apply", "review", "decide", "notice"]
    assert chain.final_step.level == "org_department"
    assert chain.final_is_collective
    assert chain.notice_days == 5
    assert "公示天数" in chain.defaulted["steps"]  # the seed gives no number of days: a documented default


def test_xinxiang_yearly_allowance_for_children_of_members_who_died_on_duty() -> None:
    allowance = pack("xinxiang-2020").subsidies[0]
    assert (allowance.per, allowance.beneficiary, allowance.roll_states) == ("year", "minor_children", ["deceased"])
    assert allowance.funded_from == ["retained_dues"]


# --- 004 临沂市总工会 ----------------------------------------------------------------------------------------------


def test_linyi_is_a_government_body_without_semesters() -> None:
    p = pack("linyi-zonggonghui-2016")
    assert p.calendar.semesters == []
    assert all(t.interval != "semester" for t in p.talks.periodic)
    assert p.metadata.number == "临会党委〔2016〕2号"
    commendation = p.incentives.commendation
    assert commendation.every_years == 1
    assert "before" in commendation.defaulted


# --- 003 XX区 -------------------------------------------------------------------------------------------------------


def test_xx_district_bonus_ratios_with_carry_over_match_the_paid_amounts() -> None:
    bonus = pack("xx-district").incentives.bonus
    assert bonus.ratios == {"优秀": 100, "良好": 80, "合格": 50, "不合格": 0}
    assert bonus.carry_over
    full = Decimal("1232")
    # The seed reports 1232 / 986 / 616 元 actually paid.
    assert [bonus.amount(g, full) for g in ("优秀", "良好", "合格", "不合格")] == [
        Decimal("1232.00"),
        Decimal("986.00"),
        Decimal("616.00"),
        Decimal("0.00"),
    ]


def test_xx_district_subsidy_80_yuan_a_month() -> None:
    subsidy = pack("xx-district").subsidies[0]
    assert subsidy.amount == Decimal("80.00") and subsidy.per == "month"
    as_of = dt.date(2024, 6, 1)
    base = {"birth_date": dt.date(1940, 1, 1), "has_fixed_income": False, "has_pension": False}
    assert evaluate(subsidy.where, {**base, "joined_on": dt.date(1969, 6, 1)}, as_of)  # party age 55
    assert not evaluate(subsidy.where, {**base, "joined_on": dt.date(1969, 6, 2)}, as_of)  # 54
    assert not evaluate(subsidy.where, {**base, "joined_on": dt.date(1960, 1, 1), "has_pension": True}, as_of)
    dibao = {"birth_date": dt.date(1974, 1, 1), "joined_on": dt.date(2004, 1, 1), "receives_dibao": True}
    assert evaluate(subsidy.where, dibao, as_of)  # age 50, party age 20, 低保
    assert not evaluate(subsidy.where, {**dibao, "receives_dibao": False}, as_of)


def test_xx_district_honorary_members() -> None:
    p = pack("xx-district")
    h = p.honorary_members
    assert h.eligibility.all[0].value == 70
    assert (h.checkups_per_year, h.young_contact) == (1, True)
    twice = next(v for v in p.visits.periodic if v.id == "honorary-concentrated-visits")
    assert (twice.interval, twice.times) == ("year", 2)


# --- 003 张掖 / 明仁街道 -------------------------------------------------------------------------------------------


def test_zhangye_seven_must_talks_and_mingren_six() -> None:
    duties = {d.id: d for d in pack("zhangye-mingren").talks.event_triggered}
    assert len(duties["zhangye-seven-must-talks"].items) == 7
    assert len(duties["mingren-six-must-talks"].items) == 6
    assert "retired" in duties["mingren-six-must-talks"].events
    assert "work_mistake" in duties["zhangye-seven-must-talks"].events


def test_zhangye_mingren_five_must_visits_include_returning_mobile_members_and_unpaid_dues() -> None:
    p = pack("zhangye-mingren")
    mingren = next(d for d in p.visits.event_triggered if d.id == "mingren-five-must-visits")
    zhangye = next(d for d in p.visits.event_triggered if d.id == "zhangye-five-must-visits")
    assert len(mingren.items) == len(zhangye.items) == 5
    assert "returned_home" in mingren.events and "returned_home" in zhangye.events
    assert {"dues_arrears", "missed_org_life"} <= set(mingren.events)
    assert {"wedding", "bereavement"} <= set(zhangye.events)
    # One event in several lists: the engine sees every rule for it.
    assert {r.duty.id for r in p.visits.rules_for_event("returned_home")} == {
        "mingren-five-must-visits",
        "zhangye-five-must-visits",
    }


def test_zhangye_interest_free_rolling_loans_needs_survey_and_birthdays() -> None:
    p = pack("zhangye-mingren")
    assert p.fund.loans.interest_free and p.fund.loans.rolling
    assert p.needs_survey.interval == "year"
    assert p.birthday_celebrations.cadences == ["month", "quarter"]
    assert p.approvals["difficulty_registration"].requires_democratic_review


def test_dinggao_visits_on_eid_al_adha() -> None:
    p = pack("dinggao")
    assert p.calendar.holiday("gurbang").calendar == "hijri"
    assert "gurbang" in p.visits.holiday[0].holidays
    assert dt.date(2025, 6, 6) in [h.date for h in p.calendar.holidays_in(2025) if h.code == "gurbang"]
