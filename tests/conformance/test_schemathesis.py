"""Schemathesis against every service's own OpenAPI document, in-process over WSGI.

Each service is built fresh (either store), authenticated with a real token for it (see
`conftest.py`), and every operation in its `openapi.json` is called with generated input:
the documented examples, schemathesis's coverage cases (boundaries, missing and wrong-typed
values) and fuzzing, valid and invalid data alike. The run fails on any 5xx and on any answer
whose status code, content type, headers or body the document does not describe; all
operations run, and every failing one is reported.

Bounded: `HR_CONFORMANCE_EXAMPLES` (default 30) fuzzed examples per operation, no deadline,
derandomised so that a failure reproduces (`HR_CONFORMANCE_SEED=<n>` explores another seed).

Why not `schemathesis.pytest.from_fixture(...).parametrize()`: schemathesis 4.32's lazy
plugin writes `request.node._nodeid`, which pytest 9 no longer has. The loop below uses the
same per-operation test builder the plugin uses (`schemathesis.pytest.lazy.get_all_tests`).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conformance.conftest import as_employee

MAX_EXAMPLES = int(os.environ.get("HR_CONFORMANCE_EXAMPLES", "30"))
SEED = os.environ.get("HR_CONFORMANCE_SEED")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
SETTINGS = settings(
    max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=SEED is None,
    suppress_health_check=list(HealthCheck), print_blob=False,
    phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink],
)


def load_schema(service) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict({
        "headers": service.headers(),
        "generation": {"max-examples": MAX_EXAMPLES},
        "seed": int(SEED) if SEED else 20261123,
    })
    return schemathesis.openapi.from_wsgi(f"{service.prefix}/openapi.json", service.app,
                                          config=config)


def _every_operation(service, max_examples: int) -> None:
    load_all_checks()
    api = load_schema(service)
    api.validate()

    def call(case):
        case.call_and_validate(headers=service.headers(), checks=CHECKS)

    tested, failures = [], []
    for result in get_all_tests(schema=api, test_func=call,
                                settings=settings(SETTINGS, max_examples=max_examples),
                                given_kwargs={}):
        if not isinstance(result, Ok):
            failures.append(f"invalid operation in the document: {result.err()}")
            continue
        operation, run = result.ok()
        tested.append(operation.label)
        try:
            run()
        except FailureGroup as exc:
            failures.append(f"{operation.label}:\n{exc}")
        except Exception as exc:  # an error inside the app or the generator: report it too
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}")
    assert tested, f"{service.name}: the document has no operations"
    assert not failures, (f"{len(failures)} of {len(tested)} operations of {service.name} "
                          "break their document:\n\n" + "\n\n".join(failures))


def test_every_answer_matches_the_document(service):
    _every_operation(service, MAX_EXAMPLES)


def test_every_answer_matches_the_document_as_an_employee(service, tokens):
    """The same run with an ordinary employee's token: refusals (403, 404, 422 for what
    the caller may not see) must be documented answers too, and never a 5xx. Fewer
    examples: most operations stop at the permission check."""
    _every_operation(as_employee(service, tokens), max(5, MAX_EXAMPLES // 3))


# --- Bodies that are not UTF-8 text, to every operation that takes a body -------------------

#: Banks' spreadsheets export CSV in GBK/GB18030 as often as in UTF-8; clients send UTF-16
#: with a BOM; anything may arrive as bytes. None of it may be a 5xx.
RAW_BODIES = {
    "gb18030": "employee_no,name,org\nE9001,唐敏,SB01\n".encode("gb18030"),
    "utf-16": "{\"name\": \"唐敏\"}".encode("utf-16"),
    "binary": bytes(range(256)) + b"\x00\xff" * 64,
}


def _documented(operation, status: int) -> bool:
    responses = operation.definition.raw.get("responses", {})
    return str(status) in responses or "default" in responses


def test_non_utf8_and_binary_bodies_are_answered_as_documented(service):
    """Each operation with a body, at a path schemathesis fills validly, gets each raw body
    under each content type it documents and as application/octet-stream: never a 5xx, an
    error is problem+json (the OAuth endpoints' own JSON errors aside), and its status is one
    the document lists."""
    api = load_schema(service)
    client = service.app.test_client()
    failures: list[tuple[str, str, str]] = []
    exercised = 0

    def call(case):
        nonlocal exercised
        operation = case.operation
        types = [*operation.get_request_payload_content_types(), "application/octet-stream"]
        for kind, raw in RAW_BODIES.items():
            for media_type in dict.fromkeys(types):
                resp = client.open(case.formatted_path, method=case.method, data=raw,
                                   query_string=case.query, content_type=media_type,
                                   headers=service.headers())
                exercised += 1
                label = f"{operation.label} as {media_type}"
                problem = resp.mimetype == "application/problem+json" or (
                    operation.path.startswith("/auth/") and resp.mimetype == "application/json")
                if resp.status_code >= 500:
                    failures.append((operation.label, kind, f"{label}: {resp.status_code}"))
                elif resp.status_code >= 400 and not problem:
                    failures.append((operation.label, kind, f"{label}: {resp.mimetype}"))
                elif not _documented(operation, resp.status_code):
                    failures.append((operation.label, kind,
                                     f"{label}: undocumented {resp.status_code}"))

    raw_settings = settings(SETTINGS, max_examples=2, phases=[Phase.generate])
    for result in get_all_tests(schema=api, test_func=call, settings=raw_settings,
                                given_kwargs={}):
        if isinstance(result, Ok) and result.ok()[0].get_request_payload_content_types():
            result.ok()[1]()
    if not exercised:
        pytest.skip(f"{service.name} has no operation that takes a body")
    assert not failures, "\n".join(sorted({f[2] + f" [{f[1]}]" for f in failures}))
