"""API credentials. Issuing or revoking a token is a change like any other: audited in the same transaction."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from partycare.accounts.models import RoleGrant, User
from partycare.audit.models import AuditEntry
from partycare.audit.services import record_change
from partycare.orgs.models import Organisation


def _home_org(user: User) -> Organisation | None:
    """Where the account belongs, so the row shows up for that organisation's auditors."""
    if user.member_id:
        return user.member.org  # type: ignore[union-attr]
    grant = RoleGrant.objects.filter(user=user).select_related("org").order_by("org__path").first()
    return grant.org if grant else None


@transaction.atomic
def issue_api_token(*, actor: User) -> Token:
    """The caller's API token, created on first use. The key is never written to the audit log."""
    token, created = Token.objects.get_or_create(user=actor)
    if created:
        record_change(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=actor,
            event="account.token_issue",
            org=_home_org(actor),
        )
    return token


@transaction.atomic
def revoke_api_token(*, actor: User) -> bool:
    deleted, _ = Token.objects.filter(user=actor).delete()
    if deleted:
        record_change(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            obj=actor,
            event="account.token_revoke",
            org=_home_org(actor),
        )
    return bool(deleted)
