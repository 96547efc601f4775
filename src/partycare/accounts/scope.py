"""Who may do what where. Every list goes through `visible_to(user, action)`, built on this.

A user's scope is the union of explicit role grants and the roles implied by the posts their member record holds
(the secretary of a branch is that branch's secretary in the software without a second bookkeeping step).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from partycare.accounts.models import Role

VIEW = "view"
CHANGE = "change"
RECORD = "record"  # record life events, talks, visits
EXPORT = "export"
IMPORT = "import"
VIEW_SENSITIVE = "view_sensitive"
MANAGE_ORGS = "manage_orgs"
MANAGE_ACCOUNTS = "manage_accounts"
VIEW_AUDIT = "view_audit"

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ORG_ADMIN: frozenset(
        {VIEW, CHANGE, RECORD, EXPORT, IMPORT, VIEW_SENSITIVE, MANAGE_ORGS, MANAGE_ACCOUNTS, VIEW_AUDIT}
    ),
    Role.GENERAL_SECRETARY: frozenset({VIEW, CHANGE, RECORD, EXPORT, IMPORT, VIEW_SENSITIVE}),
    Role.BRANCH_SECRETARY: frozenset({VIEW, CHANGE, RECORD, EXPORT, IMPORT, VIEW_SENSITIVE}),
    Role.COMMITTEE_MEMBER: frozenset({VIEW, RECORD}),
    Role.AUDITOR: frozenset({VIEW, EXPORT, VIEW_AUDIT}),
    Role.LEADER: frozenset({VIEW, RECORD}),
}


def _minimal(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by an ancestor path (fewer OR terms in every query)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return kept


@dataclass
class Scope:
    user_id: int | None = None
    is_superuser: bool = False
    member_id: int | None = None
    member_org_id: int | None = None
    grants: list[tuple[str, str]] = field(default_factory=list)  # (org path, role)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def roles(self) -> set[str]:
        return {role for _, role in self.grants}

    def paths_for(self, action: str) -> list[str]:
        return _minimal(path for path, role in self.grants if action in ROLE_ACTIONS.get(role, frozenset()))

    def allows(self, action: str, org_path: str) -> bool:
        if self.is_superuser:
            return True
        return any(org_path.startswith(path) for path in self.paths_for(action))

    def allows_anywhere(self, action: str) -> bool:
        return self.is_superuser or bool(self.paths_for(action))

    def org_q(self, action: str, prefix: str = "") -> Q:
        """A filter on organisation path for `action`; `prefix` reaches it through a relation, e.g. "org__"."""
        if self.is_superuser:
            return Q()
        query = Q(pk__in=[])
        for path in self.paths_for(action):
            query |= Q(**{f"{prefix}path__startswith": path})
        return query


def _implied_role(post: str, org_kind: str) -> str:
    if post in {"secretary", "deputy_secretary"}:
        return Role.BRANCH_SECRETARY if org_kind in {"branch", "group"} else Role.GENERAL_SECRETARY
    return Role.COMMITTEE_MEMBER


def build_scope(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    from partycare.accounts.models import RoleGrant
    from partycare.orgs.models import OrgPost

    grants = [(path, role) for path, role in RoleGrant.objects.filter(user=user).values_list("org__path", "role")]
    member_org_id = None
    if user.member_id:
        member_org_id = user.member.org_id
        posts = OrgPost.objects.current().filter(member_id=user.member_id).values_list("org__path", "org__kind", "post")
        grants += [(path, _implied_role(post, kind)) for path, kind, post in posts]
    return Scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        member_id=user.member_id,
        member_org_id=member_org_id,
        grants=grants,
    )


def scope_of(user: Any) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_partycare_scope", None)
    if cached is None:
        cached = build_scope(user)
        user._partycare_scope = cached
    return cached


def forget_scope(user: Any) -> None:
    if hasattr(user, "_partycare_scope"):
        del user._partycare_scope
