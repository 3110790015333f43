"""Study paths as JSON: each path's steps, marked read and known for the learner asking."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from app.accounts.service import Identity
from app.accounts.web import viewer
from app.content.paths import Step
from app.study.paths import PathProgress
from app.study.web import PathsDep

router = APIRouter(prefix="/paths", tags=["paths"])
# Paths are public: a learner, when the request names one, only adds read and known marks.
Reader = Annotated[Identity | None, Depends(viewer)]


class PathItem(BaseModel):
    slug: str
    title: str
    description: str
    steps: int = Field(description="How many entries the path takes")
    url: str
    read: int = Field(0, description="Steps the learner has read (0 without a learner)")
    known: int = Field(0, description="Steps the learner knows: every card likely recalled today")


class PathStep(BaseModel):
    slug: str
    title: str
    url: str = Field(description="The entry's page, opened as a step of this path")
    read: bool
    known: bool


class PathSection(BaseModel):
    title: str
    description: str
    steps: list[PathStep]


class PathDetail(BaseModel):
    slug: str
    title: str
    description: str
    sections: list[PathSection]
    url: str
    next_step: PathStep | None = Field(None, description="Continue here: the first step not yet known")


def path_item(p: PathProgress) -> PathItem:
    path = p.path
    return PathItem(
        slug=path.slug,
        title=path.title,
        description=path.description,
        steps=len(path.steps),
        url=path.url,
        read=p.read_count,
        known=p.known_count,
    )


def path_detail(p: PathProgress) -> PathDetail:
    def step(s: Step) -> PathStep:
        return PathStep(slug=s.slug, title=s.title, url=s.url, read=s.slug in p.read, known=s.slug in p.known)

    nxt = p.next_step
    return PathDetail(
        slug=p.path.slug,
        title=p.path.title,
        description=p.path.description,
        sections=[
            PathSection(title=x.title, description=x.description, steps=[step(s) for s in x.steps])
            for x in p.path.sections
        ],
        url=p.path.url,
        next_step=step(nxt) if nxt else None,
    )


@router.get("", response_model=list[PathItem], summary="Study paths")
def list_paths(paths: PathsDep, who: Reader) -> list[PathItem]:
    found = paths.progress(who.learner.id if who else None, paths.paths.all())
    return [path_item(p) for p in found]


@router.get("/{slug}", response_model=PathDetail, responses={404: {"description": "No such path"}}, summary="A path")
def get_path(slug: str, paths: PathsDep, who: Reader) -> PathDetail:
    path = paths.paths.get(slug[:200])
    if path is None:
        raise HTTPException(404, f"there is no study path {slug[:200]!r}; GET /api/paths lists them")
    return path_detail(paths.progress(who.learner.id if who else None, [path])[0])
