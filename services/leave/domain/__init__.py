"""Pure leave rules: no Flask, no database, no I/O but what a caller passes in.

- `calendar`: the China working calendar (official schedule + HR overrides; provisional
  years) and day counting with half days;
- `spans`: leave spans and the anti-splitting rule (requests that form one absence);
- `policy`: the routing policy as data (data/reference/leave_policy.yaml);
- `routing`: the approval steps of a new request;
- `entitlement`: annual leave per 职工带薪年休假条例 and its 实施办法;
- `notice`: how soon (notice) or how far back (filed after the fact) a request may start;
- `errors`: `LeaveRuleError` (a `ValueError`) and its kinds, for the service to map to 422.
"""
