"""`/performance/rules`: the rulebook (考核标准), readable by any signed-in user."""

from flask.views import MethodView

from services.performance import service
from services.performance.models import db
from services.performance.schemas import RuleQuery, RuleRead
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("rules", __name__, url_prefix="/performance/rules", description="Rulebook")


@blp.route("")
class Rules(MethodView):
    @blp.arguments(RuleQuery, location="query")
    @blp.response(200, page_of(RuleRead))
    def get(self, query):
        """The rules: demerit points, bonus deduction ranges (yuan) and consequences."""
        items, total = service.list_rules(session=db.session, **query)
        return page_payload(items, total, query)
