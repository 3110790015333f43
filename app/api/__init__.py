"""The JSON API, one router module per feature, each route with a response model."""

from fastapi import APIRouter

from app.api import accounts, entries, search, status, study

router = APIRouter(prefix="/api", tags=["api"])
for module in (entries, search, status, accounts, study):
    router.include_router(module.router)
