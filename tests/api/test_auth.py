"""Who is calling: tokens (with failed-login throttling), unauthenticated answers, /me/."""

from __future__ import annotations

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from partycare.accounts.models import Role
from partycare.audit.models import AuditEntry
from tests.api.helpers import assert_structured
from tests.factories import PASSWORD

TOKEN = "/api/v1/auth/token/"


def obtain(username: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/members/"),
        ("post", "/api/v1/members/"),
        ("get", "/api/v1/organisations/"),
        ("get", "/api/v1/life-events/"),
        ("get", "/api/v1/me/"),
        ("delete", TOKEN),
    ],
)
def test_unauthenticated_is_a_structured_401(world, anonymous, method, url):
    response = getattr(anonymous, method)(url)
    assert_structured(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_token_authentication_works_and_issuing_is_audited(world):
    response = obtain("bsec", PASSWORD)
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").json()["username"] == "bsec"
    assert {row["name"] for row in client.get("/api/v1/members/").json()["results"]} == {"张伟", "王芳", "陈静"}
    # Asking again gives the same token and no second audit row; the key itself is never logged.
    assert obtain("bsec", PASSWORD).json()["token"] == key
    entries = AuditEntry.objects.filter(event="account.token_issue")
    assert [(entry.actor, entry.org_path) for entry in entries] == [(world.bsec, world.b1.path)]
    assert key not in json.dumps([entry.changes for entry in entries]) + entries[0].object_repr


def test_revoked_token_stops_working(world):
    key = obtain("admin", PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(user=world.admin).exists()
    assert AuditEntry.objects.filter(event="account.token_revoke", actor=world.admin).exists()
    assert_structured(client.get("/api/v1/me/"), 401, "authentication_failed")


def test_wrong_password_is_a_structured_400(world):
    error = assert_structured(obtain("bsec", "wrong-password"), 400, "invalid")
    assert list(error["fields"]) == ["non_field_errors"]
    assert not Token.objects.exists()


def test_five_bad_passwords_lock_that_username_and_address(world):
    for _ in range(5):
        assert obtain("bsec", "wrong-password").status_code in (400, 429)
    # Even the right password is refused now, and the caller is told why.
    assert_structured(obtain("bsec", PASSWORD), 429, "locked_out")
    assert not Token.objects.filter(user=world.bsec).exists()
    # The lock is per username + address: the same account elsewhere, and another account here, still log in.
    assert obtain("bsec", PASSWORD, ip="10.0.0.2").status_code == 200
    assert obtain("admin", PASSWORD).status_code == 200


def test_four_bad_passwords_do_not_lock(world):
    for _ in range(4):
        assert obtain("bsec", "wrong-password").status_code == 400
    assert obtain("bsec", PASSWORD).status_code == 200


def test_me_for_a_branch_secretary(world, api_for):
    me = api_for("bsec").get("/api/v1/me/").json()
    assert (me["username"], me["is_superuser"]) == ("bsec", False)
    assert me["member"] == {
        "id": world.secretary_member.pk,
        "name": "陈静",
        "org": world.b1.pk,
        "org_name": world.b1.name,
    }
    assert me["roles"] == [
        {"role": Role.BRANCH_SECRETARY, "role_label": "党支部书记", "org": world.b1.pk, "org_name": world.b1.name}
    ]
    [scope] = me["organisations"]
    assert (scope["org"], scope["path_name"]) == (world.b1.pk, "测试大学党委 / 文学院党总支 / 文学院教工第一党支部")
    assert {"view", "change", "view_sensitive"} <= set(scope["actions"])
    assert "manage_orgs" not in scope["actions"]


def test_me_for_a_plain_member_and_an_auditor(world, api_for):
    me = api_for("member").get("/api/v1/me/").json()
    assert (me["member"]["id"], me["roles"], me["organisations"]) == (world.m2.pk, [], [])
    me = api_for("auditor").get("/api/v1/me/").json()
    assert me["member"] is None
    assert [row["role"] for row in me["roles"]] == [Role.AUDITOR]
    assert [(row["org"], sorted(row["actions"])) for row in me["organisations"]] == [
        (world.root.pk, ["export", "view", "view_audit"])
    ]


def test_other_failures_are_structured_too(world, api_for):
    client = api_for("admin")
    assert_structured(client.put(f"/api/v1/members/{world.m1.pk}/", {}, format="json"), 405, "method_not_allowed")
    response = client.post("/api/v1/members/", "{not json", content_type="application/json")
    assert_structured(response, 400, "parse_error")
