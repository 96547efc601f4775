"""Writing the audit log. Called by every service inside its own transaction, so a change and its audit row
commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction

from partycare.audit.models import AuditEntry

SENSITIVE_PLACEHOLDER = "«已加密»"


def _plain(value: Any) -> Any:
    """JSON-safe form of a field value for the log."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}."""
    return {name: [before.get(name), after[name]] for name in after if before.get(name) != after[name]}


def _org_path_of(obj: models.Model, org: models.Model | None) -> str:
    if org is not None:
        return str(getattr(org, "path", ""))
    if hasattr(obj, "path"):
        return str(obj.path)
    related = getattr(obj, "org", None)
    return str(getattr(related, "path", "")) if related is not None else ""


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "系统"
    return str(getattr(actor, "get_username", lambda: actor)())


def record_change(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    event: str = "",
    changes: Mapping[str, Any] | None = None,
    org: models.Model | None = None,
    note: str = "",
) -> AuditEntry:
    """Write one audit row. Must run inside the caller's transaction (the change it describes)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_change must run inside the service's transaction")
    action_value = action if action in AuditEntry.Action.values else AuditEntry.Action.OTHER
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor)[:150],
        action=action_value,
        event=event or f"{obj._meta.model_name}.{action}",
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        org_path=_org_path_of(obj, org),
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        note=note[:500],
    )


@transaction.atomic
def record_sensitive_read(*, actor: Any, obj: models.Model, field: str, org: models.Model | None = None) -> None:
    """Reading a sensitive field unmasked is itself an auditable act."""
    record_change(
        actor=actor,
        action=AuditEntry.Action.READ_SENSITIVE,
        obj=obj,
        event=f"{obj._meta.model_name}.read_sensitive",
        changes={"field": field},
        org=org,
    )
