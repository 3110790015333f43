"""Study at scale: a synthetic population of learners with a year of reviews, measured over HTTP.

usage: python bench/study_bench.py [--learners 1000] [--cards 2000] [--reviews-each 2000]
                                   [--seconds 30] [--think 3] [--postgres URL] [--no-kill]
1. Builds a glossary with --cards cards (two per entry), and a state store holding --learners
   learners, each with a schedule for every card and --reviews-each reviews spread over a year.
2. Serves it with 2 workers and measures, for 200 sampled learners one at a time, the next-card
   queue and posting a review, against reading an entry (the baseline, same server, same run).
3. 64 learners review at once for --seconds while an editor changes content files every second,
   as the study page does (next card, look at it for about --think seconds, answer), then as fast
   as the server answers (its capacity): errors, p50 and p99 per request.
4. kill -9 the server in the middle of that load, restart it, and check that every review answered
   201 is in the log, and none twice.
Figures, not assertions: this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import app.study.models  # noqa: F401 - the tables
from app.accounts.models import ApiToken, Learner
from app.accounts.service import digest
from app.config import sqlite_url
from app.state import StateStore
from app.study.models import CardState, Review
from tests.support.corpus import generate
from tests.support.server import free_port, serve_command, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] * 1000 if ordered else 0.0


def populate(url: str, slugs: list[str], learners: int, reviews_each: int, rng: random.Random) -> list[str]:
    """Learners with a schedule for every card and a year of reviews; returns API tokens of all."""
    store = StateStore(url)
    assert store.open(), store.problem
    engine = store.engine()
    tokens, started = [], time.perf_counter()
    cards = [(slug, key) for slug in slugs for key in ("name", "meaning")]
    with engine.begin() as conn:
        for n in range(learners):
            lid = secrets.token_hex(16)
            token = "glossa_" + secrets.token_urlsafe(32)
            tokens.append(token)
            conn.execute(
                insert(Learner),
                [
                    {
                        "id": lid,
                        "username": f"learner{n}",
                        "username_key": f"learner{n}",
                        "password_hash": None,
                        "guest": False,
                        "created": NOW,
                    }
                ],
            )
            conn.execute(
                insert(ApiToken),
                [
                    {
                        "id": secrets.token_hex(8),
                        "learner_id": lid,
                        "name": "bench",
                        "token_hash": digest(token),
                        "created": NOW,
                        "last_used": None,
                    }
                ],
            )
            states, logs = [], []
            for slug, key in cards:
                stability = rng.uniform(1, 200)
                due = NOW + timedelta(days=rng.uniform(-30, 120))
                states.append(
                    {
                        "learner_id": lid,
                        "entry_slug": slug,
                        "card_key": key,
                        "state": 2,
                        "step": None,
                        "stability": stability,
                        "difficulty": rng.uniform(1, 10),
                        "due": due,
                        "last_review": due - timedelta(days=stability),
                        "reps": rng.randint(1, 12),
                        "lapses": rng.randint(0, 3),
                    }
                )
            for i in range(reviews_each):
                slug, key = cards[i % len(cards)]
                when = NOW - timedelta(days=rng.uniform(0, 365))
                logs.append(
                    {
                        "id": secrets.token_hex(16),
                        "learner_id": lid,
                        "entry_slug": slug,
                        "card_key": key,
                        "rating": rng.choice((1, 3, 3, 3, 4)),
                        "reviewed_at": when,
                        "duration_ms": 4000,
                        "client_key": None,
                        "before": None,
                        "after": {"state": 2},
                        "undone": False,
                    }
                )
            conn.execute(insert(CardState), states)
            conn.execute(insert(Review), logs)
            if n % 100 == 99:
                print(f"  {n + 1} learners ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if engine.dialect.name == "postgresql":
        # As after any bulk load (PostgreSQL's own advice): planner statistics, and the
        # visibility map that lets an index answer without visiting the table. Autovacuum
        # would do both on its own some minutes later.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    store.close()
    return tokens


def serve(content: Path, work: Path, port: int, state_url: str) -> subprocess.Popen:
    env = {**os.environ, "GLOSSA_STATE_DATABASE_URL": state_url}
    return subprocess.Popen(
        serve_command(content, work, port, "--workers", "2", "--watch"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def sequential(base: str, tokens: list[str], slugs: list[str]) -> dict[str, tuple[float, float]]:
    entry, next_card, queue, review = [], [], [], []
    with httpx.Client(base_url=base, timeout=30) as client:
        for i, token in enumerate(tokens):
            auth = {"authorization": f"Bearer {token}"}
            t = time.perf_counter()
            client.get(f"/api/entries/{slugs[i % len(slugs)]}").raise_for_status()
            entry.append(time.perf_counter() - t)
            t = time.perf_counter()  # the next card, as the study page asks for it
            client.get("/api/study/queue", params={"limit": 1}, headers=auth).raise_for_status()
            next_card.append(time.perf_counter() - t)
            t = time.perf_counter()
            cards = client.get("/api/study/queue", params={"limit": 20}, headers=auth).raise_for_status().json()
            queue.append(time.perf_counter() - t)
            if cards["cards"]:
                t = time.perf_counter()
                client.post(
                    "/api/study/reviews", json={"card_id": cards["cards"][0]["id"], "rating": 3}, headers=auth
                ).raise_for_status()
                review.append(time.perf_counter() - t)
    return {
        name: (pct(v, 0.5), pct(v, 0.95))
        for name, v in (
            ("entry (baseline)", entry),
            ("next card (queue?limit=1)", next_card),
            ("20 cards (queue?limit=20)", queue),
            ("review", review),
        )
    }


async def reviewers(
    base: str,
    tokens: list[str],
    seconds: float,
    answered: list[tuple[str, str]],
    stats: dict[str, list],
    think: float,
) -> None:
    """Learners studying as the study page does: ask for the next card, look at it for a while
    (`think` seconds on average, uniformly between half and one and a half times that), answer
    it, ask for the next. think=0: answers as fast as the server allows (its capacity)."""
    pause = random.Random(len(tokens))
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def learner(token: str) -> None:
            auth = {"authorization": f"Bearer {token}"}
            if think:  # learners sit down one after another, not all in the same millisecond
                await asyncio.sleep(think * pause.random())
            while time.monotonic() < deadline:
                try:
                    t = time.perf_counter()
                    r = await client.get("/api/study/queue", params={"limit": 1}, headers=auth)
                    stats["latency"].append(elapsed := time.perf_counter() - t)
                    stats["queue"].append(elapsed)
                    if r.status_code != 200:
                        stats["errors"].append(r.status_code)
                        continue
                    for card in r.json()["cards"]:
                        if think:
                            await asyncio.sleep(think * pause.uniform(0.5, 1.5))
                        key = secrets.token_hex(8)
                        t = time.perf_counter()
                        r = await client.post(
                            "/api/study/reviews", headers=auth, json={"card_id": card["id"], "rating": 3, "key": key}
                        )
                        stats["latency"].append(elapsed := time.perf_counter() - t)
                        stats["review"].append(elapsed)
                        if r.status_code == 201:
                            answered.append((r.json()["review_id"], key))
                        else:
                            stats["errors"].append(r.status_code)
                except httpx.HTTPError as err:
                    stats["failed"].append(type(err).__name__)

        await asyncio.gather(*(learner(t) for t in tokens))


def error_kinds(stats: dict) -> str:
    """What failed, by kind ("503 x2, ReadTimeout x1"): an error count alone does not say whose."""
    counts: dict[str, int] = {}
    for kind in [str(code) for code in stats["errors"]] + stats["failed"]:
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{kind} x{n}" for kind, n in sorted(counts.items()))


async def editor(content: Path, seconds: float) -> None:
    files = sorted(content.rglob("*.md"))[:50]
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        path = files[n % len(files)]
        path.write_text(path.read_text() + f"\nEdited during the load, round {n}.\n")
        n += 1
        await asyncio.sleep(1)


def _stats() -> dict[str, list]:
    return {"latency": [], "queue": [], "review": [], "errors": [], "failed": []}


def load_round(base: str, content: Path, tokens: list[str], seconds: float, think: float) -> dict[str, list]:
    stats = _stats()

    async def both() -> None:
        await asyncio.gather(reviewers(base, tokens, seconds, [], stats, think), editor(content, seconds))

    asyncio.run(both())
    return stats


def check_log(state_url: str, answered: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(answered 201, found in the log, found more than once)."""
    engine = create_engine(state_url)
    ids = [a[0] for a in answered]
    found, twice = 0, 0
    with engine.connect() as conn:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = conn.execute(
                text("SELECT id, count(*) FROM review WHERE id IN :ids GROUP BY id").bindparams(
                    __import__("sqlalchemy").bindparam("ids", expanding=True)
                ),
                {"ids": chunk},
            ).all()
            found += len(rows)
            twice += sum(1 for _, n in rows if n > 1)
        keys = conn.execute(
            text("SELECT count(*) - count(DISTINCT client_key) FROM review WHERE client_key IS NOT NULL")
        )
        twice += keys.scalar_one()
    engine.dispose()
    return len(ids), found, twice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--cards", type=int, default=2000, help="cards per learner (two per entry)")
    parser.add_argument("--reviews-each", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--postgres", help="a PostgreSQL URL for the state store (an empty database)")
    parser.add_argument("--think", type=float, default=3.0, help="seconds a learner looks at a card, on average")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill -9 round")
    args = parser.parse_args()
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="glossa-study-bench-"))
    try:
        content = work / "content"
        entries = generate(content, args.cards // 2)
        slugs = [e["slug"] for e in entries]
        state_url = args.postgres or sqlite_url(work / "state" / "state.db")
        print(
            f"# Study benchmark: {args.learners} learners x {args.cards} cards, "
            f"{args.learners * args.reviews_each:,} reviews, state on {state_url.split(':')[0]}"
        )
        t = time.perf_counter()
        tokens = populate(state_url, slugs, args.learners, args.reviews_each, rng)
        print(f"population written in {time.perf_counter() - t:.0f} s")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(content, work, port, state_url)
        try:
            wait_until_up(base, 600)
            figures = sequential(base, rng.sample(tokens, min(200, len(tokens))), slugs)
            print("\n| one request at a time (200 learners) | p50 | p95 | p95 / baseline |")
            print("|---|---|---|---|")
            baseline = figures["entry (baseline)"][1]
            for name, (p50, p95) in figures.items():
                print(f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {p95 / baseline:.1f}x |")
            for think in (args.think, 0.0):
                stats = load_round(base, content, rng.sample(tokens, min(64, len(tokens))), args.seconds, think)
                lat = stats["latency"]
                pace = f"about {think:g} s per card" if think else "no pause (the server's capacity)"
                print(
                    f"\n64 learners at once, {pace}, {args.seconds:.0f} s, content edited every second: "
                    f"{len(lat)} requests ({len(lat) / args.seconds:.0f}/s), p50 {pct(lat, 0.5):.0f} ms, "
                    f"p99 {pct(lat, 0.99):.0f} ms, errors {len(stats['errors']) + len(stats['failed'])}"
                    + (f" ({kinds})" if (kinds := error_kinds(stats)) else "")
                )
            if not args.no_kill:
                answered: list[tuple[str, str]] = []

                async def killed() -> None:
                    async def kill() -> None:
                        await asyncio.sleep(args.seconds / 2)
                        os.killpg(server.pid, signal.SIGKILL)

                    picked = rng.sample(tokens, min(64, len(tokens)))
                    await asyncio.gather(reviewers(base, picked, args.seconds, answered, _stats(), 0.0), kill())

                asyncio.run(killed())
                server.wait()
                n, found, twice = check_log(state_url, answered)
                print(f"kill -9 during the load: {n} reviews answered 201, {found} in the log, {twice} twice")
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
