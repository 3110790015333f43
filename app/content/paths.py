"""The read service for study paths: each path's sections and steps with their titles, and
where an entry stands in a path."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from app.content import store
from app.content.reader import ContentReader
from app.urls import entry_in_path_url, path_url


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    number: int  # 1-based, across the whole path
    url: str  # the entry's page, opened as this step


@dataclass(frozen=True)
class Section:
    title: str
    description: str
    steps: list[Step]


@dataclass(frozen=True)
class StudyPath:
    slug: str
    title: str
    description: str
    sections: list[Section]
    url: str

    @property
    def steps(self) -> list[Step]:
        return [step for section in self.sections for step in section.steps]

    @property
    def slugs(self) -> list[str]:
        return [step.slug for step in self.steps]


@dataclass(frozen=True)
class Place:
    """An entry as a step of a path: "Step 4 of 25", with the steps either side."""

    path: StudyPath
    step: Step
    total: int
    previous: Step | None
    next: Step | None


class PathReader:
    def __init__(self, reader: ContentReader):
        self.reader = reader

    def all(self) -> list[StudyPath]:
        return self.reader.remember("study-paths", self._load)

    def get(self, slug: str) -> StudyPath | None:
        return next((p for p in self.all() if p.slug == slug), None)

    def place(self, path_slug: str, entry_slug: str) -> Place | None:
        path = self.get(path_slug)
        if path is None:
            return None
        steps = path.steps
        i = next((n for n, s in enumerate(steps) if s.slug == entry_slug), None)
        if i is None:
            return None
        return Place(
            path, steps[i], len(steps), steps[i - 1] if i else None, steps[i + 1] if i + 1 < len(steps) else None
        )

    def _load(self) -> list[StudyPath]:
        with store.session_scope(self.reader.engine) as s:
            rows = s.exec(select(store.StudyPathRow).order_by(col(store.StudyPathRow.position))).all()
            slugs = sorted({slug for row in rows for section in row.sections for slug in section["entries"]})
            titles: dict[str, str] = {}
            for chunk in store.chunks(slugs):
                found = s.execute(select(store.Entry.slug, store.Entry.title).where(col(store.Entry.slug).in_(chunk)))
                titles.update((str(slug), str(title)) for slug, title in found)
        paths = []
        for row in rows:
            number, sections = 0, []
            for section in row.sections:
                steps = []
                for slug in section["entries"]:
                    if slug in titles:  # an entry removed since: its step is gone, the path stays
                        number += 1
                        steps.append(Step(slug, titles[slug], number, entry_in_path_url(slug, row.slug)))
                sections.append(Section(section["title"], section.get("description", ""), steps))
            paths.append(StudyPath(row.slug, row.title, row.description, sections, path_url(row.slug)))
        return paths
