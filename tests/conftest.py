from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from tests.factories import build_world


@pytest.fixture
def world(db: None) -> SimpleNamespace:
    """Personas: admin (org admin, root), gbsec (general branch gb1), bsec (branch b1 via post), committee (b1),
    auditor (root, read-only), member (m2, self only), outsider (no role)."""
    return build_world()


@pytest.fixture
def client_for(world: SimpleNamespace):  # type: ignore[no-untyped-def]
    def make(user_name: str) -> Client:
        client = Client()
        client.force_login(getattr(world, user_name))
        return client

    return make
