"""The visit and loss rules stay pure: importing them pulls in neither Flask nor a database
layer, so they are tested (and reusable) without an application or a store."""

from __future__ import annotations

import subprocess
import sys

from tests.performance.unit import ROOT


def test_the_visit_and_loss_rules_import_neither_flask_nor_sqlalchemy():
    imports = "import services.performance.domain.visits, services.performance.domain.losses"
    check = "import sys; print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", f"{imports}; {check}"], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_no_float_is_used_for_money_in_the_loss_and_visit_code():
    """Money is Decimal inside: no `float(` in the rules, services or models of the feature
    (the `Money` field's JSON output is the one place a float is made, on the way out)."""
    files = [ROOT / "services" / "performance" / part for part in (
        "domain/visits.py", "domain/losses.py", "service/visits.py", "service/losses.py",
        "service/compliance.py", "service/named_policies.py", "models/visits.py",
        "models/losses.py")]
    offenders = [f.name for f in files if "float(" in f.read_text(encoding="utf-8")]
    assert offenders == []
