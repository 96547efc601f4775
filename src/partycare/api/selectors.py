"""Reads the API needs that no domain app offers as such."""

from __future__ import annotations

from typing import Any

from partycare.accounts.models import Role
from partycare.accounts.scope import ROLE_ACTIONS, VIEW, scope_of
from partycare.api.serializers import AncestorIndex
from partycare.orgs.models import Organisation

# Every action of every role, in a stable order.
ALL_ACTIONS: list[str] = sorted(set().union(*ROLE_ACTIONS.values()))


def caller_summary(user: Any) -> dict[str, Any]:
    """The account, its roles (granted or implied by a post) and the organisations its scope starts from, each with
    the actions allowed there — what a client needs to decide which screens and buttons to offer."""
    scope = scope_of(user)
    if scope.is_superuser:
        tops = list(Organisation.get_root_nodes())
    else:
        tops = list(Organisation.objects.visible_to(user).filter(path__in=scope.paths_for(VIEW)))
    grant_orgs = {org.path: org for org in Organisation.objects.filter(path__in={path for path, _r in scope.grants})}
    names = AncestorIndex(tops)
    member = user.member
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": str(user),
        "is_superuser": scope.is_superuser,
        "member": (
            {"id": member.pk, "name": member.name, "org": member.org_id, "org_name": member.org.name}
            if member is not None
            else None
        ),
        "roles": [
            {
                "role": role,
                "role_label": Role(role).label,
                "org": grant_orgs[path].pk,
                "org_name": grant_orgs[path].name,
            }
            for path, role in sorted(set(scope.grants))
            if path in grant_orgs
        ],
        "organisations": [
            {
                "org": org.pk,
                "org_name": org.name,
                "path_name": names.path_name(org),
                "actions": [action for action in ALL_ACTIONS if scope.allows(action, org.path)],
            }
            for org in tops
        ],
    }
