"""Invalid packs are rejected with the path inside the file and a reason in Chinese and English."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from partycare.policy.errors import PackInvalid
from partycare.policy.loader import load_preset, load_text, validate_pack

SOURCE = {"seed": "001", "para": "三(二)1", "quote": "党支部书记每学期至少与本支部每一名党员谈心一次"}


def minimal() -> dict[str, Any]:
    return {
        "slug": "test-pack",
        "version": "1",
        "metadata": {
            "name": "测试",
            "institution": "测试党委",
            "title": "测试办法",
            "effective_from": "2024-01-01",
            "source_seed": "001",
        },
        "calendar": {
            "holidays": [{"code": "qiyi", "name": "七一", "month": 7, "day": 1}],
            "semesters": [
                {"code": "autumn", "name": "秋季学期", "start": "09-01", "end": "01-31"},
                {"code": "spring", "name": "春季学期", "start": "02-01", "end": "07-31"},
            ],
        },
        "talks": {
            "periodic": [
                {
                    "id": f"t{i}",
                    "by": "branch_secretary",
                    "whom": {"relations": ["members_of_branch"]},
                    "interval": "semester",
                    "source": SOURCE,
                }
                for i in range(3)
            ]
        },
        "approvals": {
            "dues_reduction": {
                "source": SOURCE,
                "steps": [
                    {"action": "apply", "level": "self"},
                    {"action": "approve", "level": "committee", "final": True, "collective": True},
                ],
            }
        },
    }


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(PackInvalid) as caught:
        validate_pack(data)
    return [str(i) for i in caught.value.issues]


def test_the_minimal_pack_is_valid() -> None:
    pack = validate_pack(minimal())
    assert pack.talks.periodic[2].interval == "semester"


def test_wrong_interval_names_the_path_in_both_languages() -> None:
    data = minimal()
    data["talks"]["periodic"][2]["interval"] = "fortnight"
    assert problems(data) == [
        "talks.periodic[2].interval: 'fortnight' 不是允许的取值 / is not one of year, semester, quarter, month"
    ]


def test_unknown_key_is_rejected_with_a_suggestion() -> None:
    data = minimal()
    data["talks"]["periodic"][0]["intervall"] = "year"
    (msg,) = problems(data)
    assert msg.startswith("talks.periodic[0].intervall: 不认识的键")
    assert "did you mean 'interval'?" in msg


def test_unknown_top_level_section_is_rejected() -> None:
    data = minimal()
    data["medal"] = []
    assert problems(data)[0].startswith("medal: 不认识的键")


def test_wrong_type() -> None:
    data = minimal()
    data["talks"]["periodic"][1]["times"] = "twice"
    (msg,) = problems(data)
    assert msg.startswith("talks.periodic[1].times: 'twice' 应为整数")
    assert "must be a whole number" in msg


def test_impossible_holiday_date() -> None:
    data = minimal()
    data["calendar"]["holidays"][0].update(month=2, day=30)
    (msg,) = problems(data)
    assert msg.startswith("calendar.holidays[0]: 2月30日 不是有效日期")


def test_impossible_semester_boundary() -> None:
    data = minimal()
    data["calendar"]["semesters"][1]["end"] = "06-31"
    (msg,) = problems(data)
    assert msg.startswith("calendar.semesters[1].end: 6月31日 不是有效日期")


def test_impossible_document_date_is_reported_at_its_path_not_as_a_parser_crash() -> None:
    text = yaml.safe_dump(minimal(), allow_unicode=True).replace("'2024-01-01'", "2023-02-29")
    with pytest.raises(PackInvalid) as caught:
        load_text(text)
    (issue,) = caught.value.issues
    assert issue.path == "metadata.effective_from"
    assert "不是有效日期" in issue.zh


def test_lunar_day_31_is_impossible() -> None:
    data = minimal()
    data["calendar"]["holidays"].append({"code": "x", "name": "x", "calendar": "lunar", "month": 1, "day": 31})
    assert problems(data) == [
        "calendar.holidays[1]: 农历没有31日（每月最多30天） / lunar months have at most 30 days, got 31"
    ]


def test_chain_without_final_step_is_invalid() -> None:
    data = minimal()
    data["approvals"]["dues_reduction"]["steps"][1]["final"] = False
    (msg,) = problems(data)
    assert msg.startswith("approvals.dues_reduction: 审批链缺少最终决定步骤")
    assert "no final decision step" in msg


def test_chain_may_only_notify_after_the_final_step() -> None:
    data = minimal()
    data["approvals"]["dues_reduction"]["steps"].append({"action": "opinion", "level": "branch"})
    assert "after the final decision only notice, notify or pay" in problems(data)[0]


def test_notice_step_needs_days() -> None:
    data = minimal()
    data["approvals"]["dues_reduction"]["steps"].insert(1, {"action": "notice", "level": "branch"})
    assert problems(data)[0].startswith("approvals.dues_reduction.steps[1]: 公示步骤须写 notice_days")


def test_unknown_case_type() -> None:
    data = minimal()
    data["approvals"]["holiday_bonus"] = data["approvals"]["dues_reduction"]
    assert problems(data)[0].startswith("approvals.holiday_bonus: 'holiday_bonus' 不是允许的取值")


def test_condition_on_unknown_field() -> None:
    data = minimal()
    data["talks"]["periodic"][0]["whom"]["where"] = {
        "all": [
            {"field": "category", "op": "eq", "value": "retired"},
            {"not": {"field": "salery", "op": "gt", "value": 1}},
        ]
    }
    (msg,) = problems(data)
    assert msg.startswith("talks.periodic[0].whom.where.all[1].not: 未知的党员字段 'salery'")


def test_condition_with_wrong_operator_or_value() -> None:
    data = minimal()
    data["talks"]["periodic"][0]["whom"]["where"] = {"field": "in_difficulty", "op": "gte", "value": 3}
    assert "cannot be used on field 'in_difficulty'" in problems(data)[0]
    data["talks"]["periodic"][0]["whom"]["where"] = {"field": "category", "op": "eq", "value": "pensioner"}
    assert "'pensioner' is not one of staff, student, retired, other" in problems(data)[0]
    data["talks"]["periodic"][0]["whom"]["where"] = {"field": "age", "op": "gte"}
    assert "needs a value" in problems(data)[0]


def test_condition_without_a_recognisable_shape() -> None:
    data = minimal()
    data["talks"]["periodic"][0]["whom"]["where"] = {"either": []}
    assert problems(data) == [
        "talks.periodic[0].whom.where: 条件须含 all、any、not 或 field 之一 / a condition needs one of the keys "
        "all, any, not or field"
    ]


def test_assessment_weights_must_sum_to_100() -> None:
    data = minimal()
    data["incentives"] = {
        "grades": [{"name": "优秀", "min_score": 90}, {"name": "合格", "min_score": 0}],
        "assessments": [
            {
                "id": "a",
                "name": "考核",
                "subject": "branch",
                "source": SOURCE,
                "dimensions": [{"code": "x", "name": "X", "weight": 60}, {"code": "y", "name": "Y", "weight": 30}],
            }
        ],
    }
    (msg,) = problems(data)
    assert msg.startswith("incentives.assessments[0]: 各维度权重之和须为 100，现为 90")


def test_semester_duty_needs_semesters() -> None:
    data = minimal()
    data["calendar"]["semesters"] = []
    issues = problems(data)
    assert issues[0].startswith("talks.periodic[0].interval: 按学期执行需要在 calendar.semesters 中定义学期")
    assert len(issues) == 3


def test_holiday_visit_must_name_a_defined_holiday() -> None:
    data = minimal()
    data["visits"] = {
        "holiday": [
            {
                "id": "h",
                "holidays": ["qiyi", "chunjie"],
                "by": "branch_secretary",
                "whom": {"relations": ["members_of_branch"]},
                "source": SOURCE,
            }
        ]
    }
    assert problems(data)[0].startswith("visits.holiday[0].holidays[1]: 节日 'chunjie' 未在 calendar.holidays 中定义")


def test_relation_must_fit_the_acting_role() -> None:
    data = minimal()
    data["talks"]["periodic"][0]["by"] = "leader"
    assert "relation 'members_of_branch' does not apply to 'leader'" in problems(data)[0]


def test_money_must_not_be_a_float() -> None:
    data = copy.deepcopy(load_preset("xx-district").to_content())
    data["subsidies"][0]["amount"] = 80.5
    (msg,) = problems(data)
    assert msg.startswith("subsidies[0].amount: 金额须写成带引号的字符串")
    data["subsidies"][0]["amount"] = "80.005"
    assert "at most 2 decimal places" in problems(data)[0]


def test_defaulted_must_name_a_field_of_the_rule() -> None:
    data = minimal()
    data["talks"]["periodic"][0]["defaulted"] = {"within_days": "原文未规定"}
    assert "defaulted names keys this rule does not have: within_days" in problems(data)[0]


def test_a_seed_source_needs_its_quote() -> None:
    data = minimal()
    data["talks"]["periodic"][0]["source"] = {"seed": "001", "para": "三"}
    assert problems(data)[0].startswith("talks.periodic[0].source: 引用 seed 时须给出原文 quote")


def test_linkage_refers_to_known_grades() -> None:
    data = minimal()
    data["incentives"] = {
        "grades": [{"name": "优秀", "min_score": 90}, {"name": "合格", "min_score": 0}],
        "linkage": [
            {
                "id": "l",
                "when": {"assessment": "leader_annual", "grade": "优秀"},
                "requires": {"assessment": "nonexistent", "grade": "卓越"},
                "source": SOURCE,
            }
        ],
    }
    issues = problems(data)
    assert issues[0].startswith("incentives.linkage[0].requires.assessment: 考核 'nonexistent' 未定义")
    assert issues[1].startswith("incentives.linkage[0].requires.grade: 等次 '卓越' 不在 incentives.grades 中")


def test_several_problems_are_all_reported() -> None:
    data = minimal()
    data["talks"]["periodic"][0]["interval"] = "weekly"
    data["talks"]["periodic"][1]["by"] = "janitor"
    del data["metadata"]["title"]
    paths = sorted(msg.split(":")[0] for msg in problems(data))
    assert paths == ["metadata.title", "talks.periodic[0].interval", "talks.periodic[1].by"]


def test_duplicate_yaml_key_is_an_error_not_silently_overwritten() -> None:
    text = "slug: a\nslug: b\n"
    with pytest.raises(PackInvalid) as caught:
        load_text(text)
    assert "key 'slug' appears twice" in str(caught.value)


def test_yaml_syntax_error_gives_the_line() -> None:
    with pytest.raises(PackInvalid) as caught:
        load_text("slug: [unclosed\n")
    assert "line 2" in caught.value.issues[0].en


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(PackInvalid) as caught:
        load_text("- just a list\n")
    assert caught.value.issues[0].en == "the file must contain a mapping at the top level"
