"""Study data in a learner's life cycle: a guest's study follows it into an account, an export
includes it, and deleting a learner deletes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.study.models import CardState, Quiz, QuizQuestion, Review, StudySettings


def merge_guest(s: Session, guest_id: str, account_id: str) -> None:
    """The guest's study joins the account's; where both studied a card, the later review wins."""
    mine = {(r.entry_slug, r.card_key): r for r in s.exec(select(CardState).where(CardState.learner_id == account_id))}
    for row in s.exec(select(CardState).where(CardState.learner_id == guest_id)).all():
        theirs = mine.get((row.entry_slug, row.card_key))
        if theirs is not None and (theirs.last_review or theirs.due) >= (row.last_review or row.due):
            continue
        if theirs is not None:
            s.delete(theirs)
            s.flush()
        s.add(CardState(**{**row.model_dump(), "learner_id": account_id}))
    s.execute(delete(CardState).where(col(CardState.learner_id) == guest_id))
    for review in s.exec(select(Review).where(Review.learner_id == guest_id)).all():
        review.learner_id, review.client_key = account_id, None  # keys only guard retries in flight
        s.add(review)
    if s.get(StudySettings, account_id) is None and (settings := s.get(StudySettings, guest_id)) is not None:
        s.add(StudySettings(**{**settings.model_dump(), "learner_id": account_id}))
    s.execute(delete(StudySettings).where(col(StudySettings.learner_id) == guest_id))
    s.execute(update(Quiz).where(col(Quiz.learner_id) == guest_id).values(learner_id=account_id))


def export_study(s: Session, learner_id: str) -> dict[str, Any]:
    settings = s.get(StudySettings, learner_id)
    return {
        "study_settings": settings.model_dump(exclude={"learner_id"}) if settings else None,
        "cards": [
            {
                **r.model_dump(exclude={"learner_id"}),
                "due": r.due.isoformat(),
                "last_review": r.last_review.isoformat() if r.last_review else None,
            }
            for r in s.exec(select(CardState).where(CardState.learner_id == learner_id))
        ],
        "reviews": [
            {**r.model_dump(exclude={"learner_id"}), "reviewed_at": r.reviewed_at.isoformat()}
            for r in s.exec(select(Review).where(Review.learner_id == learner_id).order_by(col(Review.reviewed_at)))
        ],
        "quizzes": [
            _quiz(s, q)
            for q in s.exec(select(Quiz).where(Quiz.learner_id == learner_id).order_by(col(Quiz.created_at)))
        ],
    }


def _quiz(s: Session, quiz: Quiz) -> dict[str, Any]:
    questions = s.exec(select(QuizQuestion).where(QuizQuestion.quiz_id == quiz.id).order_by(col(QuizQuestion.position)))
    return {
        **quiz.model_dump(exclude={"learner_id"}),
        "created_at": quiz.created_at.isoformat(),
        "questions": [
            {**q.model_dump(exclude={"quiz_id"}), "answered_at": q.answered_at.isoformat() if q.answered_at else None}
            for q in questions
        ],
    }


def delete_study(s: Session, learner_id: str) -> None:
    quizzes = select(Quiz.id).where(Quiz.learner_id == learner_id)
    s.execute(delete(QuizQuestion).where(col(QuizQuestion.quiz_id).in_(quizzes)))
    for table in (Review, CardState, StudySettings, Quiz):
        s.execute(delete(table).where(col(table.learner_id) == learner_id))


# A guest's study follows it into an account; an export and a deletion include study.
accounts.MERGERS.append(merge_guest)
accounts.EXPORTERS.append(export_study)
accounts.DELETERS.append(delete_study)
