"""Use cases of the staff service, split by feature. Keyword-only, Flask-free functions that
raise `shared.errors` subclasses; each write commits once, with its audit event."""
