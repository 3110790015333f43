"""The progress page's charts as inline SVG drawn on the server: no chart script, the page's
theme applies (shapes carry classes that static/style.css colours for light and dark), and each
chart is an image with a title and a description for screen readers. Pure functions of the
figures; every text put in the markup is escaped."""

from __future__ import annotations

import math
from datetime import date, timedelta

from markupsafe import Markup, escape

from app.study.progress import DayCount

CELL, GAP = 11, 2  # heatmap squares, px of the SVG's own coordinates (it scales down on phones)
STEP = CELL + GAP
WEEKDAYS = {0: "Mon", 2: "Wed", 4: "Fri"}
LEVELS = 4  # colour steps above "none"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _svg(name: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    """An image with a name and a description; its parts are hidden from screen readers."""
    head = (
        f'<svg class="chart chart-{name}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{name}-title {name}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{name}-title">{escape(title)}</title><desc id="{name}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def level(count: int, peak: int) -> int:
    """0 for no reviews, else 1–4 by the share of the busiest day."""
    if count <= 0 or peak <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(LEVELS * count / peak)))


def heatmap(days: list[DayCount], weeks_shown: int | None = None) -> Markup:
    """Reviews per day as a calendar: a column per week (Monday on top), a square per day.
    weeks_shown: only the latest weeks, for phones, where a year's calendar would shrink its
    labels to a few pixels; the colours keep the whole span's scale."""
    if not days:
        return Markup("")
    peak = max(d.count for d in days)
    name = "heatmap"
    if weeks_shown is not None:
        name = "heatmap-recent"
        last = days[-1].date
        first = last - timedelta(days=last.weekday() + 7 * (weeks_shown - 1))
        days = [d for d in days if d.date >= first] or days[-1:]
    left, top = 30, 16
    monday = days[0].date - timedelta(days=days[0].date.weekday())
    weeks = (days[-1].date - monday).days // 7 + 1
    width, height = left + weeks * STEP + 16, top + 7 * STEP + 22  # room for a month named in the last week
    body = [
        f'<text class="chart-label" x="0" y="{top + row * STEP + CELL - 1}">{name}</text>'
        for row, name in WEEKDAYS.items()
    ]
    last_label = -3
    for d in days:
        week, row = (d.date - monday).days // 7, d.date.weekday()
        x, y = left + week * STEP, top + row * STEP
        if d.date.day == 1 and week - last_label >= 3:  # a month's name over the week it starts in
            body.append(f'<text class="chart-label" x="{x}" y="{top - 5}">{d.date.strftime("%b")}</text>')
            last_label = week
        body.append(
            f'<rect class="heat heat-{level(d.count, peak)}" x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2">'
            f"<title>{escape(_day_text(d.date))}: {escape(_plural(d.count, 'review'))}</title></rect>"
        )
    legend_y = top + 7 * STEP + 8
    x = width - (LEVELS + 1) * STEP - 34
    body.append(f'<text class="chart-label" x="{x - 30}" y="{legend_y + CELL - 1}">Less</text>')
    for i in range(LEVELS + 1):
        square = f'x="{x + i * STEP}" y="{legend_y}" width="{CELL}" height="{CELL}"'
        body.append(f'<rect class="heat heat-{i}" {square} rx="2"></rect>')
    body.append(f'<text class="chart-label" x="{x + (LEVELS + 1) * STEP + 4}" y="{legend_y + CELL - 1}">More</text>')
    total = sum(d.count for d in days)
    studied = sum(1 for d in days if d.count)
    desc = f"{_plural(total, 'review')} on {_plural(studied, 'day')} of {len(days)}"
    if total:
        busiest = max(days, key=lambda d: (d.count, d.date))
        desc += f"; the busiest day was {_day_text(busiest.date)} with {_plural(busiest.count, 'review')}"
    title = f"Reviews per day, {_day_text(days[0].date)} to {_day_text(days[-1].date)}"
    return _svg(name, width, height, title, desc + ".", body)


def forecast(days: list[DayCount]) -> Markup:
    """Cards due per day from today: a bar per day, today's (with overdue cards) first."""
    if not days:
        return Markup("")
    left, top, bar, gap, plot = 34, 14, 16, 4, 110
    width, height = left + len(days) * (bar + gap), top + plot + 26
    peak = max(d.count for d in days)
    base = top + plot
    body = [
        f'<line class="chart-axis" x1="{left}" y1="{base}" x2="{width}" y2="{base}"></line>',
        f'<text class="chart-label" x="0" y="{top + 4}">{peak:,}</text>',
        f'<text class="chart-label" x="0" y="{base}">0</text>',
    ]
    for i, d in enumerate(days):
        x = left + i * (bar + gap)
        h = round(plot * d.count / peak) if peak else 0
        if d.count and h < 2:
            h = 2  # a day with a card due stays visible
        what = _plural(d.count, "card") + " due"
        body.append(
            f'<rect class="forecast-bar" x="{x}" y="{base - h}" width="{bar}" height="{h}">'
            f"<title>{escape(_day_text(d.date))}: {escape(what)}</title></rect>"
        )
        if i % 7 == 0 and i + 3 < len(days):  # a label near the end would run off the chart
            label = "Today" if i == 0 else f"{d.date:%b} {d.date.day}"
            body.append(f'<text class="chart-label" x="{x}" y="{base + 19}">{escape(label)}</text>')
    total = sum(d.count for d in days)
    desc = f"{_plural(total, 'card')} due in the next {len(days)} days, {days[0].count:,} of them today"
    if total:
        busiest = max(days, key=lambda d: (d.count, -d.date.toordinal()))
        desc += f"; the most on {_day_text(busiest.date)} ({busiest.count:,})"
    title = f"Cards due per day, {_day_text(days[0].date)} to {_day_text(days[-1].date)}"
    return _svg("forecast", width, height, title, desc + ".", body)


def bar(known: int, cards: int) -> Markup:
    """A category's mastery as a bar; the text beside it says the same, so this is decoration."""
    width, height = 200, 12
    filled = round(width * known / cards) if cards else 0
    return Markup(
        f'<svg class="mastery-bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        f'<rect class="mastery-track" x="0" y="0" width="{width}" height="{height}" rx="3"></rect>'
        f'<rect class="mastery-fill" x="0" y="0" width="{filled}" height="{height}" rx="3"></rect></svg>'
    )


def _day_text(day: date) -> str:
    return day.isoformat()
