"""Use cases of the performance service, one module per feature. Keyword-only, Flask-free,
raising the shared domain errors. The rulebook's use cases are re-exported here because
callers (`app.prepare`, tests) name them as `services.performance.service.X`."""

from services.performance.service.rules import (
                                                REFERENCE,
                                                list_rules,
                                                load_reference_data,
                                                read_rulebooks,
)

__all__ = ["REFERENCE", "list_rules", "load_reference_data", "read_rulebooks"]
