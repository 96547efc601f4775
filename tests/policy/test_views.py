"""The policy screens: presets, the pack in force for an organisation with sources and history, activation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from partycare.policy.models import PolicyActivation
from partycare.policy.services import activate_pack

pytestmark = pytest.mark.django_db
MakeClient = Callable[[str], Client]


def test_index_lists_presets_and_the_users_organisations(world: SimpleNamespace, client_for: MakeClient) -> None:
    activate_pack(actor=world.admin, org=world.root, pack="xian-caijing-2018", effective_from=dt.date(2018, 9, 1))
    html = client_for("admin").get(reverse("policy:index")).content.decode()
    assert "西安财经学院（2018）" in html and "西财党发〔2018〕16号" in html
    assert reverse("policy:org", args=[world.root.pk]) in html
    assert reverse("policy:preset", args=["zhangye-mingren"]) in html


def test_preset_page_shows_rules_with_their_sources(world: SimpleNamespace, client_for: MakeClient) -> None:
    response = client_for("member").get(reverse("policy:preset", args=["xian-caijing-2018"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "党支部书记每学期至少1次与本支部每一名党员谈心谈话" in html
    assert "来源001 三(二)1" in html
    assert "党支部书记每学期至少与本支部每一名党员谈心一次" in html  # the quote itself
    assert "默认" in html


def test_unknown_preset_is_404(world: SimpleNamespace, client_for: MakeClient) -> None:
    assert client_for("admin").get(reverse("policy:preset", args=["nope"])).status_code == 404


def test_org_page_shows_the_inherited_pack_and_history(world: SimpleNamespace, client_for: MakeClient) -> None:
    activate_pack(actor=world.admin, org=world.root, pack="xian-caijing-2018", effective_from=dt.date(2018, 9, 1))
    activate_pack(actor=world.admin, org=world.root, pack="xinxiang-2020", effective_from=dt.date(2021, 1, 1))
    client = client_for("bsec")
    html = client.get(reverse("policy:org", args=[world.b1.pk])).content.decode()
    assert "新乡学院（2020）" in html
    assert "继承上级组织“测试大学党委”的政策包" in html
    assert "收到申请后7日内安排谈心谈话" in html
    assert "2021-01-01" in html and "2018-09-01" in html  # both activations in the history
    # A past date shows what was in force then.
    past = client.get(reverse("policy:org", args=[world.b1.pk]), {"as_of": "2019-06-01"}).content.decode()
    assert "2019-06-01 适用：西安财经学院（2018）" in past
    assert "启用新的政策包" not in html  # a branch secretary cannot activate


def test_org_page_without_any_pack(world: SimpleNamespace, client_for: MakeClient) -> None:
    html = client_for("admin").get(reverse("policy:org", args=[world.b1.pk])).content.decode()
    assert "均未启用政策包" in html


def test_out_of_scope_organisation_is_not_found(world: SimpleNamespace, client_for: MakeClient) -> None:
    # The branch secretary of b1 cannot see b3 (another college); missing and forbidden look the same.
    assert client_for("bsec").get(reverse("policy:org", args=[world.b3.pk])).status_code == 404
    assert client_for("bsec").get(reverse("policy:org", args=[987654])).status_code == 404


def test_anonymous_users_are_sent_to_login(world: SimpleNamespace) -> None:
    response = Client().get(reverse("policy:index"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_admin_activates_from_the_page(world: SimpleNamespace, client_for: MakeClient) -> None:
    client = client_for("admin")
    page = client.get(reverse("policy:org", args=[world.root.pk])).content.decode()
    assert "启用新的政策包" in page
    response = client.post(
        reverse("policy:activate", args=[world.root.pk]),
        {"pack": "sichuan-wenli-2020", "effective_from": "2020-04-01", "note": "党委会决定"},
        follow=True,
    )
    assert "已启用“四川文理学院（2020）”" in response.content.decode()
    activation = PolicyActivation.objects.get()
    assert (activation.org, activation.activated_by, activation.note) == (world.root, world.admin, "党委会决定")


def test_activation_errors_are_shown_and_change_nothing(world: SimpleNamespace, client_for: MakeClient) -> None:
    response = client_for("admin").post(
        reverse("policy:activate", args=[world.root.pk]),
        {"pack": "sichuan-wenli-2020", "effective_from": "2019-01-01"},
        follow=True,
    )
    assert "早于政策文件生效日期" in response.content.decode()
    assert not PolicyActivation.objects.exists()


def test_a_branch_secretary_may_not_activate(world: SimpleNamespace, client_for: MakeClient) -> None:
    response = client_for("bsec").post(
        reverse("policy:activate", args=[world.b1.pk]), {"pack": "sichuan-wenli-2020", "effective_from": "2021-01-01"}
    )
    assert response.status_code == 403
    assert not PolicyActivation.objects.exists()
