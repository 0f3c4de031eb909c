"""`/performance/losses`, `/performance/loss-policy`: loss accountability 责任追究 — a loss
found by internal audit split over the people responsible, exact to the fen, for life."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.performance.api.visits import UNAVAILABLE, staff, today
from services.performance.models import db
from services.performance.schemas.losses import (
    LossCreate,
    LossPolicyRead,
    LossPolicyUpdate,
    LossQuery,
    LossRead,
)
from services.performance.service import losses, named_policies
from shared.audit import actor_from_request
from shared.permissions import current_principal
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("losses", __name__, url_prefix="/performance",
                description="Loss accountability 责任追究 (adopted by analogy): direct parties "
                "bear 80%, indirect parties share 20% equally (policy data); a superior who "
                "ordered it is the direct party. Shares are exact to the fen and sum to the "
                "loss (largest remainder, ties by employee number). Never deleted (终身).")


@blp.route("/losses")
class Losses(MethodView):
    @blp.arguments(LossQuery, location="query")
    @blp.response(200, page_of(LossRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Losses with a party in the caller's scope, and the caller's own; newest first."""
        items, total = losses.list_losses(session=db.session, principal=current_principal(),
                                          **query)
        return page_payload([losses.loss_answer(loss, shares) for loss, shares in items],
                            total, query)

    @blp.arguments(LossCreate)
    @blp.response(201, LossRead)
    @blp.doc(responses={"403": {"description": "No `performance:record` anywhere."},
                        "409": {"description": "A loss for this audit reference exists."},
                        "422": {"description": "Invalid; a party unknown or outside the "
                                "caller's `performance:record` scope (alike); a person named "
                                "twice."}, **UNAVAILABLE})
    def post(self, loss_in: dict[str, Any]) -> Any:
        """Record a loss (status `recorded`) with each person's share; internal audit then
        confirms it."""
        loss = losses.record_loss(session=db.session, loss_in=loss_in,
                                  principal=current_principal(), actor=actor_from_request(),
                                  staff=staff(), today=today())
        return losses.loss_answer(loss, losses.shares_of(db.session, loss))


@blp.route("/losses/<int:loss_id>")
class LossItem(MethodView):
    @blp.response(200, LossRead)
    def get(self, loss_id: int) -> Any:
        """One loss and its shares (404 when unknown or outside the caller's scope)."""
        return losses.loss_answer(*losses.get_loss(session=db.session, loss_id=loss_id,
                                                   principal=current_principal()))


@blp.route("/losses/<int:loss_id>/confirm")
class LossConfirm(MethodView):
    @blp.response(200, LossRead)
    @blp.doc(responses={"403": {"description": "No `performance:audit-confirm` (auditor) over "
                                "every party's unit, or the recorder or a party."},
                        "409": {"description": "Confirmed already."}})
    def post(self, loss_id: int) -> Any:
        """Internal audit confirms the loss (稽核确认): from then on the shares bind."""
        return losses.loss_answer(*losses.confirm_loss(
            session=db.session, loss_id=loss_id, principal=current_principal(),
            actor=actor_from_request()))


def policy_answer(row: Any) -> dict[str, Any]:
    return {"version": row.version, **row.document, "published_at": row.published_at,
            "published_by": row.published_by, "change_reason": row.change_reason}


@blp.route("/loss-policy")
class LossPolicy(MethodView):
    @blp.response(200, LossPolicyRead)
    def get(self) -> Any:
        """The current shares: direct and indirect fractions of a loss."""
        row = named_policies.current(session=db.session, name=named_policies.LOSS_SHARES)
        db.session.commit()
        return policy_answer(row)

    @blp.arguments(LossPolicyUpdate)
    @blp.response(200, LossPolicyRead)
    @blp.doc(responses={"403": {"description": "No `performance:policy` over the whole "
                                "organisation or a root unit."}})
    def put(self, policy_in: dict[str, Any]) -> Any:
        """Publish the next version (audited; a loss keeps the version it was split with)."""
        named_policies.require_editor(current_principal())
        reason = policy_in.pop("reason")
        return policy_answer(named_policies.publish(
            session=db.session, name=named_policies.LOSS_SHARES, document=policy_in,
            reason=reason, actor=actor_from_request()))
