"""HTTP resources of the performance service."""

from services.performance.api.incidents import blp as incidents_blp
from services.performance.api.rules import blp as rules_blp

blueprints = [rules_blp, incidents_blp]
