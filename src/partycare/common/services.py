"""Small helpers every service uses: model validation as ServiceError, and applying a dict of changes."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from partycare.audit.services import diff, snapshot
from partycare.common.errors import ServiceError


def validate_model(obj: models.Model, *, exclude: Collection[str] | None = None, database_checks: bool = True) -> None:
    """Run the model's own validation and raise ServiceError with per-field messages.

    database_checks=False skips the unique/constraint checks, which cost a query each; bulk paths use it when they
    check uniqueness set-wise themselves and the database enforces the constraints on insert anyway.
    """
    try:
        obj.full_clean(exclude=exclude, validate_unique=database_checks, validate_constraints=database_checks)
    except ValidationError as exc:
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        first = next(iter(fields.values()))[0] if fields else "数据无效"
        raise ServiceError(first, fields=fields) from exc


def apply_changes(obj: models.Model, changes: Mapping[str, Any], *, allowed: Collection[str]) -> dict[str, list[Any]]:
    """Set allowed fields from `changes`; returns {field: [old, new]} for the audit log."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ServiceError(
            f"不可修改的字段 / fields that cannot be changed: {', '.join(unknown)}",
            fields={name: ["不可修改 / cannot be changed"] for name in unknown},
        )
    before = snapshot(obj, changes)
    for name, value in changes.items():
        setattr(obj, name, value)
    return diff(before, snapshot(obj, changes))
