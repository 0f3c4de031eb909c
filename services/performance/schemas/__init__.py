"""Schemas named by purpose (what comes in, what goes out), one module per feature."""

from services.performance.schemas.fields import Money
from services.performance.schemas.rules import SEVERITIES, RuleQuery, RuleRead

__all__ = ["SEVERITIES", "Money", "RuleQuery", "RuleRead"]
