"""Reads of the organisation tree, always limited to the user's scope."""

from __future__ import annotations

from typing import Any

from partycare.common.errors import NotFound
from partycare.orgs.models import Organisation, OrganisationQuerySet, OrgPost


def organisations_visible_to(user: Any, action: str = "view") -> OrganisationQuerySet:
    return Organisation.objects.visible_to(user, action)


def get_organisation(*, user: Any, pk: Any, action: str = "view") -> Organisation:
    """One organisation in scope; missing and out of scope both raise NotFound."""
    try:
        return organisations_visible_to(user, action).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def current_posts(org: Organisation) -> list[OrgPost]:
    return list(OrgPost.objects.current().filter(org=org).select_related("member"))


def subtree(org: Organisation) -> OrganisationQuerySet:
    return Organisation.objects.filter(path__startswith=org.path)
