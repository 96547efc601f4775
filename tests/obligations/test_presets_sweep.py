"""The sweep runs every shipped preset, through real activations, and encodes what the seeds say."""

from __future__ import annotations

import datetime as dt

import pytest

from partycare.members.services import record_life_event, update_member
from partycare.obligations.engine import sweep
from partycare.obligations.models import Obligation, ObligationState
from partycare.policy.loader import load_preset, preset_slugs
from partycare.policy.services import activate_pack

D = dt.date


@pytest.mark.parametrize("slug", preset_slugs())
def test_every_preset_sweeps_without_error(world, slug):
    effective = load_preset(slug).effective_from
    activate_pack(actor=world.root_user, org=world.root, pack=slug, effective_from=effective)
    update_member(actor=world.root_user, member=world.m3, changes={"honorary": True, "in_difficulty": True})
    for member, event in ((world.m1, "hospitalised"), (world.m2, "position_change"), (world.m4, "deceased")):
        record_life_event(actor=world.root_user, member=member, kind=event, occurred_on=D(2025, 3, 1))
    report = sweep(as_of=D(2025, 7, 15))
    again = sweep(as_of=D(2025, 7, 15))
    assert again.total_inserted == 0
    assert report.total_inserted == Obligation.objects.count() > 0


def _talk_periods(member):
    return set(
        Obligation.objects.filter(subject_member=member, kind="talk", rule__contains="members_of_branch").values_list(
            "period_key", flat=True
        )
    )


def test_xian_talks_each_semester_sichuan_each_year(world):
    activate_pack(actor=world.root_user, org=world.gb1, pack="xian-caijing-2018", effective_from=D(2024, 1, 1))
    activate_pack(actor=world.root_user, org=world.gb2, pack="sichuan-wenli-2020", effective_from=D(2024, 1, 1))
    sweep(as_of=D(2025, 3, 1))
    assert _talk_periods(world.m1) == {"2024-autumn", "2025-spring"}  # 西安财经 (gb1): 每学期
    assert _talk_periods(world.m4) == {"2025"}  # 四川文理 (gb2): 每年


def test_xinxiang_requested_talk_and_medal(world):
    from partycare.care.services import request_talk
    from tests.factories import make_member

    activate_pack(actor=world.root_user, org=world.root, pack="xinxiang-2020", effective_from=D(2021, 1, 1))
    leader = make_member(world.b3, world.root_user, name="校领导", leadership_level="school")
    request = request_talk(actor=world.member, member=world.m2, leader=leader, requested_on=D(2025, 5, 6))
    veteran = make_member(
        world.b1,
        world.root_user,
        birth_date=D(1950, 1, 1),
        joined_on=D(1974, 6, 1),
        full_member_on=D(1975, 6, 30),
        category="retired",
    )
    sweep(as_of=D(2025, 5, 20))
    duty = Obligation.objects.get(trigger_request=request)
    assert duty.due_on == D(2025, 5, 13) and duty.state == ObligationState.OVERDUE
    assert Obligation.objects.filter(kind="medal", subject_member=veteran, due_on=D(2025, 7, 1)).exists()


def test_zhangye_visits_returning_mobile_members(world):
    activate_pack(actor=world.root_user, org=world.root, pack="zhangye-mingren", effective_from=D(2024, 12, 1))
    update_member(actor=world.root_user, member=world.m1, changes={"mobile": True})
    event = record_life_event(actor=world.root_user, member=world.m1, kind="returned_home", occurred_on=D(2025, 2, 1))
    sweep(as_of=D(2025, 2, 2))
    assert Obligation.objects.filter(trigger_event=event, kind="visit").exists()
