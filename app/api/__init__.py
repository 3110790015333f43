"""The JSON API, one router module per feature, each route with a response model."""

from fastapi import APIRouter

from app.api import accounts, entries, paths, progress, quiz, search, status, study

router = APIRouter(prefix="/api", tags=["api"])
for module in (entries, search, status, accounts, study, paths, progress, quiz):
    router.include_router(module.router)
