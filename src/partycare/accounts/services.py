"""Accounts and role grants. Granting is itself scoped: only someone who manages accounts over an organisation
may grant roles on it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from partycare.accounts.models import Role, RoleGrant, User
from partycare.accounts.scope import MANAGE_ACCOUNTS, forget_scope, scope_of
from partycare.audit.models import AuditEntry
from partycare.audit.services import record_change
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.orgs.models import Organisation


def _require_manage(actor: Any, org: Organisation | None) -> None:
    scope = scope_of(actor)
    if scope.is_superuser:
        return
    if org is None or not scope.allows(MANAGE_ACCOUNTS, org.path):
        raise PermissionDenied("无权管理该组织的账号 / not allowed to manage accounts here")


@transaction.atomic
def create_account(
    *,
    actor: Any,
    username: str,
    password: str,
    org: Organisation | None = None,
    member: Any = None,
    display_name: str = "",
    email: str = "",
    check_password: bool = True,
) -> User:
    """A login for a member (pass `member`) or a staff account. `org` is where the actor's right comes from."""
    _require_manage(actor, member.org if member is not None else org)
    if User.objects.filter(username=username).exists():
        raise ServiceError("用户名已存在 / username taken", fields={"username": ["用户名已存在"]}, code="duplicate")
    user = User(
        username=username,
        member=member,
        display_name=display_name or (member.name if member else ""),
        email=email,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ServiceError(exc.messages[0], fields={"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=user,
        event="account.create",
        changes={"username": username, "member": getattr(member, "pk", None)},
        org=member.org if member is not None else org,
    )
    return user


@transaction.atomic
def grant_role(*, actor: Any, user: User, org: Organisation, role: str) -> RoleGrant:
    if role not in Role.values:
        raise ServiceError(f"未知角色 / unknown role: {role}", fields={"role": ["未知角色"]})
    _require_manage(actor, org)
    grant, created = RoleGrant.objects.get_or_create(
        user=user, org=org, role=role, defaults={"granted_by": actor if getattr(actor, "pk", None) else None}
    )
    if created:
        record_change(
            actor=actor,
            action=AuditEntry.Action.GRANT,
            obj=grant,
            event="account.grant",
            changes={"user": user.username, "role": role},
            org=org,
        )
    forget_scope(user)
    return grant


@transaction.atomic
def revoke_role(*, actor: Any, grant: RoleGrant) -> None:
    _require_manage(actor, grant.org)
    record_change(
        actor=actor,
        action=AuditEntry.Action.REVOKE,
        obj=grant,
        event="account.revoke",
        changes={"user": grant.user.username, "role": grant.role},
        org=grant.org,
    )
    grant.delete()
    forget_scope(grant.user)
