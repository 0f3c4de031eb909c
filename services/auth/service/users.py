"""Users: creation under the password policy, admin edits, unlocking and logging out
everywhere. Usernames are stored lower-case so `Alice` and `alice` are one account."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.auth.domain.passwords import policy_errors
from services.auth.domain.scope import WHOLE_ORGANISATION
from services.auth.models import AuditEvent, RoleBinding, User
from services.auth.service import bindings, passwords, refresh
from services.auth.service.common import iso_utc
from shared.audit import Actor, record
from shared.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from shared.settings import Settings

if TYPE_CHECKING:
    from services.auth.service.staff_directory import StaffDirectory

log = logging.getLogger("hr.auth")


def normalise(username: str) -> str:
    return username.strip().lower()


def public(user: User) -> dict[str, Any]:
    """What may leave the service about a user: never the hash."""
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "employee_no": user.employee_no, "status": user.status,
            "locked": user.locked_until is not None,
            "created_at": iso_utc(user.created_at)}


def check_password(password: str, username: str) -> None:
    errors = policy_errors(password, username)
    if errors:
        raise ValidationFailed("The password breaks the password policy.",
                               errors={"password": errors})


def check_employee(*, staff: StaffDirectory | None, employee_no: str) -> None:
    """The employee must exist in staff and not have left (422 otherwise); staff down →
    503. Asked before anything is written, so a refusal or an outage leaves no user."""
    if staff is None:
        raise ServiceUnavailable("The staff service is not configured; the employee number "
                                 "cannot be checked.")
    employee = staff.employee(employee_no)
    if employee is None:
        message = f"Staff knows no employee {employee_no}."
        raise ValidationFailed(message, errors={"employee_no": [message]})
    if employee.status == "left":
        message = f"The employee {employee_no} has left."
        raise ValidationFailed(message, errors={"employee_no": [message]})


def create(*, session: Session, settings: Settings, username: str, password: str,
           display_name: str, employee_no: str | None, actor: Actor,
           now: dt.datetime, staff: StaffDirectory | None,
           enforce_policy: bool = True) -> User:
    """A new user; a linked `employee_no` must be an employee staff knows (`staff`)."""
    username = normalise(username)
    if enforce_policy:
        check_password(password, username)
    if session.scalars(select(User.id).where(User.username == username)).first():
        raise Conflict(f"The username {username!r} is taken.")
    if employee_no and session.scalars(select(User.id)
                                       .where(User.employee_no == employee_no)).first():
        raise Conflict(f"Employee {employee_no} has a user already.")
    if employee_no:
        check_employee(staff=staff, employee_no=employee_no)
    user = User(username=username, password_hash=passwords.hash_password(settings, password),
                display_name=display_name, employee_no=employee_no or None, status="active",
                created_at=now, updated_at=now)
    session.add(user)
    session.flush()
    record(session, AuditEvent, actor=actor, action="user.created", target_type="user",
           target_id=str(user.id), after={k: v for k, v in public(user).items()
                                          if k != "created_at"})
    session.commit()
    return user


def get(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    return user


def detail(*, session: Session, user_id: int) -> dict[str, Any]:
    user = get(session=session, user_id=user_id)
    return {**public(user), "bindings": [bindings.as_dict(b) for b in
                                         bindings.views(session=session, user_id=user.id)]}


def list_users(*, session: Session, page: int, per_page: int, status: str | None = None,
               username: str | None = None, employee_no: str | None = None,
               role: str | None = None) -> tuple[list[dict[str, Any]], int]:
    query = select(User)
    if status:
        query = query.where(User.status == status)
    if username:
        query = query.where(User.username.contains(normalise(username), autoescape=True))
    if employee_no:
        query = query.where(User.employee_no == employee_no)
    if role:
        query = query.where(User.id.in_(select(RoleBinding.user_id)
                                        .where(RoleBinding.role == role)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(User.id).offset((page - 1) * per_page)
                           .limit(per_page)).all()
    return [public(u) for u in rows], total


def update(*, session: Session, settings: Settings, user_id: int, changes: dict[str, Any],
           actor: Actor, now: dt.datetime, staff: StaffDirectory | None) -> User:
    """Apply an admin's edit. Disabling revokes every refresh token family at once; a new
    `employee_no` must be an employee staff knows."""
    user = get(session=session, user_id=user_id)
    before = public(user)
    if "password" in changes:
        check_password(changes["password"], user.username)
        user.password_hash = passwords.hash_password(settings, changes["password"])
    if "employee_no" in changes and changes["employee_no"] != user.employee_no:
        emp = changes["employee_no"] or None
        if emp and session.scalars(select(User.id).where(User.employee_no == emp,
                                                         User.id != user.id)).first():
            raise Conflict(f"Employee {emp} has a user already.")
        if emp:
            check_employee(staff=staff, employee_no=emp)
        user.employee_no = emp
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    if "status" in changes and changes["status"] != user.status:
        user.status = changes["status"]
        if user.status == "disabled":
            refresh.revoke_all_for_user(session=session, user_id=user.id, reason="disabled",
                                        now=now, actor=actor)
    user.updated_at = now
    after = public(user)
    record(session, AuditEvent, actor=actor, action="user.updated", target_type="user",
           target_id=str(user.id), before=before,
           after={**after, "password_changed": "password" in changes})
    session.commit()
    return user


def unlock(*, session: Session, user_id: int, actor: Actor, now: dt.datetime) -> User:
    user = get(session=session, user_id=user_id)
    was_locked = user.locked_until
    user.locked_until = None
    user.failures_since = now
    record(session, AuditEvent, actor=actor, action="user.unlocked", target_type="user",
           target_id=str(user.id), after={"was_locked": was_locked is not None})
    session.commit()
    return user


def logout_all(*, session: Session, user_id: int, actor: Actor, now: dt.datetime) -> int:
    get(session=session, user_id=user_id)
    count = refresh.revoke_all_for_user(session=session, user_id=user_id, reason="logout_all",
                                        now=now, actor=actor)
    record(session, AuditEvent, actor=actor, action="user.logged_out_everywhere",
           target_type="user", target_id=str(user_id), after={"families": count})
    session.commit()
    return count


def bootstrap_admin(*, session: Session, settings: Settings, now: dt.datetime) -> str | None:
    """Create the first admin when none exists (HR_BOOTSTRAP_ADMIN, else a random password
    written once to HR_DATA_DIR/admin-credentials, mode 0600). Returns the generated password
    (for printing once) or None."""
    if bindings.holds_admin(session=session):
        return None
    actor = Actor.system("bootstrap")
    generated = None
    if settings.bootstrap_admin:
        username, _, password = settings.bootstrap_admin.partition(":")
    else:
        username, password = "admin", secrets.token_urlsafe(18)
        generated = password
    username = normalise(username)
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        # The operator chose the password; refusing it would not start.
        user = create(session=session, settings=settings, username=username, password=password,
                      display_name="Administrator", employee_no=None, actor=actor, now=now,
                      staff=None, enforce_policy=False)
        if policy_errors(password, username):
            log.warning("HR_BOOTSTRAP_ADMIN's password breaks the password policy; change it")
    else:
        user.password_hash = passwords.hash_password(settings, password)
        user.status = "active"
    session.add(RoleBinding(user_id=user.id, role="admin", org=WHOLE_ORGANISATION,
                            created_at=now, created_by=actor.sub))
    record(session, AuditEvent, actor=actor, action="binding.added", target_type="user",
           target_id=str(user.id), after={"role": "admin", "org": WHOLE_ORGANISATION})
    session.commit()
    if generated:
        _write_credentials(Path(settings.data_dir), username, generated)
    return generated


def _write_credentials(data_dir: Path, username: str, password: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "admin-credentials"
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"{username}:{password}\n")
