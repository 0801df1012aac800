"""The rules of the People page and of `flask users`: finding people, inviting employees,
changing roles, disabling and enabling accounts. The web page and the command line both
call these, so each rule has one implementation.

Roles change only among employees (staff, moderator, admin). The response tracker decides
whether a comment is owed from its author's current role, so turning a reader into an
employee would silently take their waiting comments off the queue, and the reverse would
put every answer an employee ever wrote on it.
"""

import sqlalchemy as sa
from flask import current_app

from blogapp.accounts import sessions
from blogapp.accounts.services import AccountError, create_user, normalize_email, user_by_email
from blogapp.admin import handover, invites
from blogapp.admin.handover import can_take_items  # noqa: F401 (the views ask it too)
from blogapp.extensions import db
from blogapp.models import Role, User
from blogapp.models.base import utcnow
from blogapp.responses.audit import Action, record

SEARCH_MAX = 100


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def people_query(text: str = "", role: str = "", status: str = "") -> sa.Select:
    """Accounts whose name or email contains ``text``, of ``role`` and ``status``
    (active, invited or disabled) when given; newest first."""
    query = sa.select(User)
    text = text.strip()[:SEARCH_MAX]
    if text:
        pattern = _like(text)
        query = query.where(
            sa.or_(
                User.display_name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
            )
        )
    if role:
        query = query.where(User.role == Role(role).value)
    if status == "disabled":
        query = query.where(User.disabled_at.is_not(None))
    elif status == "invited":
        query = query.where(User.disabled_at.is_(None), invites.pending_clause())
    elif status == "active":
        query = query.where(User.disabled_at.is_(None), ~invites.pending_clause())
    return query.order_by(User.created_at.desc(), User.id.desc())


def status_of(user: User) -> str:
    """active, invited (no password chosen yet) or disabled."""
    if user.disabled_at is not None:
        return "disabled"
    return "invited" if invites.is_pending(user) else "active"


def active_employees(but: User | None = None) -> list[User]:
    """Employees who can take owed comments, by name; ``but`` left out."""
    query = sa.select(User).where(
        User.employee_clause(), User.disabled_at.is_(None), ~invites.pending_clause()
    )
    if but is not None:
        query = query.where(User.id != but.id)
    return list(db.session.scalars(query.order_by(User.display_name, User.id)))


# --- inviting ----------------------------------------------------------------------------


def invite_employee(
    email: str, display_name: str, role: Role, job_title: str, by: User | None
) -> User:
    """Create an employee's account that cannot log in until they choose a password from
    the link mailed to them (valid for a week); audited. Commits."""
    if not Role(role).is_employee:
        raise AccountError("Invite employees as staff, moderator or admin.", "role")
    if not (job_title or "").strip():
        raise AccountError("Employees answer under their job title; please give one.", "job_title")
    existing = user_by_email(email)
    if existing is not None:
        if invites.is_pending(existing):
            raise AccountError(
                "This address has an invitation already; send it again from their page.", "email"
            )
        raise AccountError("This address already has an account.", "email")
    user = create_user(normalize_email(email), "", display_name, role, job_title)
    invites.mark_pending(user)
    db.session.flush()
    record(Action.INVITED, by, subject=user, detail=f"as {role.value}")
    try:
        invites.mail_invitation(user, by)
    except AccountError:
        db.session.rollback()
        raise
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same address, invited a moment ago
        db.session.rollback()
        raise AccountError("This address already has an account.", "email") from None
    return user


def resend_invitation(user: User, by: User | None) -> None:
    """A new set-password link for someone who has not used theirs; earlier links stop
    working. Audited. Commits."""
    if not invites.is_pending(user):
        raise AccountError(f"{user.display_name} has already chosen a password.")
    if user.disabled_at is not None:
        raise AccountError(f"{user.display_name}'s account is disabled; enable it first.")
    invites.mark_pending(user)
    record(Action.INVITE_RESENT, by, subject=user)
    try:
        invites.mail_invitation(user, by)
    except AccountError:
        db.session.rollback()
        raise
    db.session.commit()


def accept_invitation(token: str, password: str) -> User:
    """Set the invited person's password from their link, which then stops working;
    audited. Commits. AccountError when the link is expired, used or altered."""
    user = invites.user_for_token(token)
    if user is not None:
        # Two submissions of one link at once: the second waits here, then finds the
        # password chosen and the link dead.
        db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
        db.session.refresh(user)
        user = invites.user_for_token(token)
    if user is None:
        raise AccountError(invites.DEAD_LINK)
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    record(Action.INVITE_ACCEPTED, user, subject=user)
    db.session.commit()
    return user


# --- roles ---------------------------------------------------------------------------------


def _active_admins():
    return sa.select(User.id).where(
        User.role == Role.ADMIN.value, User.disabled_at.is_(None), ~invites.pending_clause()
    )


def _lock_people(ids: set[int], admins: bool) -> None:
    """Hold the rows of these people (and of every active admin, with ``admins``) until
    commit, always in the order of their ids, in one statement: two admins demoting or
    disabling each other, or disabling two people who were to take each other's comments,
    take turns on PostgreSQL (in any other order they could deadlock), and the second one
    then reads the first one's change. SQLite has no row locks; there the checks after the
    write (_keep_an_admin, handover.check_takers) do it."""
    who = User.id.in_(ids)
    if admins:
        who = sa.or_(who, User.id.in_(_active_admins()))
    db.session.execute(sa.select(User.id).where(who).order_by(User.id).with_for_update())
    db.session.expire_all()  # what was read before the lock is read again


def _keep_an_admin(user: User, doing: str) -> None:
    """After taking admin rights from ``user`` (flushed here): refuse, undoing it, if no
    active admin is left. Counted after the write, because on SQLite the write is what
    waits for another transaction's; the lock above does the same on PostgreSQL."""
    db.session.flush()
    if db.session.scalar(sa.select(sa.func.count()).select_from(_active_admins().subquery())):
        return
    name = user.display_name
    db.session.rollback()
    raise AccountError(
        f"{name} is the only active admin, so they cannot be {doing}; "
        "make someone else an admin first."
    )


def change_role(user: User, role: Role, by: User | None) -> bool:
    """Make an employee staff, moderator or admin; audited with the old and new role.
    Commits. False when the role was already that."""
    if not Role(role).is_employee or not user.is_employee:
        raise AccountError(
            "Roles change only among employees (staff, moderator, admin): a reader's "
            "comments are owed answers and an employee's are not.",
            "role",
        )
    old = user.role_enum
    if old is role:
        return False
    if old is Role.ADMIN:
        _lock_people({user.id}, admins=True)
    user.role = role.value
    if old is Role.ADMIN:
        _keep_an_admin(user, "made " + role.value)
    record(Action.ROLE_CHANGED, by, subject=user, reason=role.value, detail=f"{old} → {role}")
    db.session.commit()
    return True


# --- disabling and enabling ------------------------------------------------------------


def disable_account(
    user: User,
    by: User | None,
    reassign_to: User | None = None,
    everything: bool = False,
) -> list[handover.Move]:
    """Disable ``user``: no more logins, every sign-in ended, their owed comments handed
    over (handover.py says to whom); their posts and answers keep their name. Audited.
    Commits. The moves made.

    On an account disabled already, only the handover: comments posted since on their
    posts are theirs by default (the tracker's rule) and wait until handed over.
    ``by`` is the admin doing it, None from the command line.
    """
    already = user.disabled_at is not None
    if already and not handover.owed_items_of(user):
        return []
    if not already and by is not None and by.id == user.id:
        raise AccountError("You cannot disable your own account.")
    was_admin = not already and user.has_role(Role.ADMIN)
    involved = {user.id} | handover.author_ids(user)
    if reassign_to is not None:
        involved.add(reassign_to.id)
    _lock_people(involved, admins=was_admin)
    if not already and user.disabled_at is not None:  # by someone else, while we waited
        return []
    moves = handover.plan(user, reassign_to, everything)
    if reassign_to is not None:  # new comments on their posts go there too (responses/absent.py)
        user.handover_to = reassign_to
    if not already:
        user.disabled_at = utcnow()
        user.disabled_by_id = by.id if by is not None else None
        if was_admin:
            _keep_an_admin(user, "disabled")
    handover.carry_out(moves, user, by)
    handover.check_takers(moves)
    if not already:
        sessions.end_sessions(user)
        detail = f"{handover.comments(len(moves))} handed over" if moves else None
        record(Action.ACCOUNT_DISABLED, by, subject=user, detail=detail)
    db.session.commit()
    return moves


def enable_account(user: User, by: User | None) -> bool:
    """Let ``user`` log in again; audited. Commits. False when it was not disabled."""
    if user.disabled_at is None:
        return False
    user.disabled_at = None
    user.disabled_by_id = None
    record(Action.ACCOUNT_ENABLED, by, subject=user)
    db.session.commit()
    return True
