"""The leave rules stay pure: importing them pulls in neither Flask nor a database layer, so
they can be tested (and reused by other systems) without an application or a store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MODULES = ["calendar", "spans", "policy", "routing", "entitlement", "notice", "errors"]


def test_the_domain_modules_import_neither_flask_nor_sqlalchemy():
    imports = "; ".join(f"import services.leave.domain.{m}" for m in MODULES)
    check = "import sys; print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", f"{imports}; {check}"], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
