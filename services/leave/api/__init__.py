"""HTTP resources of the leave service."""

from services.leave.api.types import blp as types_blp

blueprints = [types_blp]
