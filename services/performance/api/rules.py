"""`/performance/rules`, `/performance/rulebooks` and `/performance/policy`: the rulebook
(考核标准) and the policy, readable by any signed-in user, changed only as new versions by a
holder of `performance:policy` over the whole organisation or a root unit."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.performance import service
from services.performance.models import db
from services.performance.schemas.rules import (
    PolicyChange,
    PolicyRead,
    RulebookQuery,
    RuleChange,
    RuleCreate,
    RuleQuery,
    RuleRead,
    RuleVersionRead,
)
from services.performance.service import policy, rules
from shared.audit import actor_from_request
from shared.errors import Forbidden, NotFound
from shared.permissions import current_principal
from shared.scope import WHOLE_ORGANISATION
from shared.web import Blueprint, PageQuery, page_of, page_payload

blp = Blueprint("rules", __name__, url_prefix="/performance", description="Rulebook and policy")


def require_policy() -> None:
    """Rulebooks and caps bind the whole bank: only a policy holder over a root may edit."""
    principal = current_principal()
    if not any("performance:policy" in g.permissions
               and (g.path == WHOLE_ORGANISATION or "/" not in g.path)
               for g in principal.roles):
        raise Forbidden("This needs the permission performance:policy over the whole "
                        "organisation.")


def _policy(p: policy.Policy) -> dict[str, Any]:
    return {"version": p.version, "authority_caps": p.authority_caps,
            "over_cap_confirmer_roles": list(p.over_cap_confirmer_roles),
            "appeal_window_days": p.appeal_window_days,
            "appeal_decider_roles": list(p.appeal_decider_roles)}


@blp.route("/rules")
class Rules(MethodView):
    @blp.arguments(RuleQuery, location="query")
    @blp.response(200, page_of(RuleRead))
    def get(self, query: dict[str, Any]) -> Any:
        """The rules (current version): demerit points, bonus deduction ranges (yuan) and
        consequences."""
        items, total = service.list_rules(session=db.session, **query)
        return page_payload(items, total, query)


@blp.route("/rules/<code>")
class RuleItem(MethodView):
    @blp.response(200, RuleRead)
    def get(self, code: str) -> Any:
        """One rule, current version."""
        return rules.current_rule(session=db.session, code=code)


@blp.route("/rules/<code>/versions")
class RuleVersions(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(RuleVersionRead))
    def get(self, query: dict[str, Any], code: str) -> Any:
        """Every version of the rule, newest first."""
        items, total = rules.rule_versions(session=db.session, code=code, **query)
        return page_payload(items, total, query)

    @blp.arguments(RuleChange)
    @blp.response(201, RuleVersionRead)
    def post(self, change: dict[str, Any], code: str) -> Any:
        """Publish the rule's next version (and its rulebook's). Incidents already recorded
        keep the version they were judged under."""
        require_policy()
        reason = change.pop("reason")
        return rules.publish_rule_version(session=db.session, code=code, changes=change,
                                          reason=reason, actor=actor_from_request())


@blp.route("/rulebooks/<rulebook>")
class Rulebook(MethodView):
    @blp.arguments(RulebookQuery, location="query")
    @blp.response(200, page_of(RuleVersionRead))
    def get(self, query: dict[str, Any], rulebook: str) -> Any:
        """The rulebook as it stood at `version` (older versions stay readable)."""
        items = rules.rulebook_as_of(session=db.session, rulebook=rulebook,
                                     version=query["version"])
        start = (query["page"] - 1) * query["per_page"]
        return page_payload(items[start:start + query["per_page"]], len(items), query)


@blp.route("/rulebooks/<rulebook>/rules")
class RulebookRules(MethodView):
    @blp.arguments(RuleCreate)
    @blp.response(201, RuleVersionRead)
    @blp.doc(responses={"409": {"description": "The code exists."}})
    def post(self, rule_in: dict[str, Any], rulebook: str) -> Any:
        """Add a rule to the rulebook (in its next version), audited."""
        require_policy()
        reason = rule_in.pop("reason")
        return rules.add_rule(session=db.session, rulebook=rulebook, rule_in=rule_in,
                              reason=reason, actor=actor_from_request())


@blp.route("/policy")
class PolicyResource(MethodView):
    @blp.response(200, PolicyRead)
    def get(self) -> Any:
        """The current policy: authority caps per role, who confirms above a cap, the appeal
        window and who decides appeals."""
        return _policy(policy.current_policy(session=db.session))

    @blp.arguments(PolicyChange)
    @blp.response(201, PolicyRead)
    def put(self, change: dict[str, Any]) -> Any:
        """Publish the next policy version; incidents keep the version they were judged
        under."""
        require_policy()
        reason = change.pop("reason")
        return _policy(policy.publish_policy(session=db.session, document=change,
                                             reason=reason, actor=actor_from_request()))


@blp.route("/policy/versions/<int:version>")
class PolicyVersion(MethodView):
    @blp.response(200, PolicyRead)
    def get(self, version: int) -> Any:
        """An older (or the current) policy version."""
        found = policy.policy_version(session=db.session, version=version)
        if found is None:
            raise NotFound(f"No policy version {version}.")
        return _policy(found)
