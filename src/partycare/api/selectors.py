"""Reads the API needs that no domain app offers as such."""

from __future__ import annotations

import datetime as dt
from typing import Any

from partycare.accounts.models import Role
from partycare.accounts.scope import ROLE_ACTIONS, VIEW, scope_of
from partycare.api.serializers import AncestorIndex
from partycare.obligations.selectors import ComplianceRow, compliance
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


def _rate(on_time: int, due: int) -> float | None:
    # Same rule as ComplianceRow.rate: with nothing due there is no rate (never a fake 100%).
    return on_time / due if due else None


def _compliance_row(row: ComplianceRow) -> dict[str, Any]:
    return {
        "org": row.org.pk if row.org is not None else None,
        "label": row.label,
        "due": row.due,
        "on_time": row.on_time,
        "late": row.late,
        "overdue": row.overdue,
        "done": row.done,
        "rate": row.rate,
        "by_kind": {
            kind: {**counts, "rate": _rate(counts["on_time"], counts["due"])}
            for kind, counts in sorted(row.by_kind.items())
        },
    }


def compliance_report(*, org: Organisation, as_of: dt.date, kind: str = "") -> dict[str, Any]:
    """落实率 of `org` (already resolved within the caller's scope) and of each child subtree, as the API shows it."""
    total, children = compliance(org=org, as_of=as_of, kind=kind)
    return {
        **_compliance_row(total),
        "as_of": as_of,
        "kind": kind,
        "children": [_compliance_row(row) for row in children],
    }
