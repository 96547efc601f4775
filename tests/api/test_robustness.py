"""Lists cost a constant number of queries, and even a bug answers in the structured shape."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partycare.members.services import record_life_event
from partycare.orgs.models import OrgKind
from partycare.orgs.services import create_organisation
from tests.api.helpers import assert_structured
from tests.factories import make_member


def query_count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/members/", "/api/v1/organisations/", "/api/v1/life-events/"])
def test_list_queries_do_not_grow_with_rows(world, api_for, url):
    client = api_for("admin")
    for member in (world.m1, world.m3):
        record_life_event(actor=world.root_user, member=member, kind="hospitalised", occurred_on=dt.date(2025, 1, 1))
    before = query_count(client, url)
    for index in range(6):
        branch = create_organisation(
            actor=world.root_user, parent=world.gb2, name=f"新支部{index}", kind=OrgKind.BRANCH
        )
        member = make_member(branch, world.root_user)
        record_life_event(actor=world.root_user, member=member, kind="retired", occurred_on=dt.date(2025, 2, 1))
    assert query_count(client, url) == before


def test_an_unexpected_error_is_a_structured_500_and_logged(world, api_for, monkeypatch, caplog):
    def broken(**kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("partycare.api.views.member_list", broken)
    with caplog.at_level(logging.ERROR, logger="partycare.api"):
        response = api_for("admin").get("/api/v1/members/")
    error = assert_structured(response, 500, "server_error")
    assert "boom" not in error["message"]
    assert any("boom" in (record.exc_text or str(record.exc_info)) for record in caplog.records)
