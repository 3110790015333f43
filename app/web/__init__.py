"""HTML pages (templates/), one router module per feature."""

from fastapi import APIRouter, Depends

from app.accounts.web import viewer
from app.web import accounts, browse, search, sitefiles, study

router = APIRouter()
# Pages show who is signed in; the look-up runs in a worker thread (a plain def dependency).
for module in (browse, search, accounts, study):
    router.include_router(module.router, dependencies=[Depends(viewer)])
router.include_router(sitefiles.router)
