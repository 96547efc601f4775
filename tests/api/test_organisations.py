"""The organisation tree through the API."""

from __future__ import annotations

from partycare.audit.models import AuditEntry
from partycare.orgs.models import Organisation
from tests.api.helpers import assert_structured

ORGS = "/api/v1/organisations/"


def test_detail_has_parent_depth_and_path_name(world, api_for):
    row = api_for("admin").get(f"{ORGS}{world.gb1.pk}/").json()
    assert (row["parent"], row["depth"], row["path_name"]) == (world.root.pk, 2, "测试大学党委 / 文学院党总支")
    assert (row["kind"], row["kind_label"], row["children_count"]) == ("general_branch", "党总支", 2)


def test_list_gives_each_row_its_own_path_and_filters(world, api_for):
    client = api_for("admin")
    rows = {row["id"]: row for row in client.get(ORGS).json()["results"]}
    assert rows[world.root.pk]["parent"] is None
    assert rows[world.b3.pk]["parent"] == world.gb2.pk
    assert rows[world.b3.pk]["path_name"] == "测试大学党委 / 理学院党委 / 理学院教工党支部"
    branches = client.get(ORGS, {"kind": "branch", "within": world.gb1.pk}).json()["results"]
    assert {row["id"] for row in branches} == {world.b1.pk, world.b2.pk}
    assert_structured(client.get(ORGS, {"kind": "planet"}), 400, "invalid")


def test_branch_secretary_sees_ancestor_names_but_not_ancestors(world, api_for):
    client = api_for("bsec")
    row = client.get(f"{ORGS}{world.b1.pk}/").json()
    assert row["path_name"] == "测试大学党委 / 文学院党总支 / 文学院教工第一党支部"
    assert_structured(client.get(f"{ORGS}{row['parent']}/"), 404)


def test_create_update_through_services(world, api_for):
    client = api_for("admin")
    response = client.post(ORGS, {"parent": world.gb1.pk, "name": "文学院退休党支部", "kind": "branch"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["parent"], created["depth"], created["status"]) == (world.gb1.pk, 3, "active")
    assert AuditEntry.objects.filter(event="org.create", object_id=str(created["id"])).exists()

    response = client.patch(f"{ORGS}{created['id']}/", {"short_name": "退休支部"}, format="json")
    assert response.status_code == 200, response.content
    assert Organisation.objects.get(pk=created["id"]).short_name == "退休支部"
    error = assert_structured(client.patch(f"{ORGS}{created['id']}/", {"parent": world.gb2.pk}, format="json"), 400)
    assert list(error["fields"]) == ["parent"]


def test_create_refusals(world, api_for):
    before = Organisation.objects.count()
    # A group cannot sit directly under a general branch: the service's rule, reported on the field.
    error = assert_structured(
        api_for("admin").post(ORGS, {"parent": world.gb1.pk, "name": "某小组", "kind": "group"}, format="json"), 400
    )
    assert "parent" in error["fields"]
    error = assert_structured(api_for("admin").post(ORGS, {"parent": world.gb1.pk}, format="json"), 400)
    assert set(error["fields"]) == {"name", "kind"}
    # Visible, but managing the tree is the organisation department's job.
    body = {"parent": world.gb1.pk, "name": "新支部", "kind": "branch"}
    assert_structured(api_for("gbsec").post(ORGS, body, format="json"), 403, "permission_denied")
    # Not visible at all: the parent "does not exist" for this caller.
    body = {"parent": world.b3.pk, "name": "新支部", "kind": "group"}
    error = assert_structured(api_for("bsec").post(ORGS, body, format="json"), 400)
    assert list(error["fields"]) == ["parent"]
    assert Organisation.objects.count() == before


def test_move_refuses_a_cycle(world, api_for):
    response = api_for("admin").post(f"{ORGS}{world.gb1.pk}/move/", {"parent": world.b1.pk}, format="json")
    error = assert_structured(response, 400, "cycle")
    assert "parent" in error["fields"]
    assert Organisation.objects.get(pk=world.b1.pk).path.startswith(Organisation.objects.get(pk=world.gb1.pk).path)


def test_move_carries_the_subtree(world, api_for):
    client = api_for("admin")
    response = client.post(f"{ORGS}{world.b1.pk}/move/", {"parent": world.gb2.pk}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["parent"], response.json()["path_name"]) == (
        world.gb2.pk,
        "测试大学党委 / 理学院党委 / 文学院教工第一党支部",
    )
    # The general-branch secretary of gb1 no longer reaches b1's members.
    names = {row["name"] for row in api_for("gbsec").get("/api/v1/members/").json()["results"]}
    assert names == {"李娜"}


def test_move_by_someone_who_cannot_manage_the_tree(world, api_for):
    response = api_for("gbsec").post(f"{ORGS}{world.b1.pk}/move/", {"parent": world.b2.pk}, format="json")
    assert_structured(response, 403)


def test_posts(world, api_for):
    rows = api_for("member").get(f"{ORGS}{world.b1.pk}/posts/").json()
    assert [(row["post"], row["member_name"]) for row in rows] == [("secretary", "陈静")]


def test_parent_must_be_given_explicitly(world, api_for):
    error = assert_structured(api_for("admin").post(ORGS, {"name": "某党委", "kind": "committee"}, format="json"), 400)
    assert list(error["fields"]) == ["parent"]
    response = api_for("root_user").post(ORGS, {"parent": None, "name": "某党委", "kind": "committee"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["parent"], response.json()["depth"]) == (None, 1)
