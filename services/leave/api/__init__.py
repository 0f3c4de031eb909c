"""HTTP resources of the leave service."""

from services.leave.api.approvals import blp as approvals_blp
from services.leave.api.balances import blp as balances_blp
from services.leave.api.calendar import blp as calendar_blp
from services.leave.api.requests import blp as requests_blp
from services.leave.api.stand_ins import blp as stand_ins_blp
from services.leave.api.types import blp as types_blp
from services.leave.api.webhooks import blp as webhooks_blp

blueprints = [types_blp, requests_blp, approvals_blp, balances_blp, calendar_blp,
              webhooks_blp, stand_ins_blp]
