"""Logging in and out, the locked-out page, the home page's scope summary and the side menu."""

from __future__ import annotations

from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD


def test_login_form_logs_in_and_lands_on_home(world):
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert 'name="username"' in page and "登录" in page
    response = client.post(reverse("login"), {"username": "bsec", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert client.get(reverse("web:home")).status_code == 200


def test_wrong_password_shows_message(world):
    response = Client().post(reverse("login"), {"username": "bsec", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=2)
def test_repeated_failures_show_the_locked_out_page(world):
    client = Client()
    for _ in range(2):
        client.post(reverse("login"), {"username": "bsec", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "bsec", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "账号已暂时锁定" in page and "请在 15 分钟后再试" in page


def test_logout_is_a_post_and_ends_the_session(world, client_for):
    client = client_for("bsec")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("web:home")).status_code == 302


def test_home_shows_roles_organisations_and_member_counts(world, client_for):
    response = client_for("bsec").get(reverse("web:home"))
    lines = response.context["scope_lines"]
    assert [(line.role_label, line.org, line.member_count) for line in lines] == [("党支部书记", world.b1, 3)]
    assert response.context["member_total"] == 3
    page = response.content.decode()
    assert "党支部书记" in page and "文学院教工第一党支部" in page


def test_home_for_plain_member_links_to_own_record(world, client_for):
    page = client_for("member").get(reverse("web:home")).content.decode()
    assert reverse("members:detail", args=[world.m2.pk]) in page


def test_side_menu_follows_scope(world, client_for):
    def menu(user: str) -> set[str]:
        return {str(item.label) for item in client_for(user).get(reverse("web:home")).context["nav_items"]}

    assert "审计日志" not in menu("bsec") and "党员名册" in menu("bsec")
    assert "审计日志" in menu("auditor")
    assert menu("outsider") == {"首页"}


def test_not_found_page_is_ours(world, client_for):
    response = client_for("bsec").get("/members/999999/")
    assert response.status_code == 404
    assert "不在您的管理范围内" in response.content.decode()
