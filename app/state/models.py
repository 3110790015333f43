"""Durable tables. Their schema changes only through migrations (app/state/migrations)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

ENTRY_REF = "entry-slug"  # column info marking a column that names a content entry by slug


class StateTable(SQLModel, registry=registry()):
    """Base of the state store's tables, with a metadata of their own: nothing done to the
    content store's tables can reach these."""


def entry_slug_field(**kwargs: Any) -> Any:
    """A column naming an entry by slug: never a foreign key (content is rebuilt at will),
    and found by the orphan count through its info marker."""
    return Field(max_length=200, sa_column_kwargs={"info": {"refers_to": ENTRY_REF}}, **kwargs)


class StateMeta(StateTable, table=True):
    """Facts about the store itself: its id (the same on every node that shares it) and when
    it was created."""

    __tablename__ = "state_meta"

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(max_length=500)
