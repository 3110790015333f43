"""What the site holds and whether its stores are healthy; probes for a load balancer and
metrics for Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from app.deps import SiteDep
from app.metrics import CONTENT_TYPE, Metrics
from app.schemas import Status

router = APIRouter()
# At the root, outside /api: where balancers and Prometheus look for them by convention.
probes = APIRouter(tags=["operations"])
# A probe's answer is about this moment: no cache in between may keep it.
NO_STORE = {"Cache-Control": "no-store"}


class Alive(BaseModel):
    status: str = "alive"


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, str] = Field(
        description="content, index, state: `ok`, or why not (the state store's problem, for one)"
    )


@router.get(
    "/status", response_model=Status, summary="Counts, the problems of the latest build, and the state store's health"
)
def status(site: SiteDep) -> Status:
    return site.status()


@router.get("/health", summary="Whether this node serves the glossary and learners' data (cheap, for probes)")
def health(site: SiteDep) -> dict[str, str]:
    return site.health()


@probes.get("/healthz", response_model=Alive, summary="The process is alive (touches no store)")
async def healthz() -> JSONResponse:
    # async on purpose: answered on the event loop, so a full thread pool cannot make a busy
    # node look dead.
    return JSONResponse(Alive().model_dump(), headers=NO_STORE)


@probes.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready: `checks` says why"}},
    summary="Ready for traffic: content built, search index open, state store reachable",
)
def readyz(site: SiteDep) -> JSONResponse:
    checks = site.readiness()
    ready = all(v == "ok" for v in checks.values())
    body = Readiness(ready=ready, checks=checks).model_dump()
    return JSONResponse(body, status_code=200 if ready else 503, headers=NO_STORE)


@probes.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
    summary="Metrics in the Prometheus text format",
)
def metrics(request: Request) -> Response:
    # Plain def: with several workers it reads their files.
    found: Metrics = request.app.state.metrics
    return Response(found.exposition(), media_type=CONTENT_TYPE, headers=NO_STORE)
