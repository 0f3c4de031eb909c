"""`/leave/webhooks`: subscriptions to leave events, and the iCalendar feed per unit."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import Response, current_app
from flask.views import MethodView

from services.leave.api.common import caller, directory, require_policy, today
from services.leave.models import db
from services.leave.schemas import FeedQuery, WebhookCreate, WebhookCreated, WebhookRead
from services.leave.service import events, queries
from services.leave.service.common import invalid
from shared.errors import NotFound
from shared.outbound import DestinationRefused, check_receiver
from shared.web import Blueprint, PageQuery, page_of, page_payload

blp = Blueprint("webhooks", __name__, url_prefix="/leave",
                description="Events for other systems: webhooks (signed, retried) and an "
                "iCalendar feed of approved leave per unit.")


@blp.route("/webhooks")
class Webhooks(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(WebhookRead))
    def get(self, query: dict[str, Any]) -> Any:
        """The subscriptions (never their secrets)."""
        require_policy(caller())
        hooks = [events.webhook_dict(h) for h in events.list_webhooks(db.session)]
        start = (query["page"] - 1) * query["per_page"]
        return page_payload(hooks[start:start + query["per_page"]], len(hooks), query)

    @blp.arguments(WebhookCreate)
    @blp.response(201, WebhookCreated)
    def post(self, hook_in: dict[str, Any]) -> Any:
        """Subscribe a URL to topics (`leave.submitted`, `.approved`, `.rejected`,
        `.withdrawn`, `.cancelled`, `.stand_in_assigned`). The receiver must be allowed
        (`HR_WEBHOOK_HOSTS`; never a link-local address such as 169.254.169.254) — 422
        otherwise, and it is checked again before each delivery. Each delivery is signed:
        `X-HR-Signature: sha256=HMAC(secret, "<X-HR-Timestamp>.<body>")`; retried with
        backoff until 2xx (at least once: de-duplicate on `X-HR-Delivery`). The secret is
        shown once."""
        who = caller()
        require_policy(who)
        try:
            check_receiver(hook_in["url"], current_app.extensions["hr_settings"])
        except DestinationRefused as exc:
            raise invalid("url", str(exc)) from exc
        hook, secret = events.create_webhook(session=db.session, url=hook_in["url"],
                                             topics=hook_in["topics"], actor=who.actor)
        return {**events.webhook_dict(hook), "secret": secret}


@blp.route("/webhooks/<int:webhook_id>",
           parameters=[{"in": "path", "name": "webhook_id", "example": 1}])
class WebhookItem(MethodView):
    @blp.response(204)
    def delete(self, webhook_id: int) -> None:
        """Unsubscribe (audited); undelivered events for it are dropped."""
        who = caller()
        require_policy(who)
        events.delete_webhook(session=db.session, webhook_id=webhook_id, actor=who.actor)


@blp.route("/units/<code>/calendar.ics")
class Feed(MethodView):
    @blp.arguments(FeedQuery, location="query")
    @blp.response(200, content_type="text/calendar", description="iCalendar (RFC 5545).",
                  example="BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//HR platform//leave//EN"
                          "\r\nBEGIN:VEVENT\r\nUID:leave-1@hr.example\r\n"
                          "DTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:20270309\r\n"
                          "SUMMARY:E0019 personal\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    def get(self, query: dict[str, Any], code: str) -> Any:
        """Approved leave in the unit's subtree as all-day events (who and which type, never
        the reason), for team calendars. Needs leave:read over the unit."""
        who = caller()
        unit = directory().unit(code)
        if unit is None or not who.may("leave:read", unit["path"]):
            raise NotFound(f"No unit {code}.")
        since = query.get("since") or today() - dt.timedelta(days=90)
        domain = urlsplit(current_app.extensions["hr_settings"].issuer).hostname or "hr"
        body = queries.ical_feed(session=db.session, unit_path=unit["path"], unit_code=code,
                                 domain=domain, since=since)
        return Response(body, mimetype="text/calendar",
                        headers={"Content-Disposition": f'inline; filename="{code}.ics"'})
