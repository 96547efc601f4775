"""Template helpers for showing audit rows: field names in words and old → new values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

register = template.Library()


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: Any
    new: Any
    is_change: bool  # False: a plain value (creation snapshot, or a note such as the field that was read)


def _label(object_type: str, name: str) -> str:
    """A field's verbose name; anything else (a summary count, a reverse relation) keeps its key."""
    try:
        field = apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name
    return str(getattr(field, "verbose_name", name))


@register.filter
def change_lines(entry: Any) -> list[ChangeLine]:
    """An audit entry's `changes` as lines; updates store {field: [old, new]}, creations {field: value}."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    lines = []
    for name, value in changes.items():
        label = _label(entry.object_type, name)
        if isinstance(value, list) and len(value) == 2 and entry.action in {"update", "move"}:
            lines.append(ChangeLine(label, value[0], value[1], True))
        else:
            lines.append(ChangeLine(label, None, value, False))
    return lines


@register.filter
def whole_minutes(duration: dt.timedelta | None) -> int:
    """A lock-out period in minutes, rounded up ("try again in 15 minutes", not "PT15M")."""
    if not duration:
        return 0
    return -(-int(duration.total_seconds()) // 60)
