"""Account management screens (org admins): list in scope, create with a first role, grant and revoke."""

from __future__ import annotations

from django.urls import reverse

from partycare.accounts.models import RoleGrant, User
from partycare.audit.models import AuditEntry


def test_account_pages_are_404_for_non_managers(world, client_for):
    for user in ("bsec", "gbsec", "auditor"):
        assert client_for(user).get(reverse("accounts:list")).status_code == 404


def test_admin_lists_accounts_in_scope(world, client_for):
    usernames = {u.username for u in client_for("admin").get(reverse("accounts:list")).context["page_obj"]}
    assert {"admin", "gbsec", "bsec", "committee", "auditor", "member"} <= usernames
    assert "root" not in usernames


def test_create_staff_account_with_first_role(world, client_for):
    response = client_for("admin").post(
        reverse("accounts:create"),
        {
            "username": "zuzhi",
            "display_name": "组织员",
            "password1": "Long-enough-passw0rd",
            "password2": "Long-enough-passw0rd",
            "role": "committee_member",
            "org": world.b2.pk,
        },
    )
    account = User.objects.get(username="zuzhi")
    assert response.status_code == 302
    assert list(account.role_grants.values_list("org", "role")) == [(world.b2.pk, "committee_member")]


def test_weak_password_is_refused_and_nothing_is_created(world, client_for):
    response = client_for("admin").post(
        reverse("accounts:create"),
        {"username": "weak", "password1": "123", "password2": "123", "role": "auditor", "org": world.root.pk},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(username="weak").exists()


def test_create_login_for_a_member_from_the_member_page(world, client_for):
    client = client_for("admin")
    page = client.get(reverse("members:detail", args=[world.m1.pk])).content.decode()
    create_url = f"{reverse('accounts:create')}?member={world.m1.pk}"
    assert create_url in page
    form_page = client.get(create_url).content.decode()
    assert "张伟" in form_page
    response = client.post(
        create_url,
        {
            "member": world.m1.pk,
            "username": "zhangwei",
            "password1": "Long-enough-passw0rd",
            "password2": "Long-enough-passw0rd",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="zhangwei").member == world.m1


def test_grant_and_revoke_role(world, client_for):
    client = client_for("admin")
    response = client.post(
        reverse("accounts:grant", args=[world.member.pk]), {"org": world.b1.pk, "role": "committee_member"}
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=world.member, role="committee_member")
    response = client.post(reverse("accounts:revoke", args=[grant.pk]))
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert AuditEntry.objects.filter(event="account.revoke").exists()
