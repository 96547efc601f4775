"""Member screens over HTTP, with the personas: scope, filters, masking and the audited reveal, forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from partycare.audit.models import AuditEntry
from partycare.common.dates import business_today
from partycare.members.models import LifeEvent, Member
from tests.factories import member_data


def names_in(response) -> set[str]:
    return {row.member.name for row in response.context["rows"]}


def test_branch_secretary_list_shows_only_own_branch(world, client_for):
    response = client_for("bsec").get(reverse("members:list"))
    assert response.status_code == 200
    assert names_in(response) == {"张伟", "王芳", "陈静"}
    assert "李娜" not in response.content.decode()  # b2
    assert "刘洋" not in response.content.decode()  # b3


def test_member_list_filters_by_name_and_by_exact_id_number(world, client_for):
    client = client_for("bsec")
    assert names_in(client.get(reverse("members:list"), {"q": "张"})) == {"张伟"}
    assert names_in(client.get(reverse("members:list"), {"q": world.m2.id_number})) == {"王芳"}
    # Someone else's ID number finds nothing for a branch secretary who does not cover them.
    assert names_in(client.get(reverse("members:list"), {"q": world.m4.id_number})) == set()


def test_member_list_filters_by_category_and_subtree(world, client_for):
    client = client_for("gbsec")
    assert names_in(client.get(reverse("members:list"), {"category": "student"})) == {"李娜"}
    assert names_in(client.get(reverse("members:list"), {"org": world.b2.pk})) == {"李娜"}


def test_member_list_offers_only_organisations_in_scope(world, client_for):
    response = client_for("bsec").get(reverse("members:list"), {"org": world.b3.pk})
    assert response.context["form"].errors  # b3 is not one of the choices
    assert names_in(response) == {"张伟", "王芳", "陈静"}  # the invalid filter narrows nothing it may not


def test_member_list_shows_derived_values_and_masked_phone(world, client_for):
    response = client_for("bsec").get(reverse("members:list"), {"q": "张伟"})
    row = response.context["rows"][0]
    assert (row.age, row.party_age) == (world.m1.age(business_today()), world.m1.party_age(business_today()))
    page = response.content.decode()
    assert world.m1.phone_masked in page
    assert world.m1.phone not in page


def test_export_link_carries_the_same_query(world, client_for):
    response = client_for("bsec").get(reverse("members:list"), {"q": "张", "category": "staff", "page": "1"})
    export_url = response.context["export_url"]
    assert export_url.startswith("/members/roster/export/?")
    assert "q=%E5%BC%A0" in export_url and "category=staff" in export_url and "page=" not in export_url


def test_member_list_paginates_fifty_per_page(world, client_for):
    for n in range(52):
        Member.objects.create(
            org=world.b1, name=f"批量{n:02d}", gender="male", birth_date=dt.date(1990, 1, 1),
            joined_on=dt.date(2015, 7, 1), category="staff",
        )  # fmt: skip
    client = client_for("bsec")
    first = client.get(reverse("members:list"))
    assert len(first.context["rows"]) == 50
    second = client.get(reverse("members:list"), {"page": 2})
    assert len(second.context["rows"]) == 55 - 50


def test_other_branch_member_is_404_for_branch_secretary_and_200_for_general_secretary(world, client_for):
    url = reverse("members:detail", args=[world.m3.pk])
    assert client_for("bsec").get(url).status_code == 404
    assert client_for("gbsec").get(url).status_code == 200
    assert client_for("bsec").get(reverse("members:detail", args=[999999])).status_code == 404


def test_detail_shows_masked_id_and_full_value_only_after_audited_reveal(world, client_for):
    client = client_for("bsec")
    url = reverse("members:detail", args=[world.m1.pk])
    page = client.get(url).content.decode()
    assert world.m1.id_number_masked in page
    assert world.m1.id_number not in page
    assert "显示完整" in page
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ_SENSITIVE).exists()

    response = client.post(reverse("members:reveal", args=[world.m1.pk]), {"field": "id_number"})
    assert response.status_code == 200
    assert world.m1.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.READ_SENSITIVE)
    assert entry.actor == world.bsec
    assert entry.object_id == str(world.m1.pk)
    assert entry.changes == {"field": "id_number"}

    # Shown once: the next visit is masked again.
    assert world.m1.id_number not in client.get(url).content.decode()


def test_reveal_through_htmx_answers_only_the_fragment(world, client_for):
    response = client_for("bsec").post(
        reverse("members:reveal", args=[world.m1.pk]), {"field": "phone"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert world.m1.phone in body
    assert "<html" not in body


def test_committee_member_gets_no_reveal_button_and_is_refused(world, client_for):
    client = client_for("committee")
    page = client.get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    assert world.m1.id_number_masked in page
    assert reverse("members:reveal", args=[world.m1.pk]) not in page
    response = client.post(reverse("members:reveal", args=[world.m1.pk]), {"field": "id_number"})
    assert response.status_code in {403, 404}
    assert world.m1.id_number not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ_SENSITIVE).exists()


def test_reveal_of_out_of_scope_member_is_404(world, client_for):
    response = client_for("bsec").post(reverse("members:reveal", args=[world.m4.pk]), {"field": "id_number"})
    assert response.status_code == 404


def test_reveal_of_a_field_that_is_not_sensitive_is_refused(world, client_for):
    response = client_for("bsec").post(reverse("members:reveal", args=[world.m1.pk]), {"field": "name"})
    assert response.status_code == 400


def form_post_data(org, **overrides):
    data = member_data(**overrides)
    post = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}
    post["org"] = org.pk
    post.setdefault("ethnicity", "汉族")
    post.setdefault("leadership_level", "none")
    post.setdefault("roll_state", "active")
    return post


def test_creating_member_with_bad_id_number_shows_checksum_error_and_writes_nothing(world, client_for):
    post = form_post_data(world.b1, name="赵磊")
    post["id_number"] = post["id_number"][:17] + ("0" if post["id_number"][17] != "0" else "1")
    members_before, audit_before = Member.objects.count(), AuditEntry.objects.count()

    response = client_for("bsec").post(reverse("members:create"), post)

    assert response.status_code == 400
    assert "身份证号校验码不正确" in response.context["form"].errors["id_number"]
    assert "身份证号校验码不正确" in response.content.decode()
    assert Member.objects.count() == members_before
    assert AuditEntry.objects.count() == audit_before


def test_creating_member_through_the_form(world, client_for):
    post = form_post_data(world.b1, name="赵磊", lives_alone="on")
    response = client_for("bsec").post(reverse("members:create"), post)
    member = Member.objects.get(name="赵磊")
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert member.lives_alone and member.org == world.b1
    assert AuditEntry.objects.filter(event="member.create", object_id=str(member.pk), actor=world.bsec).exists()


def test_creating_member_in_another_branch_is_not_offered(world, client_for):
    response = client_for("bsec").post(reverse("members:create"), form_post_data(world.b3, name="赵磊"))
    assert response.status_code == 400
    assert "org" in response.context["form"].errors
    assert not Member.objects.filter(name="赵磊").exists()


def test_committee_member_cannot_open_the_member_form(world, client_for):
    client = client_for("committee")
    assert client.get(reverse("members:create")).status_code == 404
    assert client.get(reverse("members:edit", args=[world.m1.pk])).status_code == 403


def test_edit_form_never_contains_the_full_id_number_and_keeps_it_when_left_blank(world, client_for):
    client = client_for("bsec")
    url = reverse("members:edit", args=[world.m1.pk])
    page = client.get(url).content.decode()
    assert world.m1.id_number not in page and world.m1.phone not in page
    post = form_post_data(world.b1, name="张伟", position="教授")
    for key in ("birth_date", "gender", "joined_on", "full_member_on"):
        post[key] = getattr(world.m1, key).isoformat() if key != "gender" else world.m1.gender
    post["id_number"] = post["phone"] = ""
    response = client.post(url, post)
    assert response.status_code == 302, response.context["form"].errors
    world.m1.refresh_from_db()
    assert world.m1.position == "教授"
    assert world.m1.id_number_masked and world.m1.phone_masked


def test_recording_a_life_event_from_the_detail_page(world, client_for):
    response = client_for("committee").post(
        reverse("members:add_life_event", args=[world.m1.pk]),
        {"kind": "hospitalised", "occurred_on": "2025-03-02", "note": "住院"},
    )
    assert response.status_code == 302
    event = LifeEvent.objects.get(member=world.m1)
    assert event.kind == "hospitalised" and event.recorded_by == world.committee
    page = client_for("bsec").get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    assert "患病住院" in page


def test_life_event_before_birth_shows_the_service_message(world, client_for):
    response = client_for("bsec").post(
        reverse("members:add_life_event", args=[world.m1.pk]), {"kind": "hospitalised", "occurred_on": "1900-01-01"}
    )
    assert response.status_code == 400
    assert "事件日期早于出生日期" in response.content.decode()
    assert not LifeEvent.objects.exists()


def test_discipline_and_honour_forms(world, client_for):
    client = client_for("bsec")
    response = client.post(
        reverse("members:add_discipline", args=[world.m1.pk]),
        {"kind": "warning", "decided_on": "2024-01-10", "impact_until": "2024-06-30"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("members:add_honour", args=[world.m1.pk]),
        {"title": "优秀共产党员", "awarded_on": "2024-07-01", "level": "校级"},
    )
    assert response.status_code == 302
    page = client.get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    assert "影响期已过" in page and "优秀共产党员" in page


def test_committee_member_cannot_add_discipline(world, client_for):
    response = client_for("committee").post(
        reverse("members:add_discipline", args=[world.m1.pk]),
        {"kind": "warning", "decided_on": "2024-01-10", "impact_until": "2024-06-30"},
    )
    assert response.status_code == 403
    assert not world.m1.disciplines.exists()


def test_plain_member_sees_own_record_only(world, client_for):
    client = client_for("member")
    assert client.get(reverse("members:detail", args=[world.m2.pk])).status_code == 200
    assert client.get(reverse("members:detail", args=[world.m1.pk])).status_code == 404
    assert names_in(client.get(reverse("members:list"))) == {"王芳"}


@pytest.mark.parametrize("url_name", ["members:list", "orgs:tree", "web:home"])
def test_pages_need_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
