"""Pure rules of auth (no database, no Flask): scopes, validity periods, check decisions,
password policy."""
