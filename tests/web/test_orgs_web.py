"""Organisation screens over HTTP: the tree in scope, creating, editing, moving (with its confirmation), posts."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from partycare.audit.models import AuditEntry
from partycare.orgs.models import Organisation, OrgPost


def test_tree_shows_only_organisations_in_scope_indented(world, client_for):
    rows = client_for("bsec").get(reverse("orgs:tree")).context["rows"]
    assert [org.name for org in rows] == ["文学院教工第一党支部"]
    rows = client_for("admin").get(reverse("orgs:tree")).context["rows"]
    assert [org.indent for org in rows if org.name in {"测试大学党委", "文学院党总支", "文学院教工第一党支部"}] == [
        0,
        1,
        2,
    ]


def test_org_detail_in_and_out_of_scope(world, client_for):
    client = client_for("bsec")
    assert client.get(reverse("orgs:detail", args=[world.b1.pk])).status_code == 200
    assert client.get(reverse("orgs:detail", args=[world.b3.pk])).status_code == 404


def test_org_detail_lists_current_secretary(world, client_for):
    page = client_for("admin").get(reverse("orgs:detail", args=[world.b1.pk])).content.decode()
    assert "陈静" in page and "书记" in page


def test_branch_secretary_cannot_restructure(world, client_for):
    client = client_for("bsec")
    for name in ("orgs:edit", "orgs:move", "orgs:create_child"):
        assert client.get(reverse(name, args=[world.b1.pk])).status_code == 404


def test_create_child_organisation(world, client_for):
    response = client_for("admin").post(
        reverse("orgs:create_child", args=[world.b1.pk]), {"name": "第一党小组", "kind": "group"}
    )
    child = Organisation.objects.get(name="第一党小组")
    assert response.status_code == 302
    assert Organisation.objects.get_parent(child) == world.b1


def test_create_child_of_impossible_kind_is_refused_on_the_form(world, client_for):
    response = client_for("admin").post(
        reverse("orgs:create_child", args=[world.b1.pk]), {"name": "错误的总支", "kind": "general_branch"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Organisation.objects.filter(name="错误的总支").exists()


def test_edit_organisation_records_old_and_new(world, client_for):
    response = client_for("admin").post(
        reverse("orgs:edit", args=[world.b1.pk]),
        {"name": "文学院教工党支部", "kind": "branch", "status": "active", "founded_on": "2001-07-01"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(event="org.update", object_id=str(world.b1.pk)).get()
    assert entry.changes["name"] == ["文学院教工第一党支部", "文学院教工党支部"]


def test_move_asks_for_confirmation_then_moves(world, client_for):
    client = client_for("admin")
    url = reverse("orgs:move", args=[world.b2.pk])
    step1 = client.post(url, {"new_parent": world.gb2.pk})
    assert step1.status_code == 200 and step1.context["confirming"]
    assert "请确认" in step1.content.decode()
    world.b2.refresh_from_db()
    assert world.b2.path.startswith(world.gb1.path)  # nothing moved yet

    step2 = client.post(url, {"new_parent": world.gb2.pk, "confirm": "yes"})
    assert step2.status_code == 302
    world.b2.refresh_from_db()
    assert Organisation.objects.get_parent(world.b2) == world.gb2


def test_moving_into_own_subtree_shows_the_refusal(world, client_for):
    client = client_for("admin")
    url = reverse("orgs:move", args=[world.gb1.pk])
    page = client.get(url).content.decode()
    assert f'value="{world.b1.pk}" disabled' in page  # offered greyed out
    response = client.post(url, {"new_parent": world.b1.pk, "confirm": "yes"})
    assert response.status_code == 200
    assert "不能把组织移到它自己或它的下级组织之下" in response.content.decode()
    world.gb1.refresh_from_db()
    assert Organisation.objects.get_parent(world.gb1) == world.root
    assert not AuditEntry.objects.filter(event="org.move").exists()


def test_assign_and_end_post(world, client_for):
    client = client_for("admin")
    response = client.post(
        reverse("orgs:assign_post", args=[world.b1.pk]),
        {"member": "张伟", "post": "organisation_member", "since": "2024-01-01"},
    )
    assert response.status_code == 302
    post = OrgPost.objects.get(member=world.m1)
    assert post.post == "organisation_member" and post.until is None

    response = client.post(reverse("orgs:end_post", args=[world.b1.pk, post.pk]), {"until": "2025-01-01"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.until == dt.date(2025, 1, 1)


def test_assign_post_to_someone_outside_the_organisation_is_refused(world, client_for):
    response = client_for("admin").post(
        reverse("orgs:assign_post", args=[world.b1.pk]),
        {"member": "刘洋", "post": "committee_member", "since": "2024-01-01"},
    )
    assert response.status_code == 400
    assert "本组织及下级组织中没有找到该党员" in response.content.decode()
    assert not OrgPost.objects.filter(member=world.m4).exists()
