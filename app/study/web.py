"""The study service for routes: 503 with the reason when the state store cannot be used."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.deps import usable
from app.site import Site
from app.state import StateUnavailable
from app.study.paths import PathStudy
from app.study.quiz import Quizzes
from app.study.service import Study


async def study_of(request: Request) -> Study:
    site: Site = request.app.state.site
    if site.study is None:
        raise StateUnavailable("study is unavailable: this site runs without a state store")
    await usable(site.study.state)
    return site.study


StudyDep = Annotated[Study, Depends(study_of)]


def paths_of(request: Request) -> PathStudy:
    site: Site = request.app.state.site
    return PathStudy(site.reader, site.study)


PathsDep = Annotated[PathStudy, Depends(paths_of)]


async def quizzes_of(study: StudyDep) -> Quizzes:
    return Quizzes(study)


QuizzesDep = Annotated[Quizzes, Depends(quizzes_of)]
