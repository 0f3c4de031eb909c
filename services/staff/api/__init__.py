"""HTTP resources of the staff service, one blueprint per feature."""

from services.staff.api.audit import blp as audit_blp
from services.staff.api.chart import blp as chart_blp
from services.staff.api.employees import blp as employees_blp
from services.staff.api.imports import blp as imports_blp
from services.staff.api.org_units import blp as org_units_blp
from services.staff.api.positions import blp as positions_blp
from services.staff.api.qualifications import blp as qualifications_blp
from services.staff.api.relations import blp as relations_blp
from services.staff.api.scheduled import blp as scheduled_blp

blueprints = [org_units_blp, chart_blp, positions_blp, imports_blp, employees_blp,
              relations_blp, qualifications_blp, scheduled_blp, audit_blp]
