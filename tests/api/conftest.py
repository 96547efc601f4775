from __future__ import annotations

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_for(world: SimpleNamespace):  # type: ignore[no-untyped-def]
    """An APIClient logged in (session) as a persona; each request loads a fresh user object, so a fresh scope."""

    def make(persona: str) -> APIClient:
        client = APIClient()
        client.force_login(getattr(world, persona))
        return client

    return make


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()
