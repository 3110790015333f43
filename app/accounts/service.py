"""What a learner can do with their account, and what an operator can do with learners.

Secrets (session tokens, API tokens, invite codes) are random, shown once, and stored only as
SHA-256 hashes; passwords as Argon2id hashes. Nothing here logs a secret.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Executable, bindparam, delete, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from app.accounts.limits import RateLimits
from app.accounts.models import ApiToken, Invite, Learner, LearnerSession
from app.accounts.passwords import Hasher, Rejected, check_password, check_username
from app.clock import Clock
from app.refusal import Refusal
from app.state import StateStore

TOUCH_EVERY = timedelta(minutes=5)  # last_seen is written at most this often per session
TOKEN_PREFIX = "glossa_"

# Study data joins in: how to move a guest's rows to an account, and what to export.
Merger = Callable[[Session, str, str], None]  # (session, from learner id, to learner id)
Exporter = Callable[[Session, str], dict[str, Any]]
Deleter = Callable[[Session, str], None]
MERGERS: list[Merger] = []
EXPORTERS: list[Exporter] = []
DELETERS: list[Deleter] = []


# Who makes a request, asked on every request: built once (building a statement cost more
# than answering it). Parameter: hash, the token's digest.
_WHO = (col(Learner.id), col(Learner.username), col(Learner.guest), col(Learner.created))
BY_SESSION = (
    core_select(
        col(LearnerSession.id),
        col(LearnerSession.expires),
        col(LearnerSession.last_seen),
        col(LearnerSession.csrf_token),
        *_WHO,
    )
    .join(Learner, col(Learner.id) == col(LearnerSession.learner_id))
    .where(col(LearnerSession.token_hash) == bindparam("hash"))
)
BY_TOKEN = (
    core_select(col(ApiToken.id), col(ApiToken.last_used), *_WHO)
    .join(Learner, col(Learner.id) == col(ApiToken.learner_id))
    .where(col(ApiToken.token_hash) == bindparam("hash"))
)


Later = Callable[..., None]  # later(fn, *args): fn(*args) once the answer is sent


def _now(fn: Callable[..., None], *args: Any) -> None:
    fn(*args)


class AccountError(Refusal):
    """A refusal about accounts (sign-in, sessions, tokens)."""


@dataclass(frozen=True)
class LearnerView:
    id: str
    username: str | None
    guest: bool
    created: datetime


@dataclass(frozen=True)
class Identity:
    """Who makes a request, and how they proved it."""

    learner: LearnerView
    via: Literal["cookie", "token"]
    session_id: str | None = None
    csrf_token: str | None = None


@dataclass(frozen=True)
class Started:
    """A new session: the cookie's token (never stored) and what the page needs."""

    identity: Identity
    token: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _view(learner: Learner) -> LearnerView:
    return LearnerView(learner.id, learner.username, learner.guest, learner.created)


@dataclass(frozen=True)
class Policy:
    signup: Literal["open", "closed", "invite"] = "open"
    guests: bool = True
    idle: timedelta = timedelta(days=30)
    lifetime: timedelta = timedelta(days=180)


class Accounts:
    def __init__(self, state: StateStore, clock: Clock, hasher: Hasher, limits: RateLimits, policy: Policy):
        self.state = state
        self.clock = clock
        self.hasher = hasher
        self.limits = limits
        self.policy = policy

    # -- sessions ----------------------------------------------------------------------
    def _start(self, s: Session, learner: Learner, user_agent: str) -> Started:
        now, token = self.clock(), secrets.token_urlsafe(32)
        row = LearnerSession(
            id=secrets.token_hex(8),
            learner_id=learner.id,
            token_hash=digest(token),
            csrf_token=secrets.token_urlsafe(32),
            created=now,
            last_seen=now,
            expires=now + self.policy.lifetime,
            user_agent=user_agent[:200],
        )
        s.add(row)
        return Started(Identity(_view(learner), "cookie", row.id, row.csrf_token), token)

    def from_cookie(self, token: str, later: Later | None = None) -> Identity | None:
        """The learner a session cookie belongs to, if the session is alive. Asked on every
        request, so a session ended anywhere is refused at once everywhere. later: runs the
        marking of a session or token as used after the answer is sent (it takes the write lock
        and a flush to disk; nothing waits on it), instead of now."""
        with self.state.read() as s:
            found = s.connection().execute(BY_SESSION, {"hash": digest(token)}).first()
        if found is None:
            return None
        session_id, expires, last_seen, csrf_token, learner_id, username, guest, created = found
        now = self.clock()
        if now >= expires or now - last_seen >= self.policy.idle:
            with self.state.write() as s:
                s.execute(delete(LearnerSession).where(col(LearnerSession.id) == session_id))
            return None
        if now - last_seen >= TOUCH_EVERY:
            touch = update(LearnerSession).where(col(LearnerSession.id) == session_id).values(last_seen=now)
            (later or _now)(self._write, touch)
        return Identity(LearnerView(learner_id, username, guest, created), "cookie", session_id, csrf_token)

    def from_token(self, token: str, later: Later | None = None) -> Identity | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self.state.read() as s:
            found = s.connection().execute(BY_TOKEN, {"hash": digest(token)}).first()
        if found is None:
            return None
        token_id, last_used, learner_id, username, guest, created = found
        now = self.clock()
        # Like last_seen: written at most every few minutes, so that using a token does not take
        # the write lock on every request (every reader would queue behind it).
        if last_used is None or now - last_used >= TOUCH_EVERY:
            (later or _now)(self._write, update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used=now))
        return Identity(LearnerView(learner_id, username, guest, created), "token")

    def _write(self, statement: Executable) -> None:
        with self.state.write() as s:
            s.execute(statement)

    def end_session(self, who: Identity, session_id: str) -> None:
        with self.state.write() as s:
            ended = s.execute(
                delete(LearnerSession).where(
                    col(LearnerSession.id) == session_id, col(LearnerSession.learner_id) == who.learner.id
                )
            )
        if ended.rowcount == 0:  # type: ignore[attr-defined]
            raise AccountError(404, "no such session")

    def end_all_sessions(self, who: Identity) -> None:
        with self.state.write() as s:
            s.execute(delete(LearnerSession).where(col(LearnerSession.learner_id) == who.learner.id))

    def sessions(self, who: Identity) -> list[LearnerSession]:
        with self.state.read() as s:
            return list(
                s.exec(
                    select(LearnerSession)
                    .where(LearnerSession.learner_id == who.learner.id)
                    .order_by(col(LearnerSession.created).desc())
                )
            )

    # -- becoming a learner --------------------------------------------------------------
    def create_guest(self, client: str, user_agent: str, current: Identity | None) -> Started:
        if not self.policy.guests:
            raise AccountError(403, "this site does not offer guest learners; sign up or sign in")
        self.limits.hit("guest-client", client, "guest")
        with self.state.write() as s:
            self._end_current(s, current)
            learner = Learner(id=secrets.token_hex(16), guest=True, created=self.clock())
            s.add(learner)
            return self._start(s, learner, user_agent)

    def signup(
        self, username: str, password: str, client: str, user_agent: str, current: Identity | None, invite: str = ""
    ) -> Started:
        """A new account; a guest who signs up becomes it and keeps everything."""
        if self.policy.signup == "closed":
            raise AccountError(403, "sign-up is closed on this site; ask its operator for an account")
        self.limits.hit("signup-client", client, "sign-up")
        try:
            check_username(username)
            check_password(password, username)
        except Rejected as err:
            raise AccountError(422, str(err)) from None
        hashed = self.hasher.hash(password)
        with self.state.write() as s:
            if self.policy.signup == "invite":
                self._use_invite(s, invite)
            if s.exec(select(Learner).where(Learner.username_key == username.casefold())).first():
                raise AccountError(409, "that username is taken")
            learner = s.get(Learner, current.learner.id) if current and current.learner.guest else None
            if learner is None:
                learner = Learner(id=secrets.token_hex(16), created=self.clock())
            learner.username, learner.username_key = username, username.casefold()
            learner.password_hash, learner.guest = hashed, False
            s.add(learner)
            self._end_current(s, current)
            return self._start(s, learner, user_agent)

    def signin(
        self,
        username: str,
        password: str,
        client: str,
        user_agent: str,
        current: Identity | None,
        merge_guest: bool = False,
    ) -> Started:
        """A new session for an account. An unknown name and a wrong password get the same
        answer in about the same time. A guest's progress joins the account if asked."""
        self.limits.hit("signin-client", client, "sign-in")
        self.limits.hit("signin-username", username.casefold(), "sign-in")
        with self.state.read() as s:
            learner = s.exec(select(Learner).where(Learner.username_key == username.casefold())).first()
        ok, rehashed = self.hasher.verify(password[:1000], learner.password_hash if learner else None)
        if learner is None or not ok:
            raise AccountError(401, "wrong username or password")
        with self.state.write() as s:
            if rehashed:
                s.execute(update(Learner).where(col(Learner.id) == learner.id).values(password_hash=rehashed))
            if current is not None and current.learner.guest and merge_guest and current.learner.id != learner.id:
                self._merge(s, current.learner.id, learner.id)
            self._end_current(s, current)
            return self._start(s, learner, user_agent)

    def _end_current(self, s: Session, current: Identity | None) -> None:
        """A new session never reuses the old one (no session fixation)."""
        if current is not None and current.session_id is not None:
            s.execute(delete(LearnerSession).where(col(LearnerSession.id) == current.session_id))

    def _merge(self, s: Session, guest_id: str, account_id: str) -> None:
        for merge in MERGERS:
            merge(s, guest_id, account_id)
        s.execute(delete(Learner).where(col(Learner.id) == guest_id))

    def _use_invite(self, s: Session, code: str) -> None:
        row = s.exec(select(Invite).where(Invite.code_hash == digest(code.strip()))).first() if code else None
        if row is None or row.used is not None or row.expires <= self.clock():
            raise AccountError(403, "sign-up needs a valid invite code on this site")
        row.used = self.clock()

    # -- an account's own business ---------------------------------------------------------
    def change_password(self, who: Identity, current_password: str, new_password: str) -> Started | None:
        """Ends every other session; the session that asked continues (with a new token)."""
        with self.state.read() as s:
            learner = s.get(Learner, who.learner.id)
        if learner is None or learner.guest:
            raise AccountError(403, "a guest has no password; sign up to choose one")
        ok, _ = self.hasher.verify(current_password[:1000], learner.password_hash)
        if not ok:
            raise AccountError(403, "the current password is not right")
        try:
            check_password(new_password, learner.username)
        except Rejected as err:
            raise AccountError(422, str(err)) from None
        hashed = self.hasher.hash(new_password)
        with self.state.write() as s:
            s.execute(update(Learner).where(col(Learner.id) == learner.id).values(password_hash=hashed))
            s.execute(delete(LearnerSession).where(col(LearnerSession.learner_id) == learner.id))
            if who.via == "cookie":
                return self._start(s, learner, "")
        return None

    def create_token(self, who: Identity, name: str) -> tuple[ApiToken, str]:
        if who.learner.guest:
            raise AccountError(403, "a guest cannot make API tokens; sign up first")
        name = " ".join(name.split())
        if not 1 <= len(name) <= 100:
            raise AccountError(422, "a token needs a name of 1 to 100 characters")
        self.limits.hit("token-learner", who.learner.id, "token")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.state.write() as s:
            row = ApiToken(
                id=secrets.token_hex(8),
                learner_id=who.learner.id,
                name=name,
                token_hash=digest(secret),
                created=self.clock(),
            )
            s.add(row)
        return row, secret

    def tokens(self, who: Identity) -> list[ApiToken]:
        with self.state.read() as s:
            return list(
                s.exec(
                    select(ApiToken).where(ApiToken.learner_id == who.learner.id).order_by(col(ApiToken.created).desc())
                )
            )

    def revoke_token(self, who: Identity, token_id: str) -> None:
        with self.state.write() as s:
            gone = s.execute(
                delete(ApiToken).where(col(ApiToken.id) == token_id, col(ApiToken.learner_id) == who.learner.id)
            )
        if gone.rowcount == 0:  # type: ignore[attr-defined]
            raise AccountError(404, "no such token")

    def export(self, who: Identity) -> dict[str, Any]:
        """Everything stored about the learner, secrets excepted (only their hashes exist)."""
        with self.state.read() as s:
            learner = s.get(Learner, who.learner.id)
            assert learner is not None
            data: dict[str, Any] = {
                "learner": {
                    "id": learner.id,
                    "username": learner.username,
                    "guest": learner.guest,
                    "created": learner.created.isoformat(),
                },
                "sessions": [
                    {
                        "id": r.id,
                        "created": r.created.isoformat(),
                        "last_seen": r.last_seen.isoformat(),
                        "expires": r.expires.isoformat(),
                        "user_agent": r.user_agent,
                    }
                    for r in s.exec(select(LearnerSession).where(LearnerSession.learner_id == learner.id))
                ],
                "tokens": [
                    {
                        "id": t.id,
                        "name": t.name,
                        "created": t.created.isoformat(),
                        "last_used": t.last_used.isoformat() if t.last_used else None,
                    }
                    for t in s.exec(select(ApiToken).where(ApiToken.learner_id == learner.id))
                ],
            }
            for exporter in EXPORTERS:
                data.update(exporter(s, learner.id))
        return data

    def delete(self, who: Identity, confirm: str) -> None:
        """Every row about the learner goes; confirm is their username, or "guest"."""
        expected = "guest" if who.learner.guest else who.learner.username
        if confirm.strip() != expected:
            raise AccountError(422, f"to delete this account, confirm with {expected!r}")
        self.delete_learner(who.learner.id)

    def delete_learner(self, learner_id: str) -> None:
        with self.state.write() as s:
            # Foreign keys cascade; the explicit deletes hold even where they are off.
            for forget in DELETERS:
                forget(s, learner_id)
            for table in (LearnerSession, ApiToken):
                s.execute(delete(table).where(col(table.learner_id) == learner_id))
            s.execute(delete(Learner).where(col(Learner.id) == learner_id))
