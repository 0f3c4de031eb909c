"""The machinery of the cross-branch suites (`test_cross_branch_*.py`): every object route of
a service (a url_map rule with a path variable) is either a `Case` — a holder scoped to one
branch is refused on another branch's object and served on their own — or listed as having
no object scope, with the reason. A route that is neither fails the suite, so a new route
cannot ship without its case.

A denial must change nothing: for writes, the other branch's object is read (as an admin)
before and after the refused call and must read the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

#: Path variables under these prefixes are files, not objects.
FILES = ("/docs/assets/", "/static/")
DENIED = {403, 404}
PAYLOADS = ["' OR '1'='1", "1; DROP TABLE employees; --", "' UNION SELECT NULL, NULL --",
            "%", "_", "%_%", "\\", "a\x00b", "x" * 5000, "人民路支行", "\u202eLR01\u200f",
            "<script>alert(1)</script>", "../../etc/passwd"]


@dataclass
class Case:
    """`method` on `own` (the caller's branch) succeeds with `ok`; on `other` it is 403/404.

    `who`, `own`, `other`, `body` are resolved against the world when they are callables;
    `probe` is a GET (as admin) that shows the other object, compared before and after."""

    method: str
    own: str | Callable[[Any], str]
    other: str | Callable[[Any], str]
    who: str
    ok: int | tuple[int, ...] = 200
    body: Any = None
    probe: str | Callable[[Any], str] | None = None
    setup: Callable[[Any], None] | None = field(default=None, repr=False)


def object_routes(app: Flask) -> set[tuple[str, str]]:
    """(method, rule) of every route with a path variable, files aside."""
    out = set()
    for rule in app.url_map.iter_rules():
        if "<" not in rule.rule or any(f in rule.rule for f in FILES):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            out.add((method, rule.rule))
    return out


def uncovered(app: Flask, cases: dict[tuple[str, str], Any],
              unscoped: dict[tuple[str, str], str]) -> list[str]:
    """Routes with neither a case nor a reason, and cases for routes that are gone."""
    routes = object_routes(app)
    missing = sorted(f"{m} {r}" for m, r in routes - set(cases) - set(unscoped))
    stale = sorted(f"{m} {r} (no such route)" for m, r in (set(cases) | set(unscoped)) - routes)
    return missing + stale


def _resolve(value: Any, world: Any) -> Any:
    return value(world) if callable(value) else value


def run_cases(client: Any, world: Any, cases: dict[tuple[str, str], Case],
              headers: Callable[[str], dict[str, str]]) -> list[str]:
    """Run every case; answer the failures (empty when all hold)."""
    failures = []
    for (method, rule), case in cases.items():
        if case.setup is not None:
            case.setup(world)
        who = headers(case.who)
        body = _resolve(case.body, world)
        other, own = _resolve(case.other, world), _resolve(case.own, world)
        probe = _resolve(case.probe, world)
        before = client.get(probe, headers=headers("admin")).get_data() if probe else None
        kw = {"headers": who} if body is None else {"headers": who, "json": body}
        denied = client.open(other, method=method, **kw)
        if denied.status_code not in DENIED:
            failures.append(f"{method} {rule}: {other} answered {denied.status_code} to "
                            f"{case.who}, not 403/404: {denied.get_data()[:200]!r}")
        elif probe and client.get(probe, headers=headers("admin")).get_data() != before:
            failures.append(f"{method} {rule}: the refused call on {other} changed {probe}")
        served = client.open(own, method=method, **kw)
        expected = case.ok if isinstance(case.ok, tuple) else (case.ok,)
        if served.status_code not in expected:
            failures.append(f"{method} {rule}: the control {own} answered "
                            f"{served.status_code} to {case.who}, not {case.ok}: "
                            f"{served.get_data()[:200]!r}")
    return failures


def _schema(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _lists(doc: dict[str, Any]):
    """(path, [string query parameter names]) of every GET without path variables."""
    for path, item in doc["paths"].items():
        op = item.get("get")
        if op is None or "{" in path:
            continue
        names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"
                 and p["name"] not in {"page", "per_page"}
                 and _schema(doc, p.get("schema", {})).get("type", "string") == "string"]
        if names:
            yield path, names


def _total(resp) -> int | None:
    body = resp.get_json(silent=True) if resp.mimetype == "application/json" else None
    return body.get("total") if isinstance(body, dict) else None


def hostile_filter_failures(client: Any, prefix: str, headers: dict[str, str]) -> list[str]:
    """Every payload in every string filter of every list of the service at `prefix`, as
    one caller: the failures (a 5xx, or more rows than the unfiltered list gives)."""
    doc = client.get(f"{prefix}/openapi.json").get_json()
    failures = []
    for path, names in _lists(doc):
        allowed = _total(client.get(path, headers=headers))
        for name in names:
            for payload in PAYLOADS:
                resp = client.get(path, headers=headers, query_string={name: payload})
                total = _total(resp) if resp.status_code == 200 else None
                if resp.status_code >= 500:
                    failures.append(f"GET {path}?{name}={payload[:20]!r}: {resp.status_code}")
                elif total is not None and allowed is not None and total > allowed:
                    failures.append(f"GET {path}?{name}={payload[:20]!r}: {total} rows, "
                                    f"{allowed} without the filter")
    return failures
