"""What an operator does with learners (`glossa learners`)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from app.accounts.models import Invite, Learner, LearnerSession
from app.accounts.passwords import Rejected, check_password, check_username
from app.accounts.service import AccountError, Accounts, digest


def learners(accounts: Accounts) -> list[tuple[Learner, int]]:
    with accounts.state.read() as s:
        counts = dict(
            s.execute(select(LearnerSession.learner_id, func.count()).group_by(col(LearnerSession.learner_id))).all()
        )
        rows = s.exec(
            select(Learner).order_by(col(Learner.guest), col(Learner.username_key), col(Learner.created))
        ).all()
        return [(r, counts.get(r.id, 0)) for r in rows]


def find(accounts: Accounts, username: str) -> Learner | None:
    with accounts.state.read() as s:
        return s.exec(select(Learner).where(Learner.username_key == username.casefold())).first()


def add(accounts: Accounts, username: str, password: str) -> Learner:
    try:
        check_username(username)
        check_password(password, username)
    except Rejected as err:
        raise AccountError(422, str(err)) from None
    with accounts.state.write() as s:
        if s.exec(select(Learner).where(Learner.username_key == username.casefold())).first():
            raise AccountError(409, "that username is taken")
        learner = Learner(
            id=secrets.token_hex(16),
            username=username,
            username_key=username.casefold(),
            password_hash=accounts.hasher.hash(password),
            guest=False,
            created=accounts.clock(),
        )
        s.add(learner)
        return learner


def reset_password(accounts: Accounts, username: str, password: str) -> None:
    learner = find(accounts, username)
    if learner is None:
        raise AccountError(404, f"no learner named {username!r}")
    try:
        check_password(password, learner.username)
    except Rejected as err:
        raise AccountError(422, str(err)) from None
    with accounts.state.write() as s:
        s.execute(
            update(Learner).where(col(Learner.id) == learner.id).values(password_hash=accounts.hasher.hash(password))
        )
        s.execute(delete(LearnerSession).where(col(LearnerSession.learner_id) == learner.id))


def invite(accounts: Accounts, days: int = 14) -> str:
    code = secrets.token_urlsafe(12)
    now = accounts.clock()
    with accounts.state.write() as s:
        expires = now + timedelta(days=days)
        s.add(Invite(id=secrets.token_hex(8), code_hash=digest(code), created=now, expires=expires))
    return code
