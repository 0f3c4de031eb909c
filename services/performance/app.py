"""The performance service's application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from services.performance import service
from services.performance.api import blueprints, direct
from services.performance.models import db
from services.performance.service import outbox
from services.performance.staff import Staff, StaffGateway
from shared.db import engine_of, session_for, upgrade
from shared.direct import DirectLanes, install
from shared.settings import Settings
from shared.tokens import TokenVerifier
from shared.web import after_successful_writes, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"

DESCRIPTION = """Rulebooks, demerit incidents, scorecards and bonus deductions (docs/domain.md §4).

**Rulebooks** are versioned data: `GET /performance/rules` is the current version; a rule is
changed only by publishing its next version (`performance:policy` held over the whole
organisation or a root unit, audited). An incident keeps the rule version and the numbers it
was judged with, whatever the rulebook becomes; older versions stay readable.

**Incidents**: recorded by a holder of `performance:record` over the subject's unit (the
subject's unit, grade and governing branch come from staff; staff down → 503, nothing
written). An unknown employee and one outside the caller's scope answer alike (422). A rule
with a range (first inquiry 首问责任制: 500–2,000 yuan) needs an amount within it, whoever
records. A rule without a range may carry a discretionary amount, with its reason in
`override_reason` (required: 报告原因); above the recorder's authority cap (policy data per
role, default `dept_manager` 100, `branch_head` 500 yuan, inclusive; roles without a cap
have none) only `hr` (or `admin`) bound on the governing branch may decide it. `aggravated` needs a
`points_override` above the rule's points and an `override_reason`; `egregious` brings the
rule's escalation (disqualification). Occurrence dates are not in the future.

**Decisions** (`confirm`/`dismiss`): `performance:confirm` over the subject's unit, never the
recorder, the subject or an employee staff declares related (回避) → 403. An incident about a
unit head or deputy (grade `head`, 行领导) is decided one level up, like an amount above the
cap: by `hr` (or `admin`) bound on the governing branch. Confirming an
incident that occurred in a signed-off period of the unit or a unit above → 409. A confirmed
disqualification (取消客户经理资格) is owed to staff through an outbox written in the same
transaction and delivered after commit, retried until staff takes it (at least once; staff is
idempotent per reference). **Appeals**: the subject, while confirmed, within the policy window
(default 15 calendar days from confirmation); decided (`uphold`/`overturn`) by `hr` or `admin`
bound on the governing branch — never the first confirmer, the recorder, the subject or a
related party. An appealed incident still counts until overturned; overturning a
disqualification restores the qualification unless another standing incident disqualifies.
Every transition is a hash-chained step; `GET …/trail` re-verifies it.

**Reading**: the subject reads their own incidents; `performance:read`, `:record` or
`:confirm` over the unit reads the unit's; anything else is a 404 like an unknown id.

**Scorecards** (`period` = `YYYY`, `YYYY-Qn` or `YYYY-MM`, inclusive dates): the standing
incidents (confirmed, appealed, upheld) that occurred in the period; `bonus_deducted` is
exact to the fen; `excellence_eligible` is false once one of them carries `no_excellence` or
`disqualification`. The employee reads their own; `performance:read` over their current unit
reads anyone's (others → 404). Unit roll-ups (and their CSV/XLSX exports and chart of points
by month: SVG, or PNG with `format=png` or `Accept: image/png`) count incidents by the unit
the subject was in when the incident was recorded, list the employees with standing incidents
(an employee without any has an all-clear scorecard) and need `performance:read` over the
unit. **Sign-off** (审核, `performance:sign-off` over the unit, once per unit and period,
audited) freezes the period for the unit's subtree: confirming an incident that occurred in
it → 409; dismissals and appeal decisions stay possible (they correct, never add)."""


def create_app(settings: Settings | None = None, *, verifier: TokenVerifier | None = None,
               staff: Staff | None = None) -> Flask:
    settings = settings or Settings("performance")
    app = create_service_app(
        settings, db=db, title="Performance", blueprints=blueprints, description=DESCRIPTION,
        verifier=verifier)
    app.extensions["performance_staff"] = staff or StaffGateway(settings)

    def deliver_outbox() -> None:
        if outbox.has_due(db.session):
            outbox.deliver(db.session, app.extensions["performance_staff"].send)

    after_successful_writes(app, db, deliver_outbox, what="outbox delivery")

    app.extensions["performance_direct"] = install(app, lambda inner: DirectLanes(
        inner, service=settings.service, routes=direct.routes(app, engine_of(app, db))))
    return app


def prepare(settings: Settings) -> None:
    """Migrate, then load the rulebooks and the policy into an empty store (runs once,
    before workers)."""
    upgrade(MIGRATIONS, settings.database_url)
    with session_for(settings.database_url) as session:
        service.load_reference_data(session=session)


def deliver_messages(settings: Settings, staff: Staff | None = None) -> dict[str, int]:
    """Deliver every pending outbox message now (backoff ignored)."""
    with session_for(settings.database_url) as session:
        return outbox.deliver(session, (staff or StaffGateway(settings)).send, force=True)
