"""The audit log screen: who may open it, filters, old → new values."""

from __future__ import annotations

from django.urls import reverse

from partycare.members.services import update_member


def test_audit_page_is_404_for_branch_secretary_and_200_for_auditor(world, client_for):
    assert client_for("bsec").get(reverse("audit:list")).status_code == 404
    response = client_for("auditor").get(reverse("audit:list"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count > 0


def test_audit_page_shows_old_and_new_values_and_filters_by_object(world, client_for):
    update_member(actor=world.bsec, member=world.m1, changes={"position": "教授"})
    response = client_for("auditor").get(
        reverse("audit:list"), {"object_type": "members.member", "object_id": world.m1.pk, "event": "member.update"}
    )
    entries = list(response.context["page_obj"])
    assert [e.event for e in entries] == ["member.update"]
    page = response.content.decode()
    assert "职务/岗位" in page and "教授" in page and "→" in page


def test_audit_page_filters_by_actor_and_dates(world, client_for):
    update_member(actor=world.bsec, member=world.m1, changes={"position": "教授"})
    client = client_for("auditor")
    by_actor = client.get(reverse("audit:list"), {"actor_label": "bsec"}).context["page_obj"]
    assert {e.actor_label for e in by_actor} == {"bsec"}
    none_yet = client.get(reverse("audit:list"), {"date_to": "2000-01-01"}).context["page_obj"]
    assert none_yet.paginator.count == 0


def test_audit_page_shows_changes_whose_keys_are_not_model_fields(world, client_for):
    from django.db import transaction

    from partycare.audit.services import record_change

    with transaction.atomic():  # e.g. the demo generator's summary row: "members" is a reverse relation here
        record_change(actor=None, action="other", obj=world.root, event="demo.generate", changes={"members": 3000})
    response = client_for("auditor").get(reverse("audit:list"), {"event": "demo.generate"})
    assert response.status_code == 200
    assert "3000" in response.content.decode()
