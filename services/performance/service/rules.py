"""Use cases of the performance service. Keyword-only, Flask-free, raising shared domain errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.performance.models import AuditEvent, Rule
from shared.audit import Actor, record

REFERENCE = Path(__file__).resolve().parents[3] / "data" / "reference" / "rulebooks.yaml"
RULE_FIELDS = ("code", "category", "title_zh", "title_en", "points", "deduction_min",
               "deduction_max", "consequence", "severities", "severity_consequences", "source")


def _money(value: Any) -> Decimal | None:
    """Amounts are decimal strings in the YAML; a float there would be a data error."""
    if value is None:
        return None
    if isinstance(value, float):
        raise ValueError(f"money must be written as a decimal string, not {value!r}")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def read_rulebooks(path: Path = REFERENCE) -> list[dict[str, Any]]:
    """The rulebooks as plain rows, ready for `Rule(**row)`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for book in data["rulebooks"]:
        for rule in book["rules"]:
            unknown = set(rule) - set(RULE_FIELDS)
            if unknown:
                raise ValueError(f"rule {rule.get('code')}: unknown keys {sorted(unknown)}")
            row = {key: rule.get(key) for key in RULE_FIELDS}
            row["deduction_min"] = _money(row["deduction_min"])
            row["deduction_max"] = _money(row["deduction_max"])
            row["severities"] = list(row["severities"] or [])
            row["severity_consequences"] = dict(row["severity_consequences"] or {})
            row.update(rulebook=book["code"], rulebook_version=int(book["version"]))
            rows.append(row)
    return rows


def load_reference_data(*, session: Session) -> int:
    """Load the rulebooks into an empty store (first start); returns how many rules were added."""
    if session.scalar(select(func.count()).select_from(Rule)):
        return 0
    rows = read_rulebooks()
    session.add_all(Rule(**row) for row in rows)
    books = sorted({(r["rulebook"], r["rulebook_version"]) for r in rows})
    for code, version in books:
        record(session, AuditEvent, actor=Actor.system("reference-data"), action="rulebook.load",
               target_type="rulebook", target_id=code,
               after={"version": version,
                      "rules": [r["code"] for r in rows if r["rulebook"] == code]})
    session.commit()
    return len(rows)


def list_rules(*, session: Session, page: int, per_page: int,
               category: str | None = None) -> tuple[list[Any], int]:
    query = select(Rule).where(Rule.is_current.is_(True))
    if category is not None:
        query = query.where(Rule.category == category)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Rule.id).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
