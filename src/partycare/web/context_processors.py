"""Navigation shown in the side menu, filtered by what the user's scope allows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    from partycare.accounts.scope import scope_of

    user = getattr(request, "user", None)
    return {"scope": scope_of(user)}
