"""Every change to the organisation tree: scoped, validated, audited, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from partycare.accounts.scope import MANAGE_ORGS, scope_of
from partycare.audit.models import AuditEntry
from partycare.audit.services import record_change, snapshot
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.common.services import apply_changes, validate_model
from partycare.orgs.models import ALLOWED_PARENT_KINDS, Organisation, OrgKind, OrgPost, OrgStatus

ORG_FIELDS = ("name", "short_name", "kind", "code", "founded_on", "status", "note")


def _require(actor: Any, action: str, org: Organisation | None) -> None:
    scope = scope_of(actor)
    allowed = scope.is_superuser if org is None else scope.allows(action, org.path)
    if not allowed:
        raise PermissionDenied("无权在此组织进行该操作 / not allowed for this organisation")


def _check_parent_kind(kind: str, parent: Organisation | None) -> None:
    allowed = ALLOWED_PARENT_KINDS.get(kind)
    if allowed is None:
        raise ServiceError(f"未知的组织类型 / unknown kind: {kind}", fields={"kind": ["未知的组织类型"]})
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in allowed:
        label = OrgKind(kind).label
        where = OrgKind(parent_kind).label if parent_kind else "顶层"
        raise ServiceError(
            f"{label}不能设在{where}之下 / a {kind} cannot sit under {parent_kind or 'the top level'}",
            fields={"parent": [f"{label}不能设在{where}之下"]},
        )


@transaction.atomic
def create_organisation(
    *,
    actor: Any,
    parent: Organisation | None,
    name: str,
    kind: str,
    short_name: str = "",
    code: str = "",
    founded_on: dt.date | None = None,
    note: str = "",
) -> Organisation:
    _require(actor, MANAGE_ORGS, parent)
    _check_parent_kind(kind, parent)
    org = Organisation(name=name.strip(), kind=kind, short_name=short_name, code=code, founded_on=founded_on, note=note)
    validate_model(org, exclude=["path", "depth", "numchild"])
    if parent is None:
        org = Organisation.objects.add_root(instance=org)
    else:
        parent.refresh_from_db()  # treebeard needs the current numchild to compute the new path
        org = Organisation.objects.add_child(parent, instance=org)
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=org,
        event="org.create",
        changes=snapshot(org, ORG_FIELDS),
    )
    return org


@transaction.atomic
def update_organisation(*, actor: Any, org: Organisation, changes: Mapping[str, Any]) -> Organisation:
    _require(actor, MANAGE_ORGS, org)
    if "kind" in changes and changes["kind"] != org.kind:
        parent = Organisation.objects.get_parent(org)
        _check_parent_kind(str(changes["kind"]), parent)
        for child in Organisation.objects.get_children(org):
            _check_parent_kind(child.kind, Organisation(kind=str(changes["kind"])))
    changed = apply_changes(org, changes, allowed=ORG_FIELDS)
    if not changed:
        return org
    validate_model(org, exclude=["path", "depth", "numchild"])
    org.save()
    record_change(actor=actor, action=AuditEntry.Action.UPDATE, obj=org, event="org.update", changes=changed)
    return org


@transaction.atomic
def move_organisation(*, actor: Any, org: Organisation, new_parent: Organisation) -> Organisation:
    """Moves a whole subtree. Refuses cycles (into itself or its own descendants) and impossible nestings."""
    _require(actor, MANAGE_ORGS, org)
    _require(actor, MANAGE_ORGS, new_parent)
    org.refresh_from_db()
    new_parent.refresh_from_db()
    if new_parent.path.startswith(org.path):
        raise ServiceError(
            "不能把组织移到它自己或它的下级组织之下 / cannot move an organisation under itself or its descendants",
            fields={"parent": ["会形成循环 / would create a cycle"]},
            code="cycle",
        )
    _check_parent_kind(org.kind, new_parent)
    old_parent = Organisation.objects.get_parent(org)
    Organisation.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    # treebeard rewrites the subtree's paths with raw UPDATEs, which auto_now never sees; every organisation in it
    # now sits under a different parent, so the daily sweep must see all of them as changed.
    moved_at = timezone.now()
    Organisation.objects.filter(path__startswith=org.path).update(updated_at=moved_at)
    org.updated_at = moved_at
    record_change(
        actor=actor,
        action=AuditEntry.Action.MOVE,
        obj=org,
        event="org.move",
        changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk]},
    )
    return org


@transaction.atomic
def dissolve_organisation(*, actor: Any, org: Organisation) -> Organisation:
    if org.members.on_roll().exists():
        raise ServiceError("该组织仍有在册党员，请先转移 / the organisation still has members on its roll")
    return update_organisation(actor=actor, org=org, changes={"status": OrgStatus.DISSOLVED})


@transaction.atomic
def assign_post(
    *, actor: Any, org: Organisation, member: Any, post: str, since: dt.date, until: dt.date | None = None
) -> OrgPost:
    _require(actor, MANAGE_ORGS, org)
    item = OrgPost(org=org, member=member, post=post, since=since, until=until)
    validate_model(item)
    item.save()
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=item,
        event="org.assign_post",
        changes=snapshot(item, ("org", "member", "post", "since", "until")),
        org=org,
    )
    return item


@transaction.atomic
def end_post(*, actor: Any, post: OrgPost, until: dt.date) -> OrgPost:
    _require(actor, MANAGE_ORGS, post.org)
    if until < post.since:
        raise ServiceError("任职止不能早于任职起 / end before start", fields={"until": ["任职止不能早于任职起"]})
    old = post.until
    post.until = until
    post.save(update_fields=["until", "updated_at"])
    record_change(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=post,
        event="org.end_post",
        changes={"until": [str(old) if old else None, str(until)]},
        org=post.org,
    )
    return post
