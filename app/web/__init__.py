"""HTML pages (templates/), one router module per feature."""

from fastapi import APIRouter, Depends

from app.accounts.web import viewer
from app.web import accounts, apidocs, browse, paths, progress, quiz, search, sitefiles, study

router = APIRouter()
# Pages show who is signed in; the look-up runs in a worker thread (a plain def dependency).
for module in (browse, apidocs, search, accounts, study, paths, progress, quiz):
    router.include_router(module.router, dependencies=[Depends(viewer)])
router.include_router(sitefiles.router)
