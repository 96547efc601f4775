"""Members through the API: writes go through services, identifiers leave only masked, derived values as of a date."""

from __future__ import annotations

import datetime as dt
import json

from partycare.audit.models import AuditEntry
from partycare.common.idcard import make_id_number
from partycare.members.models import LifeEvent, Member
from tests.api.helpers import assert_structured
from tests.factories import member_data

MEMBERS = "/api/v1/members/"


def payload(org_id: int, **overrides: object) -> dict:
    data = {key: str(value) if isinstance(value, dt.date) else value for key, value in member_data(**overrides).items()}
    return {"org": org_id, **data}


def counts() -> tuple[int, int]:
    return Member.objects.count(), AuditEntry.objects.count()


def test_bad_id_checksum_is_a_structured_400_and_writes_nothing(world, api_for):
    body = payload(world.b1.pk, name="赵磊")
    body["id_number"] = body["id_number"][:-1] + ("0" if body["id_number"][-1] != "0" else "1")
    before = counts()
    error = assert_structured(api_for("bsec").post(MEMBERS, body, format="json"), 400, "invalid")
    assert "校验码" in error["fields"]["id_number"][0]
    assert counts() == before
    assert not Member.objects.filter(name="赵磊").exists()


def test_create_goes_through_the_service_and_answers_masked(world, api_for):
    body = payload(world.b1.pk, name="赵磊", phone="13912345678")
    response = api_for("bsec").post(MEMBERS, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["name"] == "赵磊"
    assert created["org"] == world.b1.pk
    assert created["id_number_masked"] == body["id_number"][:4] + "*" * 10 + body["id_number"][-4:]
    assert created["phone_masked"] == "139****5678"
    assert "id_number" not in created and "phone" not in created
    assert body["id_number"] not in response.content.decode() and "13912345678" not in response.content.decode()
    entry = AuditEntry.objects.get(event="member.create", object_id=str(created["id"]))
    assert entry.actor == world.bsec
    assert body["id_number"] not in json.dumps(entry.changes, ensure_ascii=False)


def test_create_outside_scope_refers_to_an_organisation_that_does_not_exist(world, api_for):
    before = counts()
    error = assert_structured(api_for("bsec").post(MEMBERS, payload(world.b3.pk), format="json"), 400, "invalid")
    assert list(error["fields"]) == ["org"]
    assert counts() == before


def test_committee_member_may_see_but_not_change(world, api_for):
    client = api_for("committee")
    assert client.get(f"{MEMBERS}{world.m1.pk}/").status_code == 200
    assert_structured(client.patch(f"{MEMBERS}{world.m1.pk}/", {"position": "教授"}, format="json"), 403)
    assert_structured(client.post(MEMBERS, payload(world.b1.pk), format="json"), 403, "permission_denied")
    world.m1.refresh_from_db()
    assert world.m1.position == ""


def test_partial_update_changes_only_what_was_sent_and_is_audited(world, api_for):
    response = api_for("bsec").patch(
        f"{MEMBERS}{world.m1.pk}/", {"position": "教授", "phone": "13700001111"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["position"] == "教授"
    assert response.json()["phone_masked"] == "137****1111"
    world.m1.refresh_from_db()
    assert (world.m1.position, world.m1.phone, world.m1.name) == ("教授", "13700001111", "张伟")
    entry = AuditEntry.objects.get(event="member.update", object_id=str(world.m1.pk))
    assert entry.changes["position"] == ["", "教授"]


def test_unknown_field_is_refused_not_ignored(world, api_for):
    error = assert_structured(
        api_for("bsec").patch(f"{MEMBERS}{world.m1.pk}/", {"positon": "教授"}, format="json"), 400, "invalid"
    )
    assert list(error["fields"]) == ["positon"]


def test_domain_rule_violation_names_the_field(world, api_for):
    error = assert_structured(
        api_for("bsec").patch(f"{MEMBERS}{world.m1.pk}/", {"joined_on": "1950-01-01"}, format="json"), 400
    )
    assert "joined_on" in error["fields"]


def test_derived_values_as_of_a_date(world, api_for):
    birth = dt.date(1980, 1, 1)
    member = Member.objects.get(pk=world.m1.pk)
    Member.objects.filter(pk=member.pk).update(
        birth_date=birth, joined_on=dt.date(2005, 7, 1), full_member_on=dt.date(2006, 7, 1)
    )
    client = api_for("bsec")
    row = client.get(f"{MEMBERS}{member.pk}/", {"as_of": "2025-06-30"}).json()
    assert (row["age"], row["party_age"], row["next_political_birthday"]) == (45, 18, "2025-07-01")
    row = client.get(f"{MEMBERS}{member.pk}/", {"as_of": "2025-07-01"}).json()
    assert (row["party_age"], row["next_political_birthday"]) == (19, "2025-07-01")
    listed = client.get(MEMBERS, {"as_of": "2026-01-01", "q": "张伟"}).json()["results"]
    assert [(r["age"], r["next_political_birthday"]) for r in listed] == [(46, "2026-07-01")]
    assert_structured(client.get(f"{MEMBERS}{member.pk}/", {"as_of": "30/06/2025"}), 400)


def test_list_filters_match_the_member_filter(world, api_for):
    client = api_for("gbsec")

    def listed(**query: object) -> set[str]:
        response = client.get(MEMBERS, query)
        assert response.status_code == 200, response.content
        return {row["name"] for row in response.json()["results"]}

    assert listed(category="student") == {"李娜"}
    assert listed(org=world.b2.pk) == {"李娜"}
    assert listed(q=world.m1.id_number) == {"张伟"}
    assert listed(q="王") == {"王芳"}
    Member.objects.filter(pk=world.m1.pk).update(lives_alone=True, birth_date=dt.date(1940, 1, 1))
    assert listed(condition="lives_alone") == {"张伟"}
    assert listed(age_min=80) == {"张伟"}
    Member.objects.filter(pk=world.m2.pk).update(roll_state="transferred_out")
    assert "王芳" not in listed()
    assert "王芳" in listed(roll_state="")
    error = assert_structured(client.get(MEMBERS, {"condition": "rich", "age_min": "old"}), 400, "invalid")
    assert set(error["fields"]) == {"condition", "age_min"}


def test_reveal_is_audited(world, api_for):
    response = api_for("bsec").post(f"{MEMBERS}{world.m1.pk}/reveal/", {"field": "id_number"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"field": "id_number", "value": world.m1.id_number}
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.READ_SENSITIVE, object_id=str(world.m1.pk))
    assert (entry.actor, entry.changes) == (world.bsec, {"field": "id_number"})


def test_reveal_is_refused_for_a_committee_member_and_not_audited(world, api_for):
    response = api_for("committee").post(f"{MEMBERS}{world.m1.pk}/reveal/", {"field": "phone"}, format="json")
    error = assert_structured(response, 403, "permission_denied")
    assert world.m1.phone not in json.dumps(error, ensure_ascii=False)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ_SENSITIVE).exists()


def test_reveal_of_an_unknown_field_is_400(world, api_for):
    response = api_for("bsec").post(f"{MEMBERS}{world.m1.pk}/reveal/", {"field": "birth_date"}, format="json")
    assert list(assert_structured(response, 400)["fields"]) == ["field"]


def test_events_create_and_list(world, api_for):
    client = api_for("committee")  # committee members record events, though they may not edit the registry
    url = f"{MEMBERS}{world.m1.pk}/events/"
    response = client.post(url, {"kind": "hospitalised", "occurred_on": "2025-03-01", "note": "阑尾炎"}, format="json")
    assert response.status_code == 201, response.content
    event = response.json()
    assert (event["member"], event["kind"], event["kind_label"]) == (world.m1.pk, "hospitalised", "患病住院")
    assert event["recorded_by_name"] == "committee"
    assert LifeEvent.objects.get(pk=event["id"]).recorded_by == world.committee
    assert AuditEntry.objects.filter(event="member.life_event", object_id=str(event["id"])).exists()
    client.post(url, {"kind": "retired", "occurred_on": "2024-09-01"}, format="json")

    assert [row["kind"] for row in client.get(url).json()["results"]] == ["hospitalised", "retired"]
    assert [row["kind"] for row in client.get(url, {"kind": "retired"}).json()["results"]] == ["retired"]
    everywhere = client.get("/api/v1/life-events/", {"occurred_on_after": "2025-01-01"}).json()["results"]
    assert [row["id"] for row in everywhere] == [event["id"]]
    # The event changed the registry too (退休 → category retired), through the same service.
    world.m1.refresh_from_db()
    assert world.m1.category == "retired"


def test_event_with_bad_input_writes_nothing(world, api_for):
    url = f"{MEMBERS}{world.m1.pk}/events/"
    before = (LifeEvent.objects.count(), AuditEntry.objects.count())
    error = assert_structured(api_for("bsec").post(url, {"kind": "party", "occurred_on": "2025-13-01"}), 400)
    assert set(error["fields"]) == {"kind", "occurred_on"}
    error = assert_structured(api_for("bsec").post(url, {"kind": "wedding", "occurred_on": "1900-01-01"}), 400)
    assert "occurred_on" in error["fields"]
    assert (LifeEvent.objects.count(), AuditEntry.objects.count()) == before


def test_plain_member_cannot_record_events_on_self(world, api_for):
    url = f"{MEMBERS}{world.m2.pk}/events/"
    assert_structured(api_for("member").post(url, {"kind": "hospitalised", "occurred_on": "2025-03-01"}), 403)


def test_new_member_id_number_is_searchable_by_exact_match(world, api_for):
    number = make_id_number("110101", dt.date(1990, 5, 17), 123)
    client = api_for("bsec")
    response = client.post(
        MEMBERS,
        payload(world.b1.pk, name="孙丽", id_number=number, birth_date=dt.date(1990, 5, 17), gender="male"),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert [row["name"] for row in client.get(MEMBERS, {"q": number}).json()["results"]] == ["孙丽"]
