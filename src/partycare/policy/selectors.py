"""Reads for policy packs: which pack is in force for an organisation on a date, and the activation history."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

from partycare.orgs.models import Organisation
from partycare.policy.loader import load_content
from partycare.policy.models import PolicyActivation, PolicyActivationQuerySet
from partycare.policy.schema import PolicyPack

_CACHE_SIZE = 64
_cache: OrderedDict[tuple[int, str], PolicyPack] = OrderedDict()
_cache_lock = threading.Lock()


def pack_of(activation: PolicyActivation) -> PolicyPack:
    """The validated pack of an activation. Keyed by row and content digest, so a (never expected) change to the
    stored content is re-validated rather than served stale."""
    key = (activation.pk, activation.content_sha256)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    pack = load_content(activation.content, origin=f"activation:{activation.pk}")
    with _cache_lock:
        _cache[key] = pack
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return pack


@dataclass(frozen=True)
class PackInForce:
    activation: PolicyActivation
    pack: PolicyPack
    org: Organisation  # the organisation asked about
    source_org: Organisation  # where the pack was activated (the org itself or an ancestor)

    @property
    def inherited(self) -> bool:
        return self.source_org.pk != self.org.pk


def _ancestor_paths(org: Organisation) -> list[str]:
    step = Organisation.steplen
    return [org.path[:end] for end in range(step, len(org.path) + 1, step)]


def pack_in_force(org: Organisation, as_of: dt.date) -> PackInForce | None:
    """The pack in force for ``org`` on ``as_of``: its own activation if it has one covering that date, otherwise
    the nearest ancestor's (so the root committee's pack applies to the whole tree unless a subtree has its own).
    One query."""
    activation = (
        PolicyActivation.objects.in_force_on(as_of)
        .filter(org__path__in=_ancestor_paths(org))
        .select_related("org")
        .order_by("-org__depth")
        .first()
    )
    if activation is None:
        return None
    return PackInForce(activation=activation, pack=pack_of(activation), org=org, source_org=activation.org)


def activations_in_force(as_of: dt.date) -> list[PolicyActivation]:
    """Every activation in force on ``as_of`` across the tree, shallowest organisation first (the obligations sweep
    applies each to its organisation's subtree minus the subtrees below it that have their own)."""
    return list(PolicyActivation.objects.in_force_on(as_of).select_related("org").order_by("org__depth", "org__path"))


def activation_history(org: Organisation, *, include_ancestors: bool = True) -> PolicyActivationQuerySet:
    """Activations on ``org`` (and, by default, on its ancestors, whose packs it inherits), newest first."""
    qs = PolicyActivation.objects.select_related("org", "activated_by")
    qs = qs.filter(org__path__in=_ancestor_paths(org)) if include_ancestors else qs.filter(org=org)
    return qs.order_by("-org__depth", "-effective_from")
