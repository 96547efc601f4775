"""Chinese first; English through Django's set_language view, with the catalogue in src/partycare/locale."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation


def test_pages_are_chinese_by_default(world, client_for):
    page = client_for("bsec").get(reverse("members:list")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "党员名册" in page and "姓名或身份证号" in page


def test_switching_to_english_shows_english_labels(world, client_for, english_catalogue):
    client = client_for("bsec")
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("members:list")})
    assert response.status_code == 302 and response["Location"] == reverse("members:list")

    page = client.get(reverse("members:list")).content.decode()
    assert '<html lang="en">' in page
    for label in ("Members", "Name or ID number", "Party age", "Organisations", "Log out"):
        assert label in page, label
    assert "党员名册" not in page

    detail = client.get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    assert "Show full" in detail and "Next political birthday" in detail

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "党员名册" in client.get(reverse("members:list")).content.decode()


def test_every_ui_string_has_an_english_translation(english_catalogue):
    with translation.override("en"):
        for msgid in ("党员名册", "显示完整", "调整隶属关系", "审计日志", "账号已暂时锁定"):
            assert translation.gettext(msgid) != msgid, msgid
