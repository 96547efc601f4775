"""Reads of accounts for the people who manage them: an account is in scope when it holds a role on an
organisation in the manager's subtree, or is linked to a member of one."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from partycare.accounts.models import RoleGrant, User
from partycare.accounts.scope import MANAGE_ACCOUNTS, scope_of
from partycare.common.errors import NotFound


def accounts_visible_to(user: Any) -> QuerySet[User]:
    scope = scope_of(user)
    if scope.is_superuser:
        return User.objects.all().order_by("username")
    in_scope = scope.org_q(MANAGE_ACCOUNTS, prefix="role_grants__org__") | scope.org_q(
        MANAGE_ACCOUNTS, prefix="member__org__"
    )
    ids = User.objects.filter(in_scope).values("pk")
    return User.objects.filter(pk__in=ids).order_by("username")


def get_account(*, user: Any, pk: Any) -> User:
    try:
        return accounts_visible_to(user).select_related("member", "member__org").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def grants_visible_to(user: Any) -> QuerySet[RoleGrant]:
    """Grants the user may revoke: those on organisations where they manage accounts."""
    return RoleGrant.objects.filter(scope_of(user).org_q(MANAGE_ACCOUNTS, prefix="org__")).select_related("org", "user")


def get_grant(*, user: Any, pk: Any) -> RoleGrant:
    try:
        return grants_visible_to(user).get(pk=pk)
    except (RoleGrant.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
