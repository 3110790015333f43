"""The read service: what pages and the JSON API show, read from the content store and the
search index, and cached until the next build."""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import anyio.to_thread
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.content import store
from app.content.build_report import stored_report
from app.content.pipeline.parse import slugify
from app.memo import Memo
from app.names import name_key
from app.schemas import (
    CategoryItem,
    EntryDetail,
    EntryItem,
    EntryPage,
    EntryRef,
    Graph,
    GraphLink,
    GraphNode,
    ProblemItem,
    SearchResponse,
    SearchResult,
    Status,
    Suggestion,
    TagItem,
)
from app.search import SearchIndex, SearchResults
from app.urls import api_entries_url, category_url, entry_url, tag_slug, tag_url

MAX_PER_PAGE = 500
RELATED = 6


def _asked(category: str | None, tag: str | None, page: int, limit: int, exact: bool) -> dict[str, Any]:
    """A search's filters and page as the index takes them (search and peek alike)."""
    categories = [slugify(category)] if category else []
    return {"categories": categories, "tags": [tag] if tag else [], "page": page, "limit": limit, "exact": exact}


def _item(e: store.Entry) -> EntryItem:
    return EntryItem(
        slug=e.slug,
        title=e.title,
        category=e.category,
        category_slug=e.category_slug,
        tags=list(e.tags),
        aliases=list(e.aliases),
        summary=e.summary,
        url=entry_url(e.slug),
    )


def _ref(slug: str, title: str) -> EntryRef:
    return EntryRef(slug=slug, title=title, url=entry_url(slug))


CACHE_SIZE = 2048


def _key(name: str, args: tuple[object, ...], kwargs: dict[str, object], generation: str) -> tuple[object, ...]:
    return (name, args, tuple(sorted(kwargs.items())), generation)


P = ParamSpec("P")
R = TypeVar("R")


def cached(method: Callable[Concatenate[ContentReader, P], R]) -> Callable[Concatenate[ContentReader, P], R]:
    """Remember a read until the next build: keyed by the store's build generation, so
    every process (uvicorn workers too) sees a change as soon as a build commits it."""

    @functools.wraps(method)
    def wrapper(self: ContentReader, *args: P.args, **kwargs: P.kwargs) -> R:
        key = _key(method.__name__, args, kwargs, self.generation())
        return self._memo.get(key, lambda: method(self, *args, **kwargs))  # type: ignore[return-value]

    return wrapper


class ContentReader:
    """Reads over one content store and one search index.

    Results are shared between requests; callers treat them as read-only.
    """

    def __init__(self, engine: Engine, index: SearchIndex, signal: Path | None = None):
        self.engine = engine
        self.index = index
        self.signal = signal  # a file every build replaces (see store.signal_generation)
        self._memo: Memo[object] = Memo(CACHE_SIZE)
        self._generation: tuple[tuple[int, int] | None, str] = (None, "")

    def remember(self, name: str, compute: Callable[[], R]) -> R:
        """compute(), remembered until the next build (for reads kept in other modules)."""
        return self._memo.get(_key(name, (), {}, self.generation()), compute)  # type: ignore[return-value]

    def peek(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R | None:
        """A cached read's answer if it is in memory for the current build, else None: no
        database, no computation, so it may be called on the event loop."""
        stamp = store.signal_stamp(self.signal)
        seen, generation = self._generation
        if stamp is None or stamp != seen:
            return None
        hit = self._memo.peek(_key(method.__name__, args, kwargs, generation))
        return hit  # type: ignore[return-value]

    async def ask(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """A read's answer: from memory on the event loop when it is there, otherwise computed
        in a worker thread, so that no computation holds up other requests."""
        hit = self.peek(method, *args, **kwargs)
        if hit is not None:
            return hit
        return await anyio.to_thread.run_sync(functools.partial(method, *args, **kwargs))

    def generation(self) -> str:
        """The store's build generation. Asked on every cached read, so the database is asked
        only when the signal file changed (any process's build replaces it)."""
        stamp = store.signal_stamp(self.signal)
        seen, value = self._generation
        if stamp is not None and stamp == seen:
            return value
        with self._session() as s:
            row = s.get(store.Meta, "generation")
            value = row.value if row else ""
        self._generation = (stamp, value)  # the stamp from before the query: never too new
        return value

    def _session(self):
        return store.session_scope(self.engine)

    # -- entries ---------------------------------------------------------------------
    @cached
    def list_entries(
        self, category: str | None = None, tag: str | None = None, page: int = 1, per_page: int = 50
    ) -> EntryPage:
        stmt = select(store.Entry)
        if category:
            stmt = stmt.where(col(store.Entry.category_slug) == slugify(category))
        if tag:
            stmt = stmt.join(store.EntryTag).where(col(store.EntryTag.tag) == tag.lower())
        with self._session() as s:
            total = s.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
            rows = s.execute(
                stmt.order_by(func.lower(store.Entry.title)).offset((page - 1) * per_page).limit(per_page)
            ).scalars()
            items = [_item(e) for e in rows]
        next_url = None
        if page * per_page < total:
            next_url = api_entries_url(category=category, tag=tag, page=page + 1, per_page=per_page)
        return EntryPage(total=total, page=page, per_page=per_page, items=items, next_url=next_url)

    def exists(self, slug: str) -> bool:
        with self._session() as s:
            return s.get(store.Entry, slug) is not None

    @cached
    def get_entry(self, slug: str) -> EntryDetail | None:
        with self._session() as s:
            e = s.get(store.Entry, slug)
            if e is None:
                return None
            out_links = list(
                dict.fromkeys(
                    r[0]
                    for r in s.execute(
                        select(store.Link.target)
                        .where(col(store.Link.source) == slug, col(store.Link.target).is_not(None))
                        .order_by(col(store.Link.id))
                    )
                )
            )
            back = {r[0] for r in s.execute(select(store.Link.source).where(col(store.Link.target) == slug))}
            score = self._related_scores(s, e, out_links, back)
            # Titles of just the entries named here, not of the whole glossary.
            titles: dict[str, str] = {}
            for chunk in store.chunks(sorted({*out_links, *back, *score})):
                titles.update(
                    s.execute(select(store.Entry.slug, store.Entry.title).where(col(store.Entry.slug).in_(chunk))).all()
                )
            by_title = lambda x: titles[x].casefold()
            # What the page does not already link either way: related but not yet linked.
            unlinked = (x for x in score if x in titles and x not in back and x not in out_links)
            related = sorted(unlinked, key=lambda x: (-score[x], by_title(x)))
            return EntryDetail(
                **_item(e).model_dump(),
                markdown=e.markdown,
                html=e.html,
                links=[_ref(t, titles[t]) for t in out_links if t in titles and t != slug],
                backlinks=[_ref(b, titles[b]) for b in sorted(back - {slug}, key=by_title) if b in titles],
                related=[_ref(r, titles[r]) for r in related[:RELATED]],
                updated=e.updated,
                toc=e.toc,
                source_path=e.source_path,
            )

    @staticmethod
    def _related_scores(s, e: store.Entry, out_links: list[str], back: set[str]) -> Counter[str]:
        """Entries sharing links, tags or the category with e, scored (higher is closer)."""
        score: Counter[str] = Counter()
        for n in {*out_links, *back}:
            score[n] += 3
        if out_links:  # entries that link to the same places ("co-citation")
            for (src,) in s.execute(select(store.Link.source).where(col(store.Link.target).in_(out_links[:50]))):
                score[src] += 1
        if e.tags:
            for (other,) in s.execute(select(store.EntryTag.entry_slug).where(col(store.EntryTag.tag).in_(e.tags))):
                score[other] += 2
        for (other,) in s.execute(
            select(store.Entry.slug).where(col(store.Entry.category_slug) == e.category_slug).limit(200)
        ):
            score[other] += 1
        score.pop(e.slug, None)
        return score

    def random_slug(self) -> str | None:
        with self._session() as s:
            return s.execute(select(store.Entry.slug).order_by(func.random()).limit(1)).scalar()

    @cached
    def _names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        with self._session() as s:
            rows = s.execute(
                select(store.Alias.key, store.Alias.entry_slug)
                .join(store.Entry, col(store.Entry.slug) == store.Alias.entry_slug)
                .order_by(col(store.Alias.rank).desc(), col(store.Entry.source_path).desc())
            ).all()
            names.update(rows)  # worst claims first: the best claim on a key is written last
        return names

    def resolve(self, name: str) -> str | None:
        """The entry a name stands for today, by slug, title or alias in any spelling: for
        redirects, and for state rows that name an entry by a slug it has since given up
        (a renamed entry that keeps its old slug as an alias). None when nothing has it."""
        key = name_key(name)
        return self._names().get(key) if key else None

    @cached
    def neighbours(self, slug: str) -> tuple[EntryRef | None, EntryRef | None]:
        """Previous and next entry in the same category, by title."""
        with self._session() as s:
            e = s.get(store.Entry, slug)
            if e is None:
                return None, None
            rows = s.execute(
                select(store.Entry.slug, store.Entry.title)
                .where(col(store.Entry.category_slug) == e.category_slug)
                .order_by(func.lower(store.Entry.title))
            ).all()
        slugs = [r[0] for r in rows]
        i = slugs.index(slug)
        prev = _ref(*rows[i - 1]) if i > 0 else None
        nxt = _ref(*rows[i + 1]) if i + 1 < len(rows) else None
        return prev, nxt

    # -- categories and tags --------------------------------------------------------------
    @cached
    def categories(self) -> list[CategoryItem]:
        with self._session() as s:
            counts = dict(
                s.execute(select(store.Entry.category_slug, func.count()).group_by(store.Entry.category_slug)).all()
            )
            cats = s.execute(select(store.Category).order_by(func.lower(store.Category.name))).scalars()
            return [
                CategoryItem(
                    slug=c.slug,
                    name=c.name,
                    count=counts.get(c.slug, 0),
                    url=category_url(c.slug),
                    description=c.description,
                )
                for c in cats
            ]

    def category(self, slug: str) -> CategoryItem | None:
        return next((c for c in self.categories() if c.slug == slugify(slug)), None)

    @cached
    def tags(self) -> list[TagItem]:
        with self._session() as s:
            rows = s.execute(
                select(store.EntryTag.tag, func.count()).group_by(store.EntryTag.tag).order_by(store.EntryTag.tag)
            ).all()
        return [TagItem(slug=tag_slug(t), name=t, count=n, url=tag_url(t)) for t, n in rows]

    def tag(self, slug: str) -> TagItem | None:
        wanted = tag_slug(slug)
        return next((t for t in self.tags() if t.slug == wanted or t.name == slug.lower()), None)

    @cached
    def az(self) -> dict[str, list[EntryItem]]:
        groups: dict[str, list[EntryItem]] = defaultdict(list)
        for item in self.list_entries(per_page=10**6).items:
            first = item.title[:1].upper()
            groups[first if first.isalpha() else "#"].append(item)
        return dict(sorted(groups.items(), key=lambda kv: (kv[0] == "#", kv[0])))

    @cached
    def starters(self, n: int = 8) -> list[EntryItem]:
        """Entries to start from: the most linked-to ones."""
        with self._session() as s:
            rows = s.execute(
                select(store.Link.target, func.count(func.distinct(store.Link.source)).label("n"))
                .where(col(store.Link.target).is_not(None))
                .group_by(store.Link.target)
                .order_by(func.count(func.distinct(store.Link.source)).desc(), col(store.Link.target))
                .limit(n)
            ).all()
            slugs = [r[0] for r in rows]
            if len(slugs) < n:
                extra = s.execute(select(store.Entry.slug).order_by(store.Entry.slug).limit(n)).scalars()
                slugs += [x for x in extra if x not in slugs][: n - len(slugs)]
            entries = {
                e.slug: e for e in s.execute(select(store.Entry).where(col(store.Entry.slug).in_(slugs))).scalars()
            }
        return [_item(entries[x]) for x in slugs if x in entries]

    def recent(self, limit: int | None = 30) -> list[tuple[EntryItem, datetime]]:
        """Entries with their update time, most recently changed first."""
        with self._session() as s:
            stmt = select(store.Entry).order_by(col(store.Entry.updated).desc(), store.Entry.slug)
            rows = s.execute(stmt.limit(limit) if limit else stmt).scalars()
            return [(_item(e), e.updated) for e in rows]

    @cached
    def graph(self, slug: str | None = None) -> Graph:
        """Entries as nodes and resolved links as edges; with slug, its neighbourhood only."""
        with self._session() as s:
            links = s.execute(
                select(store.Link.source, store.Link.target)
                .where(col(store.Link.target).is_not(None), col(store.Link.source) != store.Link.target)
                .distinct()
                .order_by(col(store.Link.source), col(store.Link.target))
            ).all()
            if slug is not None:
                near = {slug} | {a for a, b in links if b == slug} | {b for a, b in links if a == slug}
                links = [(a, b) for a, b in links if a in near and b in near]
            rows = s.execute(
                select(store.Entry.slug, store.Entry.title, store.Entry.category, store.Entry.category_slug).order_by(
                    store.Entry.slug
                )
            ).all()
        nodes = [
            GraphNode(slug=r[0], title=r[1], category=r[2], category_slug=r[3])
            for r in rows
            if slug is None or r[0] in near
        ]
        return Graph(nodes=nodes, links=[GraphLink(source=a, target=b) for a, b in links])

    def status(self) -> Status:
        report = stored_report(self.engine)
        return Status(
            entries=report.entries,
            categories=report.categories,
            links=report.links,
            unresolved_links=report.unresolved,
            problems=[
                ProblemItem(path=p.path, line=p.line, message=p.message, severity=p.severity) for p in report.problems
            ],
        )

    # -- search ---------------------------------------------------------------------
    def search(
        self,
        q: str,
        category: str | None = None,
        tag: str | None = None,
        page: int = 1,
        limit: int = 10,
        exact: bool = False,
    ) -> SearchResponse:
        """exact: the words as typed, none respelled."""
        found = self.index.search(q, **_asked(category, tag, page, limit, exact))
        return self._response(q, found, self.categories(), page, limit)

    async def ask_search(
        self,
        q: str,
        category: str | None = None,
        tag: str | None = None,
        page: int = 1,
        limit: int = 10,
        exact: bool = False,
    ) -> SearchResponse:
        """search(), answered on the event loop when the results are in memory."""
        found = self.index.peek(q, **_asked(category, tag, page, limit, exact))
        categories = self.peek(self.categories)
        if found is not None and categories is not None:
            return self._response(q, found, categories, page, limit)
        return await anyio.to_thread.run_sync(functools.partial(self.search, q, category, tag, page, limit, exact))

    @staticmethod
    def _response(
        q: str, found: SearchResults, categories: list[CategoryItem], page: int, limit: int
    ) -> SearchResponse:
        cats = {c.slug: c.name for c in categories}
        results = [
            SearchResult(
                slug=h.slug,
                title=h.title,
                category=cats.get(h.category, h.category),
                category_slug=h.category,
                summary=h.summary,
                snippet=h.snippet,
                score=h.score,
                url=entry_url(h.slug),
            )
            for h in found.hits
        ]
        facets = {cats.get(k, k): v for k, v in sorted(found.facets.items(), key=lambda kv: -kv[1])}
        return SearchResponse(
            query=q,
            total=found.total,
            page=page,
            limit=limit,
            results=results,
            facets={"category": facets},
            corrected=found.corrected,
            suggestion=found.suggestion,
        )

    def suggest(self, q: str, limit: int = 8) -> list[Suggestion]:
        cats = {c.slug: c.name for c in self.categories()}
        return [
            Suggestion(
                slug=s.slug,
                title=s.title,
                category=cats.get(s.category, s.category),
                url=entry_url(s.slug),
                matched=s.matched,
                kind=s.kind,
            )
            for s in self.index.suggest(q, limit)
        ]
