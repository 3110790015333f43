"""Study as JSON: the queue, reviews, undo, a learner's cards, settings and exports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from app.accounts.web import CsrfChecked, Learner
from app.content.decks import CardFace
from app.study.export import export_apkg, export_csv
from app.study.queue import Queue, QueuedCard
from app.study.scheduler import Schedule
from app.study.service import Study
from app.study.web import StudyDep
from app.urls import with_query

router = APIRouter(prefix="/study", tags=["study"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "No learner: sign in or start as a guest"}}
Scope = Annotated[
    str, Query(max_length=300, description="all, category:<slug>, tag:<tag>, entry:<slug>, path:<slug>, lapses")
]


class EntryLink(BaseModel):
    slug: str
    title: str
    url: str


class QueueCard(BaseModel):
    id: str
    entry: EntryLink
    kind: str = Field(description="name, meaning, basic, reversed or cloze")
    front_html: str
    back_html: str
    state: str = Field(description="new, learning, review or relearning")
    due: datetime | None
    intervals: dict[str, int] = Field(description="Seconds until the card is due again, for each rating 1-4")


class QueueOut(BaseModel):
    scope: str
    title: str
    counts: dict[str, int]
    cards: list[QueueCard]


class ReviewIn(BaseModel):
    card_id: str = Field(max_length=300)
    rating: int = Field(ge=1, le=4, description="1 Again, 2 Hard, 3 Good, 4 Easy")
    duration_ms: int | None = Field(None, ge=0, le=86_400_000)
    key: str | None = Field(None, max_length=64, description="A client key: a retry with it counts once")


class CardOut(BaseModel):
    id: str
    state: str
    due: datetime | None
    stability: float | None
    difficulty: float | None


class ReviewOut(BaseModel):
    review_id: str
    card: CardOut


class UndoOut(BaseModel):
    card: CardOut


class CardItem(CardOut):
    entry: EntryLink
    kind: str
    reps: int
    lapses: int


class CardPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[CardItem]
    next_url: str | None = None


class Prefs(BaseModel):
    desired_retention: float
    new_per_day: int
    max_reviews_per_day: int
    timezone: str
    day_starts_hour: int


class PrefsIn(BaseModel):
    desired_retention: float | None = Field(None, ge=0.7, le=0.99)
    new_per_day: int | None = Field(None, ge=0, le=1000)
    max_reviews_per_day: int | None = Field(None, ge=0, le=10000)
    timezone: str | None = Field(None, max_length=64)
    day_starts_hour: int | None = Field(None, ge=0, le=23)


def _card_out(card_id: str, schedule: Schedule | None) -> CardOut:
    if schedule is None:
        return CardOut(id=card_id, state="new", due=None, stability=None, difficulty=None)
    return CardOut(
        id=card_id,
        state=schedule.state_name,
        due=schedule.due,
        stability=schedule.stability,
        difficulty=schedule.difficulty,
    )


def queue_card(found: Queue, card: QueuedCard, face: CardFace) -> QueueCard:
    spans = found.intervals(card)
    return QueueCard(
        id=card.ref.id,
        entry=EntryLink(slug=face.entry_slug, title=face.entry_title, url=face.entry_url),
        kind=face.kind,
        front_html=face.front_html,
        back_html=face.back_html,
        state=card.state,
        due=card.schedule.due if card.schedule else None,
        intervals={str(r): round(span.total_seconds()) for r, span in spans.items()},
    )


@router.get("/queue", response_model=QueueOut, responses=ERRORS, summary="The next cards to study")
def queue(
    study: StudyDep, who: Learner, scope: Scope = "all", limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> QueueOut:
    found = study.queue(who.learner.id, scope, limit)
    first = found.cards
    faces = study.decks.faces([c.ref.id for c in first])
    return QueueOut(
        scope=str(found.scope.scope),
        title=found.scope.title,
        counts=found.counts,
        cards=[queue_card(found, c, faces[c.ref.id]) for c in first if c.ref.id in faces],
    )


@router.post(
    "/reviews",
    status_code=201,
    response_model=ReviewOut,
    dependencies=[CsrfChecked],
    responses={
        **ERRORS,
        200: {"description": "This key was answered before: that answer"},
        404: {"description": "No such card"},
    },
    summary="Answer a card",
)
def review(body: ReviewIn, response: Response, study: StudyDep, who: Learner) -> ReviewOut:
    done = study.review(who.learner.id, body.card_id, body.rating, body.duration_ms, body.key)
    if not done.created:
        response.status_code = 200
    return ReviewOut(review_id=done.review_id, card=_card_out(done.card_id, done.schedule))


@router.post(
    "/undo",
    response_model=UndoOut,
    dependencies=[CsrfChecked],
    responses={**ERRORS, 409: {"description": "Nothing to undo"}},
    summary="Take back the last review",
)
def undo(study: StudyDep, who: Learner) -> UndoOut:
    card_id, schedule = study.undo(who.learner.id)
    return UndoOut(card=_card_out(card_id, schedule))


@router.get("/cards", response_model=CardPage, responses=ERRORS, summary="A learner's cards, by state")
def cards(
    request: Request,
    study: StudyDep,
    who: Learner,
    scope: Scope = "all",
    state: Literal["new", "learning", "review", "relearning"] | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CardPage:
    _resolved, rows = study.card_list(who.learner.id, scope, state)
    chunk = rows[(page - 1) * per_page : page * per_page]
    titles = study.decks.index().titles
    items = [
        CardItem(
            **_card_out(ref.id, schedule).model_dump(),
            kind=ref.kind,
            reps=reps,
            lapses=lapses,
            entry=EntryLink(slug=ref.entry_slug, title=titles[ref.entry_slug], url=f"/entries/{ref.entry_slug}"),
        )
        for ref, schedule, reps, lapses in chunk
    ]
    more = page * per_page < len(rows)
    next_url = with_query("/api/study/cards", scope=scope, state=state, page=page + 1, per_page=per_page)
    return CardPage(total=len(rows), page=page, per_page=per_page, items=items, next_url=next_url if more else None)


def _prefs_out(study: Study, learner_id: str) -> Prefs:
    p = study.prefs(learner_id)
    return Prefs(
        desired_retention=p.desired_retention,
        new_per_day=p.new_per_day,
        max_reviews_per_day=p.max_reviews_per_day,
        timezone=p.timezone,
        day_starts_hour=p.day_starts_hour,
    )


@router.get("/settings", response_model=Prefs, responses=ERRORS, summary="Study settings")
def get_settings(study: StudyDep, who: Learner) -> Prefs:
    return _prefs_out(study, who.learner.id)


@router.put(
    "/settings", response_model=Prefs, dependencies=[CsrfChecked], responses=ERRORS, summary="Change study settings"
)
def put_settings(body: PrefsIn, study: StudyDep, who: Learner) -> Prefs:
    study.set_prefs(who.learner.id, body.model_dump(exclude_none=True))
    return _prefs_out(study, who.learner.id)


@router.get(
    "/export.apkg",
    responses={**ERRORS, 200: {"content": {"application/octet-stream": {}}}},
    summary="A scope's cards as an Anki deck",
)
def apkg(study: StudyDep, who: Learner, scope: Scope = "all") -> Response:
    name, data = export_apkg(study, scope)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}.apkg"'},
    )


@router.get("/export.csv", responses={**ERRORS, 200: {"content": {"text/csv": {}}}}, summary="A scope's cards as CSV")
def csv(study: StudyDep, who: Learner, scope: Scope = "all") -> Response:
    name, text = export_csv(study, scope)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
