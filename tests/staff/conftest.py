"""Staff fixtures live in `tests/staff/fixtures.py` so that the staff security tests in
`tests/security/` can import the same ones (a conftest cannot be imported as a plugin
without being registered twice)."""

from tests.staff.fixtures import *  # noqa: F403
