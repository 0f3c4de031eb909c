"""Cross-cutting pieces every service uses: settings, errors, logging, database wiring,
token verification, permissions, the service-to-service HTTP client, audit and test helpers.

Nothing here knows a service's business; services never import each other, only this.
"""
