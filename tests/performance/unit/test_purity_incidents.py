"""The incident, period and scorecard rules stay pure, and money stays Decimal inside."""

from __future__ import annotations

import subprocess
import sys

from tests.performance.unit import ROOT

MINE = ("domain/incidents.py", "domain/periods.py", "domain/scorecards.py",
        "service/incidents.py", "service/decisions.py", "service/scorecards.py",
        "service/policy.py", "service/rules.py", "service/steps.py", "service/exports.py",
        "models/incidents.py", "models/rules.py")


def test_the_incident_rules_import_neither_flask_nor_sqlalchemy():
    imports = ("import services.performance.domain.incidents, "
               "services.performance.domain.periods, services.performance.domain.scorecards")
    check = "import sys; print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", f"{imports}; {check}"], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_the_use_cases_import_nothing_from_flask():
    offenders = [name for name in MINE if name.startswith("service/") and "flask" in
                 (ROOT / "services" / "performance" / name).read_text(encoding="utf-8")]
    assert offenders == []


def test_no_float_is_used_for_money_in_the_incident_and_scorecard_code():
    """The `Money` field's JSON output is the one place a float is made, on the way out."""
    offenders = [name for name in MINE
                 if "float(" in (ROOT / "services" / "performance" / name).read_text(
                     encoding="utf-8")]
    assert offenders == []
