"""Use cases of the leave service, one module per feature. Keyword-only, Flask-free, raising
the shared domain errors (`shared.errors`) that the platform maps to problem+json."""

from services.leave.service.reference import list_types, load_reference_data

__all__ = ["list_types", "load_reference_data"]
