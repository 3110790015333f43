"""Response models: the JSON contract, shared by the API and (as data) by the templates."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class EntryRef(BaseModel):
    slug: str
    title: str
    url: str


class EntryItem(BaseModel):
    slug: str
    title: str
    category: str = Field(description="Category name")
    category_slug: str
    tags: list[str]
    aliases: list[str]
    summary: str
    url: str


class EntryPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[EntryItem]
    next_url: str | None = None


class TocItem(BaseModel):
    level: int
    id: str
    text: str


class EntryDetail(EntryItem):
    markdown: str
    html: str
    links: list[EntryRef]
    backlinks: list[EntryRef]
    related: list[EntryRef]
    updated: datetime
    toc: list[TocItem]
    source_path: str


class SearchResult(BaseModel):
    slug: str
    title: str
    category: str
    category_slug: str
    summary: str
    snippet: str = Field(description="HTML-escaped excerpt with matches in <mark>")
    score: float
    url: str


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    limit: int
    results: list[SearchResult]
    facets: dict[str, dict[str, int]]
    corrected: str | None = Field(
        None,
        description="What was searched when words were respelled: the results are for this, not for query. "
        "Ask again with exact=true to search the words as typed.",
    )
    suggestion: str | None = Field(
        None, description="A respelling that would find entries, when the results are for the words as typed"
    )
    per_page: int = Field(0, description="The same as limit, named as /api/entries names it")
    next_url: str | None = Field(None, description="The next page of results, if there is one")


class Suggestion(BaseModel):
    slug: str
    title: str
    category: str
    url: str
    matched: str | None = Field(
        None, description="The alias that matched what was typed, as written, when the title did not"
    )
    kind: Literal["name", "answer"] = Field(
        "name",
        description="name: a title or alias begins with the words typed; answer: no name does, and this is "
        "one of the first results of searching for them (a question or a description)",
    )


class CategoryItem(BaseModel):
    slug: str
    name: str
    count: int
    url: str
    description: str = ""


class TagItem(BaseModel):
    slug: str
    name: str
    count: int
    url: str


class ProblemItem(BaseModel):
    path: str
    line: int
    message: str
    severity: str


class StateStatus(BaseModel):
    available: bool = Field(description="Whether learners' data can be read and written now")
    backend: str = Field(description="sqlite or postgresql")
    revision: str | None = Field(None, description="Schema revision (Alembic)")
    store_id: str | None = Field(None, description="Identifies the store; nodes sharing one agree")
    problem: str | None = Field(None, description="Why it is unavailable, and what to do")
    orphaned_rows: dict[str, int] = Field(
        default_factory=dict,
        description="Rows (by table.column) that name an entry no longer in the content; kept",
    )


class Status(BaseModel):
    entries: int
    categories: int
    links: int
    unresolved_links: int
    problems: list[ProblemItem]
    state: StateStatus | None = None


class GraphNode(BaseModel):
    slug: str
    title: str
    category: str = Field(description="Category name")
    category_slug: str


class GraphLink(BaseModel):
    source: str
    target: str


class Graph(BaseModel):
    nodes: list[GraphNode]
    links: list[GraphLink]
