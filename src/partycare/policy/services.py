"""Writes for policy packs: activating a pack for an organisation. Scoped, validated first, audited, atomic."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import transaction

from partycare.accounts.scope import MANAGE_ORGS, scope_of
from partycare.audit.models import AuditEntry
from partycare.audit.services import record_change
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.orgs.models import Organisation
from partycare.policy.errors import Issue, PackInvalid
from partycare.policy.loader import load_any, load_content
from partycare.policy.models import PolicyActivation
from partycare.policy.schema import PolicyPack


class PackRejected(ServiceError):
    """The pack did not validate; nothing was activated. ``issues`` name each problem's path."""

    def __init__(self, issues: list[Issue], origin: str = ""):
        self.issues = issues
        head = f"政策包校验未通过 / the policy pack is invalid{f' ({origin})' if origin else ''}"
        super().__init__(head, fields={"pack": [str(i) for i in issues]})


def content_digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _resolve(pack: PolicyPack | str) -> PolicyPack:
    try:
        loaded = load_any(pack) if isinstance(pack, str) else pack
        # Round-trip through the stored form so what we save is exactly what later loads will see.
        return load_content(loaded.to_content(), origin=loaded.slug)
    except PackInvalid as exc:
        raise PackRejected(exc.issues, exc.origin) from None


def _require_manage(actor: Any, org: Organisation) -> None:
    if actor is None:
        return  # the system actor (command line run by an operator on the server)
    if not scope_of(actor).allows(MANAGE_ORGS, org.path):
        raise PermissionDenied("无权为该组织启用政策包 / not allowed to activate policy packs for this organisation")


def _label(a: PolicyActivation | None) -> str | None:
    return None if a is None else f"{a.pack_slug}@{a.pack_version}"


@transaction.atomic
def activate_pack(
    *,
    actor: Any,
    org: Organisation,
    pack: PolicyPack | str,
    effective_from: dt.date,
    note: str = "",
) -> PolicyActivation:
    """Make ``pack`` (a PolicyPack, a preset slug, or a YAML path) the pack in force for ``org`` from
    ``effective_from``. The pack in force until then is closed the day before; history is kept.

    All or nothing: an invalid pack, a date out of order, or any failure while writing leaves every activation as
    it was. ``actor=None`` is the system actor (command line).
    """
    _require_manage(actor, org)
    resolved = _resolve(pack)
    if effective_from < resolved.effective_from:
        raise ServiceError(
            f"启用日期 {effective_from} 早于政策文件生效日期 {resolved.effective_from} / the activation date is before "
            f"the pack's own effective date",
            fields={"effective_from": [f"不能早于 {resolved.effective_from}"]},
        )

    # Lock this organisation's history for the rest of the transaction (no-op on SQLite, whose IMMEDIATE
    # transactions already serialise writers).
    history = list(PolicyActivation.objects.select_for_update().filter(org=org).order_by("-effective_from"))
    latest = history[0] if history else None
    if latest is not None and effective_from <= latest.effective_from:
        raise ServiceError(
            f"生效日期须晚于该组织最近一次启用的生效日期 {latest.effective_from}（历史只能追加，不能改写）/ "
            f"the new activation must start after {latest.effective_from}; history is append-only",
            fields={"effective_from": [f"须晚于 {latest.effective_from}"]},
        )

    previous_open = latest if latest is not None and latest.effective_to is None else None
    if previous_open is not None:
        previous_open.effective_to = effective_from
        previous_open.save(update_fields=["effective_to"])
        record_change(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=previous_open,
            event="policy.supersede",
            changes={"effective_to": [None, effective_from]},
            org=org,
        )

    content = resolved.to_content()
    activation = PolicyActivation.objects.create(
        org=org,
        pack_slug=resolved.slug,
        pack_version=resolved.version,
        pack_name=resolved.metadata.name,
        content=content,
        content_sha256=content_digest(content),
        effective_from=effective_from,
        activated_by=actor if getattr(actor, "pk", None) else None,
        note=note[:500],
    )
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=activation,
        event="policy.activate",
        changes={
            "pack": [_label(previous_open), _label(activation)],
            "effective_from": [None, effective_from],
        },
        org=org,
        note=note,
    )
    return activation
