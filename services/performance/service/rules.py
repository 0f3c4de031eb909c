"""The rulebooks (考核标准) as versioned data: loaded from the seeds once, then edited through
the API as new versions — never in place, so an incident keeps the rule row it was judged
under. Keyword-only, Flask-free, raising the shared domain errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.performance.models import AuditEvent, Rule
from services.performance.service import named_policies
from services.performance.service.policy import load_policy
from shared.audit import Actor, record, utcnow
from shared.errors import Conflict, NotFound, ValidationFailed

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
    """Load the rulebooks (and the policy) into an empty store (first start); returns how many
    rules were added."""
    if load_policy(session=session):
        session.commit()
    for name in (named_policies.VISIT_TIERS, named_policies.LOSS_SHARES):  # visits, losses
        named_policies.current(session=session, name=name)
    session.commit()
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


CHANGEABLE = ("category", "title_zh", "title_en", "points", "deduction_min", "deduction_max",
              "consequence", "severities", "severity_consequences", "source")
CONSEQUENCES = ("disqualification", "no_excellence")


def current_rule(*, session: Session, code: str) -> Rule:
    rule = session.scalar(select(Rule).where(Rule.code == code, Rule.is_current.is_(True)))
    if rule is None:
        raise NotFound(f"No rule {code}.")
    return rule


def rule_versions(*, session: Session, code: str, page: int,
                  per_page: int) -> tuple[list[Rule], int]:
    current_rule(session=session, code=code)
    query = select(Rule).where(Rule.code == code)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Rule.version.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def rulebook_as_of(*, session: Session, rulebook: str, version: int) -> list[Rule]:
    """The rulebook as it stood at `version`: per code, the newest row published by then."""
    rows = session.scalars(select(Rule).where(Rule.rulebook == rulebook,
                                              Rule.rulebook_version <= version)
                           .order_by(Rule.code, Rule.version)).all()
    if not rows:
        raise NotFound(f"No rulebook {rulebook} at version {version}.")
    latest: dict[str, Rule] = {}
    first_id: dict[str, int] = {}
    for row in rows:
        latest[row.code] = row
        first_id.setdefault(row.code, row.id)
    return sorted(latest.values(), key=lambda r: first_id[r.code])  # the book's own order


def _check_terms(terms: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    low, high = terms["deduction_min"], terms["deduction_max"]
    if low is not None and high is not None and low > high:
        errors["deduction_min"] = ["At most deduction_max."]
    if terms["points"] is None and low is None and high is None and not terms["consequence"]:
        errors["points"] = ["A rule costs points, a deduction or a consequence."]
    if terms["consequence"] not in (None, *CONSEQUENCES):
        errors["consequence"] = [f"One of {', '.join(CONSEQUENCES)}, or null."]
    for severity, consequence in terms["severity_consequences"].items():
        if severity not in terms["severities"]:
            errors[f"severity_consequences.{severity}"] = ["Not a severity the rule allows."]
        elif consequence not in CONSEQUENCES:
            errors[f"severity_consequences.{severity}"] = [f"One of {', '.join(CONSEQUENCES)}."]
    if "aggravated" in terms["severities"] and terms["points"] is None:
        errors["severities"] = ["Aggravation overrides points: the rule needs points."]
    if errors:
        raise ValidationFailed("The rule is not valid.", errors=errors)


def publish_rule_version(*, session: Session, code: str, changes: dict[str, Any], reason: str,
                         actor: Actor) -> Rule:
    """Publish the next version of a rule (and of its rulebook). The old row is kept, marked
    superseded: incidents judged under it keep pointing at it."""
    old = current_rule(session=session, code=code)
    terms = {key: getattr(old, key) for key in CHANGEABLE}
    terms.update({k: v for k, v in changes.items() if k in CHANGEABLE})
    terms["severities"] = list(terms["severities"] or [])
    terms["severity_consequences"] = dict(terms["severity_consequences"] or {})
    _check_terms(terms)
    book_version = (session.scalar(select(func.max(Rule.rulebook_version))
                                   .where(Rule.rulebook == old.rulebook)) or 0) + 1
    old.is_current = False
    session.flush()  # the partial unique index allows one current row per code
    new = Rule(code=code, version=old.version + 1, is_current=True, rulebook=old.rulebook,
               rulebook_version=book_version, published_at=utcnow(),
               published_by=actor.sub, change_reason=reason, **terms)
    session.add(new)
    record(session, AuditEvent, actor=actor, action="rule.publish", target_type="rule",
           target_id=code, before=_audit(old), after={**_audit(new), "reason": reason})
    try:
        session.commit()
    except IntegrityError as error:  # another version of the rule at the same moment
        session.rollback()
        raise Conflict(f"Another version of rule {code} was published at the same time.") \
            from error
    return new


def _audit(rule: Rule) -> dict[str, Any]:
    data = {key: getattr(rule, key) for key in CHANGEABLE}
    for key in ("deduction_min", "deduction_max"):
        data[key] = None if data[key] is None else str(data[key])
    return {**data, "version": rule.version, "rulebook_version": rule.rulebook_version}


def add_rule(*, session: Session, rulebook: str, rule_in: dict[str, Any], reason: str,
             actor: Actor) -> Rule:
    """Add a rule to a rulebook (its version 1, in the rulebook's next version) — e.g. the
    credit items the seed's list is cut off before."""
    if not session.scalar(select(Rule.id).where(Rule.rulebook == rulebook).limit(1)):
        raise NotFound(f"No rulebook {rulebook}.")
    code = rule_in["code"]
    if session.scalar(select(Rule.id).where(Rule.code == code).limit(1)):
        raise Conflict(f"Rule {code} exists; publish its next version instead.")
    terms = {key: rule_in.get(key) for key in CHANGEABLE}
    terms["severities"] = list(terms["severities"] or [])
    terms["severity_consequences"] = dict(terms["severity_consequences"] or {})
    _check_terms(terms)
    book_version = (session.scalar(select(func.max(Rule.rulebook_version))
                                   .where(Rule.rulebook == rulebook)) or 0) + 1
    rule = Rule(code=code, version=1, is_current=True, rulebook=rulebook,
                rulebook_version=book_version, published_at=utcnow(), published_by=actor.sub,
                change_reason=reason, **terms)
    session.add(rule)
    try:
        session.flush()
    except IntegrityError as error:  # added at the same moment by someone else
        session.rollback()
        raise Conflict(f"Rule {code} exists.") from error
    record(session, AuditEvent, actor=actor, action="rule.add", target_type="rule",
           target_id=code, after={**_audit(rule), "reason": reason})
    session.commit()
    return rule
