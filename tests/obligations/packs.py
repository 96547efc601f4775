"""A compact pack for engine tests, written the way a preset is (validated by the real schema)."""

from __future__ import annotations

import copy
from typing import Any

from partycare.policy.loader import validate_pack
from partycare.policy.schema import PolicyPack

SRC = {"doc": "engine test", "para": "—"}

BASE: dict[str, Any] = {
    "slug": "engine-test",
    "version": "1",
    "metadata": {
        "name": "引擎测试",
        "institution": "测试大学党委",
        "title": "测试用政策包",
        "effective_from": "2020-01-01",
        "source_seed": "000",
    },
    "calendar": {
        "holidays": [
            {"code": "july_first", "name": "七一", "month": 7, "day": 1},
            {"code": "spring_festival", "name": "春节", "calendar": "lunar", "month": 1, "day": 1},
        ],
        "semesters": [
            {"code": "autumn", "name": "秋季学期", "start": "09-01", "end": "01-31"},
            {"code": "spring", "name": "春季学期", "start": "02-01", "end": "07-31"},
        ],
    },
    "talks": {
        "periodic": [
            {
                "id": "secretary-members",
                "by": "branch_secretary",
                "whom": {"relations": ["members_of_branch"]},
                "interval": "semester",
                "source": SRC,
            },
            {
                "id": "general-secretaries",
                "by": "general_secretary",
                "whom": {"relations": ["branch_secretaries_in_subtree"]},
                "interval": "quarter",
                "source": SRC,
            },
        ],
        "event_triggered": [
            {
                "id": "must-talk",
                "name": "四必谈",
                "by": "branch_secretary",
                "within_days": 15,
                "items": [{"label": "岗位变动时必谈", "events": ["position_change"]}],
                "source": SRC,
            }
        ],
        "requested": {"by": ["leader"], "deadline_days": 7, "source": SRC},
    },
    "visits": {
        "periodic": [
            {
                "id": "over-80",
                "by": "branch_secretary",
                "whom": {
                    "relations": ["members_of_branch"],
                    "where": {
                        "all": [
                            {"field": "category", "op": "eq", "value": "retired"},
                            {"field": "age", "op": "gte", "value": 80},
                        ]
                    },
                },
                "interval": "year",
                "source": SRC,
            },
            {
                "id": "honorary",
                "by": "branch_secretary",
                "whom": {"relations": ["members_of_branch"], "where": {"field": "honorary", "op": "is_true"}},
                "interval": "year",
                "times": 2,
                "source": SRC,
            },
        ],
        "holiday": [
            {
                "id": "festivals",
                "holidays": ["spring_festival", "july_first"],
                "by": "branch_secretary",
                "whom": {"relations": ["members_of_branch"], "where": {"field": "in_difficulty", "op": "is_true"}},
                "days_before": 10,
                "days_after": 5,
                "source": SRC,
            }
        ],
        "event_triggered": [
            {
                "id": "must-visit",
                "name": "四必访",
                "by": "branch_secretary",
                "within_days": 3,
                "items": [{"label": "患病住院必访", "events": ["hospitalised"]}],
                "source": SRC,
            }
        ],
        "end_of_life": {"condolence": {"by": "branch_secretary", "within_days": 7, "amount": "500", "source": SRC}},
    },
    "political_birthday": {"by": ["branch_secretary"], "lead_days": 7, "actions": ["birthday_card"], "source": SRC},
    "leader_links": {"by": "leader", "min_members": 2, "source": SRC},
    "medals": [
        {
            "id": "fifty-years",
            "name": "光荣在党50年",
            "where": {"field": "party_age", "op": "gte", "value": 50},
            "measured_on": "07-01",
            "awarded_by": "committee",
            "source": SRC,
        }
    ],
}


def make_pack(**changes: Any) -> PolicyPack:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return validate_pack(data, "engine-test")
