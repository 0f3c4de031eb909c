"""auth and staff start in either order: neither needs the other to come up, and they find
each other once both are there."""

from __future__ import annotations

import jwt
import pytest

from tests.e2e.conftest import require
from tests.e2e.harness import Stack


@pytest.mark.parametrize("first", ["staff", "auth"])
def test_auth_and_staff_start_in_either_order_and_then_work_together(tmp_path, pg_server,
                                                                       first):
    require("auth", "staff")
    second = "auth" if first == "staff" else "staff"
    stack = Stack(tmp_path, [first, second], pg=pg_server)
    try:
        stack.services = [first]
        stack.start()
        assert stack.http.get(stack.url(first, "/health"), timeout=5).status_code == 200
        if first == "auth":
            # auth serves logins before staff exists; a unit it has not cached is a clear 503.
            token = stack.admin_token()
            me = stack.request("GET", "auth", "/me", token=token)
            assert me.status_code == 200
            users = stack.request("GET", "auth", "/users", token=token).json()["items"]
            admin_id = next(u["id"] for u in users if u["username"] == "admin")
            down = stack.request("POST", "auth", f"/users/{admin_id}/roles", token=token,
                                 json={"role": "auditor", "org": "NOPE_YET"})
            assert down.status_code == 503
            assert down.headers["Content-Type"].startswith("application/problem+json")

        stack.services = [second]
        stack.start()
        stack.services = [first, second]
        token = stack.admin_token()
        made = stack.request("POST", "staff", "/org-units", token=token,
                             json={"code": "HQ", "name_zh": "总行", "type": "head_office",
                                   "parent": None})
        assert made.status_code == 201, made.text
        users = stack.request("GET", "auth", "/users", token=token).json()["items"]
        admin_id = next(u["id"] for u in users if u["username"] == "admin")
        bound = stack.request("POST", "auth", f"/users/{admin_id}/roles", token=token,
                              json={"role": "auditor", "org": "HQ"})
        assert bound.status_code == 201, bound.text
        fresh = stack.login("admin", stack.admin_password)
        roles = jwt.decode(fresh, options={"verify_signature": False})["roles"]
        # The path came from staff: auth had never seen HQ before.
        assert {"role": "auditor", "org": "HQ", "path": "HQ"} in [
            {k: r[k] for k in ("role", "org", "path")} for r in roles]
    finally:
        stack.stop()
