"""In a real browser: a branch secretary opens the home page on a phone, follows an overdue duty's one-click link,
and records the talk with the prefilled form."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from partycare.care.models import Talk
from partycare.common.dates import business_today
from partycare.obligations.engine import sweep
from partycare.obligations.models import Obligation, ObligationKind
from partycare.policy.services import activate_pack
from tests.browser.test_smoke import browser, log_in, world_live  # noqa: F401 - fixtures and helper shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_records_a_talk_from_the_home_page(live_server: Any, world_live: Any, browser: Any) -> None:  # noqa: F811
    today = business_today()
    activate_pack(
        actor=world_live.root_user, org=world_live.root, pack="xinxiang-2020", effective_from=dt.date(2021, 1, 1)
    )
    sweep(as_of=today, since=dt.date(today.year - 1, 1, 1))
    duty = Obligation.objects.get(
        kind=ObligationKind.TALK, subject_member=world_live.m1, period_key=str(today.year - 1)
    )

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, "bsec")
    item = page.locator(f"#my-duties [data-duty='{duty.pk}']")
    assert "已逾期" in item.inner_text()
    item.locator("[data-record-link]").click()
    page.wait_for_url(re.compile(r"/care/talks/new/\?obligation="))
    assert page.locator("#from-duty").is_visible()
    page.fill("#id_summary", "谈了去年的工作")
    page.click("#talk-form button[type=submit]")
    page.wait_for_url(re.compile(r"/care/talks/\d+/$"))
    assert "已登记谈心谈话" in page.content()
    talk = Talk.objects.get()
    assert list(talk.participants.all()) == [world_live.m1]
    assert list(talk.talkers.all()) == [world_live.secretary_member]
    context.close()
