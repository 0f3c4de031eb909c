"""Mass assignment and injection, driven by each service's own OpenAPI document so that a new
operation is covered the day it is added.

- Mass assignment: every JSON body of every writing operation (POST/PUT/PATCH) refuses the
  fields a caller must never set — ids, owners, recorders, roles, statuses, units — with a
  422 naming the field, unless the field is part of that operation's documented contract
  (e.g. `status` in `POST /staff/employees/{no}/status`). The OAuth endpoints, which take
  forms and ignore extra parameters as RFC 6749 §3.2 says, are the one stated exception.
  Beside it, positive controls show the refused field is all that was wrong: the same bodies
  without it are accepted (tests/security/test_mass_assignment.py).
- Injection: every string query parameter of every list (GET without path variables) gets
  SQL, LIKE wildcards, NUL, a very long value, CJK and RTL marks: never a 5xx, and never more
  rows than the same caller sees without the filter.

Services are built once per module (reference data loaded; nothing here writes).
"""

from __future__ import annotations

from typing import Any

import pytest

from shared.settings import SERVICES
from tests.conformance.conftest import _dispose, build_service
from tests.conftest import bearer
from tests.security.cross_branch import PAYLOADS, _lists, _schema, _total

HOSTILE_FIELDS = ("id", "role", "roles", "status", "owner", "owner_id", "unit", "org_path",
                  "recorded_by", "created_by", "decided_by", "confirmed_by", "declared_by",
                  "permissions", "is_admin", "created_at", "version")
#: Operations whose bodies are forms or documented as taking extra parameters.
FORM_OPERATIONS = {"/auth/token", "/auth/introspect", "/auth/revoke"}
SCOPED = [("branch_head", "SB01", "HQ/BR01/SB01")]


@pytest.fixture(scope="module", params=SERVICES)
def built(request, databases, tokens, verifier, tmp_path_factory):
    service = build_service(request.param, databases=databases, tokens=tokens,
                            verifier=verifier, tmp_path=tmp_path_factory.mktemp(request.param))
    yield service
    _dispose(service.app)
    databases.drop(service.database_url)


def _document(built) -> dict[str, Any]:
    resp = built.app.test_client().get(f"{built.prefix}/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def _properties(doc: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    schema = _schema(doc, schema)
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []) + schema.get("oneOf", []) + schema.get("anyOf", []):
        names |= _properties(doc, part)
    return names


def _writes(doc: dict[str, Any]):
    """(method, path, documented body fields) of every operation taking a JSON body."""
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in {"post", "put", "patch"} or path in FORM_OPERATIONS:
                continue
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield method.upper(), path, _properties(doc, content["application/json"].get(
                    "schema", {}))


def _concrete(path: str) -> str:
    """A path with its variables filled (the body is refused before any lookup)."""
    import re

    return re.sub(r"\{[^}]+\}", "1", path)


def test_no_writing_operation_accepts_a_field_the_caller_must_not_set(built):
    doc = _document(built)
    client = built.app.test_client()
    failures, tried = [], 0
    for method, path, documented in _writes(doc):
        for field in HOSTILE_FIELDS:
            if field in documented:
                continue
            tried += 1
            resp = client.open(_concrete(path), method=method, headers=built.headers(),
                               json={field: "x"})
            body = resp.get_json(silent=True) or {}
            errors = body.get("errors") if isinstance(body, dict) else None
            if resp.status_code != 422 or not isinstance(errors, dict) or field not in errors:
                failures.append(f"{method} {path} {field!r}: {resp.status_code} "
                                f"{resp.get_data()[:160]!r}")
    assert tried, f"{built.name}: no writing operation found"
    assert not failures, "\n".join(failures)


def test_hostile_strings_in_every_list_filter_never_fail_or_widen_the_answer(built, tokens):
    doc = _document(built)
    client = built.app.test_client()
    callers = {"admin": built.headers()}
    if built.name != "auth":
        callers["branch head"] = bearer(tokens.user(sub="x-head", emp="E1", roles=SCOPED))
    failures, tried = [], 0
    for path, names in _lists(doc):
        for who, headers in callers.items():
            baseline = client.get(path, headers=headers)
            allowed = _total(baseline)
            for name in names:
                for payload in PAYLOADS:
                    tried += 1
                    resp = client.get(path, headers=headers, query_string={name: payload})
                    total = _total(resp) if resp.status_code == 200 else None
                    if resp.status_code >= 500:
                        failures.append(f"{who} GET {path}?{name}={payload[:20]!r}: "
                                        f"{resp.status_code}")
                    elif total is not None and allowed is not None and total > allowed:
                        failures.append(f"{who} GET {path}?{name}={payload[:20]!r}: {total} "
                                        f"rows, {allowed} without the filter")
    assert tried, f"{built.name}: no list filter found"
    assert not failures, "\n".join(failures)
