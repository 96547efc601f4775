"""The API answers exactly what the caller's scope allows: lists filtered, single objects outside scope are 404."""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_structured

MEMBERS = "/api/v1/members/"
ORGS = "/api/v1/organisations/"


def names(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_branch_secretary_lists_only_own_branch(world, api_for):
    assert names(api_for("bsec").get(MEMBERS)) == {"张伟", "王芳", "陈静"}


def test_branch_secretary_cannot_pull_another_branch_by_filtering(world, api_for):
    client = api_for("bsec")
    assert names(client.get(MEMBERS, {"org": world.b2.pk})) == set()
    assert names(client.get(MEMBERS, {"q": world.m3.id_number})) == set()
    # Asking for a big page (the way an office exports a list) does not widen the scope either.
    assert names(client.get(MEMBERS, {"page_size": 500, "roll_state": ""})) == {"张伟", "王芳", "陈静"}


@pytest.mark.parametrize("other", ["m3", "m4"])
def test_branch_secretary_gets_404_for_another_branchs_member(world, api_for, other):
    client = api_for("bsec")
    member = getattr(world, other)
    assert_structured(client.get(f"{MEMBERS}{member.pk}/"), 404, "not_found")
    assert_structured(client.patch(f"{MEMBERS}{member.pk}/", {"position": "教授"}), 404, "not_found")
    assert_structured(client.post(f"{MEMBERS}{member.pk}/reveal/", {"field": "id_number"}), 404, "not_found")
    assert_structured(client.get(f"{MEMBERS}{member.pk}/events/"), 404, "not_found")


def test_missing_and_forbidden_look_the_same(world, api_for):
    client = api_for("bsec")
    missing = client.get(f"{MEMBERS}999999/").json()
    forbidden = client.get(f"{MEMBERS}{world.m4.pk}/").json()
    assert missing == forbidden
    assert_structured(client.get(f"{MEMBERS}not-a-number/"), 404, "not_found")


def test_general_secretary_sees_the_whole_general_branch(world, api_for):
    client = api_for("gbsec")
    assert names(client.get(MEMBERS)) == {"张伟", "王芳", "陈静", "李娜"}
    assert client.get(f"{MEMBERS}{world.m3.pk}/").json()["name"] == "李娜"
    assert_structured(client.get(f"{MEMBERS}{world.m4.pk}/"), 404)


def test_plain_member_sees_only_self(world, api_for):
    client = api_for("member")
    assert names(client.get(MEMBERS)) == {"王芳"}
    assert client.get(f"{MEMBERS}{world.m2.pk}/").status_code == 200
    assert_structured(client.get(f"{MEMBERS}{world.m1.pk}/"), 404)


def test_outsider_sees_nothing(world, api_for):
    client = api_for("outsider")
    assert names(client.get(MEMBERS)) == set()
    assert client.get(ORGS).json()["results"] == []
    assert_structured(client.get(f"{ORGS}{world.root.pk}/"), 404)


def test_organisations_are_scoped(world, api_for):
    client = api_for("bsec")
    assert {row["id"] for row in client.get(ORGS).json()["results"]} == {world.b1.pk}
    assert_structured(client.get(f"{ORGS}{world.b3.pk}/"), 404, "not_found")
    assert_structured(client.get(f"{ORGS}{world.b2.pk}/posts/"), 404, "not_found")
    gbsec = api_for("gbsec")
    assert {row["id"] for row in gbsec.get(ORGS).json()["results"]} == {world.gb1.pk, world.b1.pk, world.b2.pk}
    assert_structured(gbsec.get(f"{ORGS}{world.b3.pk}/"), 404)


def test_life_event_list_is_scoped(world, api_for):
    admin = api_for("admin")
    for member in (world.m1, world.m3, world.m4):
        response = admin.post(
            f"{MEMBERS}{member.pk}/events/", {"kind": "hospitalised", "occurred_on": "2025-03-01"}, format="json"
        )
        assert response.status_code == 201, response.content
    seen = {row["member"] for row in api_for("bsec").get("/api/v1/life-events/").json()["results"]}
    assert seen == {world.m1.pk}
    seen = {row["member"] for row in api_for("gbsec").get("/api/v1/life-events/").json()["results"]}
    assert seen == {world.m1.pk, world.m3.pk}
