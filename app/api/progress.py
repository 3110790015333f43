"""A learner's progress as JSON: the figures of /progress, and each entry's standing for the graph."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.accounts.web import Learner
from app.study import progress as figures
from app.study.progress import Standing
from app.study.web import StudyDep

router = APIRouter(prefix="/study", tags=["study"])
ERRORS: dict[int | str, dict[str, object]] = {401: {"description": "No learner: sign in or start as a guest"}}
Sort = Annotated[
    Literal["name", "mastery", "-mastery"],
    Query(description="Categories by name, most known first (mastery) or least known first (-mastery)"),
]


class Totals(BaseModel):
    new: int = Field(description="Cards of the deck never answered")
    learning: int = Field(description="Cards in learning or relearning")
    review: int = Field(description="Cards in review; new, learning and review add up to the deck")
    known: int = Field(description="Cards in review whose probability of recall now is at least 0.9")


class CategoryOut(BaseModel):
    slug: str
    name: str
    cards: int
    known: int


class DayOut(BaseModel):
    date: date
    count: int


class ProgressOut(BaseModel):
    totals: Totals
    due_today: int = Field(description="Cards due before the learner's study day ends, overdue ones included")
    reviews_today: int
    retention_30d: float | None = Field(description="Share of answers not rated Again, last 30 days; null: none")
    streak_days: int = Field(description="Consecutive study days ending today or yesterday")
    time_studied_s: int = Field(description="Time spent answering, all time, in seconds")
    today: date = Field(description="The learner's study day (their time zone and day start hour)")
    timezone: str
    categories: list[CategoryOut]
    heatmap: list[DayOut] = Field(description="Reviews per study day over the last year, oldest first")
    forecast: list[DayOut] = Field(description="Cards due per study day, today and the next 29 days")


@router.get("/progress", response_model=ProgressOut, responses=ERRORS, summary="Where the learner stands")
def progress(study: StudyDep, who: Learner, sort: Sort = "name") -> ProgressOut:
    p = figures.progress(study, who.learner.id, sort)
    return ProgressOut(
        totals=Totals(new=p.totals.new, learning=p.totals.learning, review=p.totals.review, known=p.totals.known),
        due_today=p.due_today,
        reviews_today=p.reviews_today,
        retention_30d=p.retention_30d,
        streak_days=p.streak_days,
        time_studied_s=p.time_studied_s,
        today=p.today,
        timezone=p.timezone,
        categories=[CategoryOut(slug=c.slug, name=c.name, cards=c.cards, known=c.known) for c in p.categories],
        heatmap=[DayOut(date=d.date, count=d.count) for d in p.heatmap],
        forecast=[DayOut(date=d.date, count=d.count) for d in p.forecast],
    )


@router.get(
    "/mastery",
    response_model=dict[str, Standing],
    responses=ERRORS,
    summary="The learner's standing on every entry with cards",
)
def mastery(study: StudyDep, who: Learner) -> dict[str, Standing]:
    return figures.mastery_map(study, who.learner.id)
