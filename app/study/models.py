"""Durable study data: settings, each card's schedule, and the log of every review."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, UniqueConstraint
from sqlmodel import Field

from app.state.models import ENTRY_REF, StateTable
from app.state.types import UTCDateTime


def _learner(primary: bool = False) -> Any:
    column = Column(
        String(32), ForeignKey("learner.id", ondelete="CASCADE"), primary_key=primary, nullable=False, index=not primary
    )
    return Field(sa_column=column)


def _entry(primary: bool = False) -> Any:
    return Field(sa_column=Column(String(200), primary_key=primary, nullable=False, info={"refers_to": ENTRY_REF}))


class StudySettings(StateTable, table=True):
    __tablename__ = "study_settings"

    learner_id: str = _learner(primary=True)
    desired_retention: float = 0.9
    new_per_day: int = 20
    max_reviews_per_day: int = 200
    timezone: str = Field(default="UTC", max_length=64)
    day_starts_hour: int = 4  # days roll over at this local hour (Anki's habit: after a late night)


class CardState(StateTable, table=True):
    """A learner's schedule of one card, as FSRS left it after the last review."""

    __tablename__ = "card_state"

    learner_id: str = _learner(primary=True)
    entry_slug: str = _entry(primary=True)
    card_key: str = Field(primary_key=True, max_length=40)
    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_review: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reps: int = 0
    lapses: int = 0

    __table_args__ = (
        Index("ix_card_state_learner_due", "learner_id", "due"),
        Index("ix_card_state_card", "entry_slug", "card_key"),  # which rows name a card (orphans)
    )


class Review(StateTable, table=True):
    """One answer, kept for good: the card's schedule can be recomputed from these."""

    __tablename__ = "review"

    id: str = Field(primary_key=True, max_length=32)
    learner_id: str = _learner()
    entry_slug: str = _entry()
    card_key: str = Field(max_length=40)
    rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    reviewed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    duration_ms: int | None = None
    client_key: str | None = Field(default=None, max_length=64)  # a retry with the same key counts once
    before: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )  # None: new
    after: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    undone: bool = False

    __table_args__ = (
        UniqueConstraint("learner_id", "client_key", name="uq_review_learner_client_key"),
        Index("ix_review_learner_time", "learner_id", "reviewed_at"),
        Index("ix_review_learner_card", "learner_id", "entry_slug", "card_key"),
        Index("ix_review_card", "entry_slug", "card_key"),
    )


class EntryRead(StateTable, table=True):
    """A learner opened an entry's page: paths mark such steps as read."""

    __tablename__ = "entry_read"

    learner_id: str = _learner(primary=True)
    entry_slug: str = _entry(primary=True)
    first_read: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_read: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Quiz(StateTable, table=True):
    """A multiple-choice quiz a learner started; its questions name entries by slug."""

    __tablename__ = "quiz"

    id: str = Field(primary_key=True, max_length=32)
    learner_id: str = _learner()
    scope: str = Field(max_length=250)
    direction: str = Field(max_length=20)  # "definition": pick the name; "name": pick the definition
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    retry_of: str | None = Field(default=None, max_length=32)  # the quiz whose misses this one repeats


class QuizQuestion(StateTable, table=True):
    __tablename__ = "quiz_question"

    quiz_id: str = Field(sa_column=Column(String(32), ForeignKey("quiz.id", ondelete="CASCADE"), primary_key=True))
    position: int = Field(primary_key=True)  # 1-based
    entry_slug: str = _entry()  # the right answer
    card_key: str = Field(max_length=40)  # the card the answer is scheduled on
    options: list[str] = Field(sa_column=Column(JSON, nullable=False))  # entry slugs, in the order shown
    chosen: int | None = None  # index into options once answered
    correct: bool | None = None
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
