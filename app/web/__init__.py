"""HTML pages (templates/), one router module per feature."""

from fastapi import APIRouter

from app.web import browse, search, sitefiles

router = APIRouter()
for module in (browse, search, sitefiles):
    router.include_router(module.router)
