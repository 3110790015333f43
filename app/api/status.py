"""What the site holds and whether its stores are healthy."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import SiteDep
from app.schemas import Status

router = APIRouter()


@router.get(
    "/status", response_model=Status, summary="Counts, the problems of the latest build, and the state store's health"
)
def status(site: SiteDep) -> Status:
    return site.status()


@router.get("/health", summary="Whether this node serves the glossary and learners' data (cheap, for probes)")
def health(site: SiteDep) -> dict[str, str]:
    return site.health()
