"""Learners and what authenticates them. Durable: in the state store, changed by migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field

from app.state.models import StateTable
from app.state.types import UTCDateTime


def _when(nullable: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable)


def _learner_ref() -> Column:
    # Deleting a learner deletes every row that names them (a deleted account leaves nothing).
    return Column(String(32), ForeignKey("learner.id", ondelete="CASCADE"), nullable=False, index=True)


class Learner(StateTable, table=True):
    id: str = Field(primary_key=True, max_length=32)  # random: ids say nothing and cannot be guessed
    username: str | None = Field(default=None, max_length=32)  # as typed; None for a guest
    username_key: str | None = Field(default=None, max_length=32, unique=True)  # lower case
    password_hash: str | None = Field(default=None, max_length=255)
    guest: bool = True
    created: datetime = Field(sa_column=_when())


class LearnerSession(StateTable, table=True):
    __tablename__ = "learner_session"

    id: str = Field(primary_key=True, max_length=32)  # shown to its learner, to end it
    learner_id: str = Field(sa_column=_learner_ref())
    token_hash: str = Field(max_length=64, unique=True)  # the cookie's token is never stored
    csrf_token: str = Field(max_length=64)
    created: datetime = Field(sa_column=_when())
    last_seen: datetime = Field(sa_column=_when())
    expires: datetime = Field(sa_column=_when())  # the absolute limit
    user_agent: str = Field(default="", max_length=200)


class ApiToken(StateTable, table=True):
    __tablename__ = "api_token"

    id: str = Field(primary_key=True, max_length=32)
    learner_id: str = Field(sa_column=_learner_ref())
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created: datetime = Field(sa_column=_when())
    last_used: datetime | None = Field(default=None, sa_column=_when(nullable=True))


class Invite(StateTable, table=True):
    id: str = Field(primary_key=True, max_length=32)
    code_hash: str = Field(max_length=64, unique=True)
    created: datetime = Field(sa_column=_when())
    expires: datetime = Field(sa_column=_when())
    used: datetime | None = Field(default=None, sa_column=_when(nullable=True))
