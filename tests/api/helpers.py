"""Assertions shared by the API tests."""

from __future__ import annotations

from typing import Any


def assert_structured(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the structured error shape with this status (and code)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]
