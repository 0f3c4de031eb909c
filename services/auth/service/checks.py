"""`/auth/check`: live permission decisions against the database.

Each call costs one Core query whatever the tree depth, the binding count or the batch size
(besides the bearer gate's): a `UNION ALL` of the asked permission names, the asked units'
cached paths (`IN` lists) and the user's status with their bindings, each joined with its
cached path and its role's permissions (indexed on `role_bindings.user_id`). It is a live read
on every call: binding, role and status changes show at once. Paths are compared in Python
(`domain.decisions`).

An org code auth has never seen is asked of staff once (then cached); staff down for an
uncached code → 503. What a code staff does not know answers depends on who asks:

- A caller that may see the whole organisation — a user holding a binding in force over
  `*`, or a client (its permissions are flat, it has no org scope) asking about a subject
  token — gets the precise answer: 422 on `org`, an unknown unit being a caller's mistake.
- Anyone else gets exactly the answer a unit outside their scope gets (`out_of_scope`,
  `not_in_role`, `no_binding`, … as `domain.decisions` decides for a unit no binding of
  theirs covers): 200 `out_of_scope` against 422 would let anyone enumerate the bank's unit
  codes with a token of their own. Nothing keeps such an answer (the unit may be created
  later, inside the caller's scope).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    String,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from services.auth.domain.decisions import BindingView, Decision, decide
from services.auth.domain.scope import WHOLE_ORGANISATION, today_in
from services.auth.models import OrgPath, Permission, Role, RoleBinding, User
from services.auth.service import bindings, orgs, roles, tokens
from services.auth.service.common import Prepared
from shared.errors import ValidationFailed
from shared.settings import Settings


def _field(index: int | None, name: str) -> str:
    return name if index is None else f"checks.{index}.{name}"


#: The columns after (kind, code) of the check query, with the types their values come back as.
_COLUMNS = {"path": String, "status": String, "bid": Integer, "role": String, "org": String,
            "valid_from": Date, "valid_to": Date, "permissions": Role.permissions.type}


@lru_cache(maxsize=256)
def _check_statement(n_permissions: int, n_codes: int, gate: bool = False) -> Prepared:
    """The one query of a check, for that many distinct permissions and unit codes: rows of
    kind `p` (a known permission), `o` (a cached unit path) and `s` (the user's status with
    each binding, its cached path and its role's permissions — one row with null binding
    columns for a user without bindings, none for a user who does not exist). With `gate`,
    one more row of kind `g`: the bearer gate's reads (`tokens.gate_columns`) in columns
    code, path, status, bid — so the direct path reads everything in one snapshot. Built and
    compiled once per shape (plain bound parameters, no expanding `IN`; `Prepared`)."""
    parts = [
        # the first part's columns name and type the union's: typed NULLs, for PostgreSQL's
        # type resolution and for SQLAlchemy's result processing (dates, JSON on SQLite)
        select(literal_column("'p'").label("kind"), Permission.name.label("code"),
               *(cast(null(), t).label(name) for name, t in _COLUMNS.items()))
        .where(Permission.name.in_([bindparam(f"p{i}") for i in range(n_permissions)]))]
    if n_codes:
        parts.append(select(literal_column("'o'"), OrgPath.code, OrgPath.path,
                            *[null()] * (len(_COLUMNS) - 1))
                     .where(OrgPath.code.in_([bindparam(f"c{i}") for i in range(n_codes)])))
    parts.append(
        select(literal_column("'s'"), null(), OrgPath.path, User.status, RoleBinding.id,
               RoleBinding.role, RoleBinding.org, RoleBinding.valid_from,
               RoleBinding.valid_to, Role.permissions)
        .select_from(User)
        .outerjoin(RoleBinding, RoleBinding.user_id == User.id)
        .outerjoin(OrgPath, OrgPath.code == RoleBinding.org)
        .outerjoin(Role, Role.name == RoleBinding.role)
        .where(User.id == bindparam("user_id")))
    if gate:
        parts.append(select(literal_column("'g'"), *tokens.gate_columns(),
                            *[null()] * (len(_COLUMNS) - 2)))
    return Prepared(union_all(*parts))


def _shape(items: list[tuple[str, str]], user_id: int,
           gate: bool) -> tuple[Prepared, dict[str, Any]]:
    permissions = sorted({p for p, _o in items})
    codes = sorted({o for _p, o in items} - {WHOLE_ORGANISATION})
    params: dict[str, Any] = {f"p{i}": p for i, p in enumerate(permissions)}
    params.update({f"c{i}": c for i, c in enumerate(codes)})
    params["user_id"] = user_id
    return _check_statement(len(permissions), len(codes), gate), params


def _split(rows: list[tuple[Any, ...]]) -> tuple[set[str], dict[str, str | None], list[Any],
                                                 tuple[Any, ...] | None]:
    """(known permission names, cached paths of the asked units, the subject's rows ordered
    by binding id, the gate's row if read)."""
    known: set[str] = set()
    paths: dict[str, str | None] = {}
    subject: list[Any] = []
    gate = None
    for row in rows:
        kind = row[0]
        if kind == "s":
            subject.append(row)
        elif kind == "o":
            paths[row[1]] = row[2]
        elif kind == "p":
            known.add(row[1])
        else:
            gate = row
    if len(subject) > 1:
        subject.sort(key=lambda r: r[4])
    return known, paths, subject, gate


def _read(session: Session, items: list[tuple[str, str]],
          user_id: int) -> tuple[set[str], dict[str, str | None], list[Any]]:
    """(known permission names, cached paths of the asked units, the subject's rows ordered
    by binding id) — in one live query."""
    statement, params = _shape(items, user_id, gate=False)
    known, paths, subject, _gate = _split(statement.rows(session, **params))
    return known, paths, subject


def _validate(session: Session, items: list[tuple[str, str]], batch: bool,
              lookup: orgs.StaffLookup | None, now: dt.datetime, known: set[str],
              paths: dict[str, str | None],
              sees_all: Callable[[], bool]) -> dict[str, str | None]:
    """Known permissions (else 422) and the asked units' paths; an unknown unit is a 422 only
    when `sees_all()` (see the module), else its path is None (covered by no binding)."""
    codes = {o for _p, o in items}
    errors: dict[str, list[str]] = {}
    for i, (permission, _org) in enumerate(items):
        if permission not in known:
            errors[_field(i if batch else None, "permission")] = [
                f"Unknown permission: {permission}."]
    if errors:
        raise ValidationFailed("Unknown permission names.", errors=errors)
    if WHOLE_ORGANISATION in codes:
        paths[WHOLE_ORGANISATION] = WHOLE_ORGANISATION
    asked_staff = not codes <= paths.keys()
    if asked_staff:  # the rare path: some unit is not cached yet
        paths = orgs.resolve(session=session, codes=codes, lookup=lookup, now=now)
    unknown = [(i, org) for i, (_permission, org) in enumerate(items) if paths.get(org) is None]
    if unknown and sees_all():
        raise ValidationFailed("Unknown org units.", errors={
            _field(i if batch else None, "org"): [f"Unknown org unit: {org}."]
            for i, org in unknown})
    if asked_staff:
        session.commit()  # keep what staff told us
    return paths


def _subject(rows: list[Any]) -> tuple[bool, list[BindingView], dict[str, frozenset[str]]]:
    """(active, bindings with paths, their roles' permissions) from the subject's rows."""
    if not rows or rows[0][3] != "active":
        return False, [], {}
    views, perms = [], {}
    for _kind, _code, path, _status, bid, role, org, valid_from, valid_to, permissions in rows:
        if bid is None:  # the outer join's row for a user without bindings
            continue
        views.append(bindings.view_of(id=bid, role=role, org=org, valid_from=valid_from,
                                      valid_to=valid_to, path=path))
        if role not in perms:
            perms[role] = frozenset(permissions or ())
    return True, views, perms


def as_dict(decision: Decision) -> dict[str, Any]:
    answer: dict[str, Any] = {"allowed": decision.allowed, "code": decision.code,
                              "reason": decision.reason}
    if decision.binding is not None:
        b = decision.binding
        answer["binding"] = {"role": b.role, "org": b.org, "path": b.path,
                             "valid_to": b.period.end.isoformat() if b.period.end else None}
    return answer


def sees_whole_organisation(views: list[BindingView], today: dt.date) -> bool:
    """Does a binding in force today cover the whole organisation (`*`)?"""
    return any(v.path == WHOLE_ORGANISATION and v.period.contains(today) for v in views)


def check_user(*, session: Session, settings: Settings, user_id: int,
               items: list[tuple[str, str]], now: dt.datetime,
               lookup: orgs.StaffLookup | None, batch: bool = False,
               caller_sees_all: bool | None = None) -> list[dict[str, Any]]:
    """The answers about user `user_id`. `caller_sees_all`: whether whoever asks may see the
    whole organisation (None: the caller is the subject, judged by their own bindings); an
    unknown unit is a 422 for such a caller only."""
    known, cached, subject = _read(session, items, user_id)
    active, views, perms = _subject(subject)
    today = today_in(now, settings.timezone)

    def sees_all() -> bool:
        if caller_sees_all is not None:
            return caller_sees_all
        return active and sees_whole_organisation(views, today)

    paths = _validate(session, items, batch, lookup, now, known, cached, sees_all)
    answers = [as_dict(decide(active=active, bindings=views, role_permissions=perms,
                              permission=p, org=o, target_path=paths.get(o) or "",
                              today=today))
               for p, o in items]
    return answers  # the request ends its read with COMMIT (`shared.db`), keeping it prepared


def check_client(*, session: Session, permissions: frozenset[str],
                 items: list[tuple[str, str]], batch: bool = False) -> list[dict[str, Any]]:
    """A client's own question: its permissions are flat (no org scope)."""
    known = roles.permission_names(session=session)
    errors = {_field(i if batch else None, "permission"): [f"Unknown permission: {p}."]
              for i, (p, _o) in enumerate(items) if p not in known}
    if errors:
        raise ValidationFailed("Unknown permission names.", errors=errors)
    return [{"allowed": True, "code": "allowed", "reason": f"The client holds {p}."}
            if p in permissions else
            {"allowed": False, "code": "not_in_role", "reason": f"The client lacks {p}."}
            for p, _o in items]


def check_user_direct(*, conn: Connection, items: list[tuple[str, str]], user_id: int,
                      jti: str | None, sid: str | None,
                      today: dt.date) -> list[dict[str, Any]] | None:
    """The answers `check_user` gives user `user_id` asking about themselves, with the bearer
    gate's live reads (`tokens.verify_bearer`, `api.common.authenticate`) in the same one
    statement on `conn` (autocommit: one snapshot).
    None whenever the documented path would answer anything but those answers or would ask
    more: a revoked token, an ended sign-in of a user who is not disabled (401), an unknown
    permission (422), a unit not in the path cache (staff is asked) or cached without a path:
    the caller then takes that path, which reads everything again."""
    statement, params = _shape(items, user_id, gate=True)
    params["jti"], params["sid"] = jti, sid
    known, paths, subject, gate = _split(statement.run(conn, params))
    if gate is None:
        return None
    _kind, revoked, family, family_ended = gate[:4]
    if jti and revoked is not None:
        return None
    if sid and (family is None or family_ended is not None) and not (
            subject and subject[0][3] == "disabled"):
        return None  # `authenticate`: an ended sign-in passes only for a disabled user
    paths[WHOLE_ORGANISATION] = WHOLE_ORGANISATION
    for permission, org in items:
        if permission not in known or paths.get(org) is None:
            return None
    active, views, perms = _subject(subject)
    answers = [as_dict(decide(active=active, bindings=views, role_permissions=perms,
                              permission=p, org=o, target_path=paths[o], today=today))
               for p, o in items]
    return answers
