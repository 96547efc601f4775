"""Reading the audit log (auditors and administrators only; scoped to their subtree)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from partycare.audit.models import AuditEntry


def audit_entries(
    *,
    user: Any,
    actor_label: str = "",
    event: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.visible_to(user).select_related("actor")
    if actor_label:
        entries = entries.filter(actor_label__icontains=actor_label)
    if event:
        entries = entries.filter(event__startswith=event)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    return entries
