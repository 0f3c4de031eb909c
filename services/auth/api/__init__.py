"""HTTP resources of the auth service, one module per feature."""

from services.auth.api.audit import blp as audit_blp
from services.auth.api.checks import blp as checks_blp
from services.auth.api.clients import blp as clients_blp
from services.auth.api.directory import blp as directory_blp
from services.auth.api.me import blp as me_blp
from services.auth.api.oauth import PUBLIC as OAUTH_PUBLIC
from services.auth.api.oauth import blp as oauth_blp
from services.auth.api.org_events import blp as org_events_blp
from services.auth.api.people_events import blp as people_events_blp
from services.auth.api.roles import blp as roles_blp
from services.auth.api.users import blp as users_blp
from services.auth.api.wellknown import PUBLIC as WELLKNOWN_PUBLIC
from services.auth.api.wellknown import blp as wellknown_blp

blueprints = [oauth_blp, wellknown_blp, users_blp, me_blp, roles_blp, clients_blp, checks_blp,
              org_events_blp, people_events_blp, audit_blp, directory_blp]
PUBLIC_ENDPOINTS = (*OAUTH_PUBLIC, *WELLKNOWN_PUBLIC)
