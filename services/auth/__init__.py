"""The auth service: users, org-scoped roles, RS256 access tokens, refresh rotation, clients,
and permission checks for systems that prefer to ask."""
