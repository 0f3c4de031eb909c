"""HTTP resources of the performance service."""

from services.performance.api.audit import blp as audit_blp
from services.performance.api.compliance import blp as compliance_blp
from services.performance.api.incidents import blp as incidents_blp
from services.performance.api.losses import blp as losses_blp
from services.performance.api.rules import blp as rules_blp
from services.performance.api.scorecards import blp as scorecards_blp
from services.performance.api.visits import blp as visits_blp

blueprints = [rules_blp, incidents_blp, scorecards_blp, visits_blp, compliance_blp, losses_blp,
              audit_blp]
