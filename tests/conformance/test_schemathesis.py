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


def test_every_answer_matches_the_document(service):
    load_all_checks()
    api = load_schema(service)
    api.validate()

    def call(case):
        case.call_and_validate(headers=service.headers(), checks=CHECKS)

    tested, failures = [], []
    for result in get_all_tests(schema=api, test_func=call, settings=SETTINGS,
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
