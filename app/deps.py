"""Named dependencies, so route signatures read like declarations."""

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.queries import Glossary


async def get_glossary(request: Request) -> Glossary:
    return request.app.state.glossary


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


GlossaryDep = Annotated[Glossary, Depends(get_glossary)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
