"""Use cases of the auth service, split by feature. Keyword-only, Flask-free functions that
take a `session`, the `settings` and an explicit `now` where time matters (so tests control
time instead of sleeping), and raise `shared.errors` subclasses or `OAuthError`."""
