"""The OpenAPI schema is generated without warnings, validates, and describes the structured error shape."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management import call_command

ERROR_REF = "#/components/schemas/Error"


def generate(tmp_path: Path) -> dict:
    target = tmp_path / "schema.yaml"
    # --fail-on-warn turns any drf-spectacular warning (unresolvable type, enum clash, ...) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return yaml.safe_load(target.read_text(encoding="utf-8"))


def test_schema_is_valid_and_every_operation_describes_its_errors(db, tmp_path):
    schema = generate(tmp_path)
    operations = {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if path.startswith("/api/v1/")
    }
    assert ("POST", "/api/v1/organisations/{id}/move/") in operations
    assert ("POST", "/api/v1/members/{id}/reveal/") in operations
    assert ("POST", "/api/v1/members/{member_id}/events/") in operations
    for key, operation in operations.items():
        errors = {code: response for code, response in operation["responses"].items() if code.startswith("4")}
        assert errors, key
        for code, response in errors.items():
            assert response["content"]["application/json"]["schema"]["$ref"] == ERROR_REF, (key, code)
        if key != ("POST", "/api/v1/auth/token/"):
            assert {"401", "403"} <= set(errors), key
        if "{" in key[1]:
            assert "404" in errors, key

    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"code", "message", "fields"}


def test_member_schema_never_offers_raw_identifiers_for_reading(db, tmp_path):
    member = generate(tmp_path)["components"]["schemas"]["Member"]["properties"]
    assert member["id_number"].get("writeOnly") is True
    assert member["phone"].get("writeOnly") is True
    assert member["id_number_masked"].get("readOnly") is True


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
