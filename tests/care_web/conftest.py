from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from partycare.common.dates import business_today
from partycare.obligations.engine import sweep
from partycare.policy.services import activate_pack
from tests.web.conftest import english_catalogue  # noqa: F401 - the compiled catalogue, shared with tests/web


@pytest.fixture
def today() -> dt.date:
    return business_today()


@pytest.fixture
def xinxiang(world: SimpleNamespace, today: dt.date) -> dt.date:
    """The Xinxiang preset (yearly talks by the branch secretary with every member) on the whole tree, swept from
    the start of last year: last year's talks are overdue, this year's are open. Returns the sweep day."""
    activate_pack(actor=world.root_user, org=world.root, pack="xinxiang-2020", effective_from=dt.date(2021, 1, 1))
    sweep(as_of=today, since=dt.date(today.year - 1, 1, 1))
    return today
