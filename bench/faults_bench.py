"""Faults under load: nodes behind HAProxy on one PostgreSQL state store, learners reviewing and
readers searching and browsing, while one node is killed and started again, PostgreSQL is
restarted, and a content file is edited.

usage: python bench/faults_bench.py [--seconds 60] [--nodes 3] [--learners 64] [--readers 8]
           [--think 1.5] [--postgres URL] [--redis URL | --no-redis]
           [--restart-postgres "pg_ctlcluster 15 main restart"] [--keep]

1. Copies the shipped glossary, makes a fresh database on the --postgres server (dropped at the
   end), starts --nodes nodes and HAProxy with deploy/cluster.py, and gives each learner an API
   token (written into the state store, as bench/study_bench.py does).
2. Learners study as the study page does: next card, look at it for about --think seconds, answer
   with a review key of their own; a failed answer (a 502 or 503, no answer at all) is sent again
   with the same key after the Retry-After it names (at most 2 s), until it is acknowledged.
   Readers search, open entry pages (HTML and JSON), list entries and complete titles.
3. Phases, in this order, over about --seconds: steady; kill -9 of the last node, which is then
   started again; PostgreSQL restarted (the nodes must reconnect by themselves, reading must keep
   working, study must answer 503 with Retry-After, never 500); a content file edited (every node
   must serve the change, and find it by search, within 2 s); steady again.
4. Checks the database against what was acknowledged: reviews acknowledged and missing (must be
   0), keys counted twice (0), server errors on reading (0), and prints p50/p99 per route and
   phase. Exits 1 when a check fails.
Run as root on a machine whose PostgreSQL may be restarted: the restart reaches every database
on that server.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.accounts.models import ApiToken, Learner
from app.accounts.service import digest
from bench.study_bench import pct
from deploy.cluster import Cluster
from tests.support.postgres import create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
READ_ROUTES = ("search", "suggest", "entry page", "entry JSON", "listing")
EDIT_TARGET = 2.0  # seconds for every node to serve an edit
RETRY_CAP = 2.0  # a learner waits at most this long before sending an answer again


@dataclass
class Run:
    """Everything the clients saw."""

    phase: str = "starting"
    samples: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    sent: dict[tuple[str, str], str] = field(default_factory=dict)  # (learner, key): card
    acknowledged: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)  # : (status, review id)
    refused: Counter[int] = field(default_factory=Counter)
    events: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None  # no new card or read after this; an answer in hand is still retried

    def note(self, route: str, status: str, seconds: float) -> None:
        self.samples[(self.phase, route)].append(seconds)
        self.statuses[(self.phase, route)][status] += 1

    def event(self, what: str) -> None:
        line = f"{time.monotonic() - self.started:6.1f} s  {what}"
        self.events.append(line)
        print(line, file=sys.stderr, flush=True)


def outcome(response: httpx.Response) -> str:
    """A status, and for a 503 whether the node said when to come back (the balancer's own
    503, when it has no server at all, does not)."""
    if response.status_code == 503:
        return "503+Retry-After" if "retry-after" in response.headers else "503 (no Retry-After)"
    return str(response.status_code)


async def timed(client: httpx.AsyncClient, run: Run, route: str, method: str, url: str, **kw) -> httpx.Response | None:
    t = time.perf_counter()
    try:
        response = await client.request(method, url, **kw)
    except httpx.HTTPError as err:
        run.note(route, f"no answer ({type(err).__name__})", time.perf_counter() - t)
        return None
    run.note(route, outcome(response), time.perf_counter() - t)
    return response


def wait_for(response: httpx.Response | None) -> float:
    if response is not None and (after := response.headers.get("retry-after", "")).isdigit():
        return min(float(after), RETRY_CAP)
    return 0.5


async def learner(client: httpx.AsyncClient, run: Run, who: str, token: str, think: float) -> None:
    auth = {"authorization": f"Bearer {token}"}
    pace = random.Random(who)
    await asyncio.sleep(think * pace.random())  # learners sit down one after another
    while run.ended is None:
        r = await timed(client, run, "study: next card", "GET", "/api/study/queue", params={"limit": 1}, headers=auth)
        if r is None or r.status_code != 200:
            await asyncio.sleep(wait_for(r))
            continue
        cards = r.json()["cards"]
        if not cards:
            await asyncio.sleep(think)
            continue
        await asyncio.sleep(think * pace.uniform(0.5, 1.5))
        key = secrets.token_hex(8)
        run.sent[(who, key)] = cards[0]["id"]
        body = {"card_id": cards[0]["id"], "rating": pace.choice((1, 3, 3, 3, 4)), "key": key}
        while True:  # the same key until it is acknowledged, even past the end of the run
            r = await timed(client, run, "study: answer", "POST", "/api/study/reviews", json=body, headers=auth)
            if r is not None and r.status_code in (200, 201):
                run.acknowledged[(who, key)] = (r.status_code, r.json()["review_id"])
                break
            if r is not None and r.status_code < 500:
                run.refused[r.status_code] += 1
                break
            if run.ended is not None and time.monotonic() > run.ended + 60:
                break
            await asyncio.sleep(wait_for(r))


async def reader(client: httpx.AsyncClient, run: Run, n: int, entries: list[dict], pause: float) -> None:
    pick = random.Random(n)
    words = [w for e in entries for w in re.findall(r"[a-z]{4,}", e["title"].lower())]
    while run.ended is None:
        entry = pick.choice(entries)
        route = pick.choice(READ_ROUTES)
        if route == "search":
            await timed(client, run, route, "GET", "/api/search", params={"q": " ".join(pick.sample(words, 2))})
        elif route == "suggest":
            await timed(client, run, route, "GET", "/api/suggest", params={"q": pick.choice(words)[:3]})
        elif route == "entry page":
            await timed(client, run, route, "GET", f"/entries/{entry['slug']}", headers={"accept": "text/html"})
        elif route == "entry JSON":
            await timed(client, run, route, "GET", f"/api/entries/{entry['slug']}")
        else:
            await timed(client, run, route, "GET", "/api/entries", params={"page": pick.randint(1, 7)})
        await asyncio.sleep(pause)


# -- the faults ------------------------------------------------------------------------------------
async def kill_and_restart(cluster: Cluster, run: Run, down: float) -> None:
    last = len(cluster.nodes) - 1
    run.event(f"kill -9 node{last + 1}")
    cluster.kill_node(last)
    await asyncio.sleep(down)
    run.event(f"node{last + 1} started again")
    cluster.start_node(last)
    waited = await asyncio.to_thread(cluster.wait_ready, last)
    await asyncio.to_thread(cluster.wait_balanced)
    run.event(f"node{last + 1} ready after {waited:.1f} s, and back in the balancer")


async def restart_postgres(client: httpx.AsyncClient, run: Run, command: str, token: str) -> None:
    run.event(f"restarting PostgreSQL: {command}")
    t = time.monotonic()
    done = await asyncio.to_thread(subprocess.run, shlex.split(command), capture_output=True, text=True)
    if done.returncode != 0:
        run.event(f"the restart failed ({done.returncode}): {done.stderr.strip()}")
        return
    run.event(f"PostgreSQL restarted in {time.monotonic() - t:.1f} s")
    auth = {"authorization": f"Bearer {token}"}
    while True:  # the nodes reconnect by themselves: the first study request that works
        try:
            if (await client.get("/api/study/queue", params={"limit": 1}, headers=auth)).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.05)
    run.event(f"study answers again {time.monotonic() - t:.1f} s after the restart began")


async def edit_content(cluster: Cluster, run: Run, content: Path, slug: str) -> dict[str, float]:
    """Append a sentence with a new word to an entry; how long until each node serves it and
    finds it by search."""
    word = "zq" + secrets.token_hex(4)
    path = next(p for p in content.rglob(f"{slug}.md"))
    run.event(f"editing {path.relative_to(content)} (adding the word {word})")
    t = time.monotonic()
    path.write_text(path.read_text() + f"\nAn edit during the faults run: {word}.\n")
    seen: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=10) as client:

        async def watch(node_url: str, name: str) -> None:
            served = found = None
            while served is None or found is None:
                if time.monotonic() - t > 30:
                    return
                try:
                    if served is None and word in (await client.get(f"{node_url}/api/entries/{slug}")).text:
                        served = time.monotonic() - t
                    if found is None:
                        hits = (await client.get(f"{node_url}/api/search", params={"q": word})).json()["results"]
                        if any(h["slug"] == slug for h in hits):
                            found = time.monotonic() - t
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.02)
            seen[f"{name} serves it"], seen[f"{name} finds it"] = served, found

        await asyncio.gather(*(watch(n.url, f"node{n.index + 1}") for n in cluster.nodes))
    slowest = max(seen.values()) if len(seen) == 2 * len(cluster.nodes) else float("inf")
    run.event(f"every node serves and finds the edit after {slowest:.2f} s")
    return seen


async def conductor(cluster: Cluster, run: Run, client: httpx.AsyncClient, args, content: Path, slug: str, token: str):
    """The phases, one after another; each lasts at least its share of --seconds."""
    s = args.seconds
    plan = [("steady", 0.15), ("kill -9 a node", 0.3), ("PostgreSQL restart", 0.2), ("content edit", 0.15)]
    edit: dict[str, float] = {}
    for name, share in plan:
        run.phase, began = name, time.monotonic()
        run.event(f"phase: {name}")
        if name == "kill -9 a node":
            await kill_and_restart(cluster, run, down=min(5.0, s * 0.05))
        elif name == "PostgreSQL restart" and args.restart_postgres:
            await asyncio.sleep(1)
            await restart_postgres(client, run, args.restart_postgres, token)
        elif name == "content edit":
            await asyncio.sleep(1)
            edit = await edit_content(cluster, run, content, slug)
        await asyncio.sleep(max(0.0, began + s * share - time.monotonic()))
    run.phase = "after"
    run.event("phase: after")
    return edit


# -- setting up and checking -----------------------------------------------------------------------
def add_learners(url: str, n: int) -> list[tuple[str, str]]:
    """n learners with an API token each (the nodes have migrated the store): (id, token)."""
    engine, now, made = create_engine(url), datetime.now(UTC), []
    with engine.begin() as conn:
        for i in range(n):
            lid, token = secrets.token_hex(16), "glossa_" + secrets.token_urlsafe(32)
            conn.execute(
                insert(Learner),
                [{"id": lid, "username": f"learner{i}", "username_key": f"learner{i}", "password_hash": None,
                  "guest": False, "created": now}],
            )  # fmt: skip
            conn.execute(
                insert(ApiToken),
                [{"id": secrets.token_hex(8), "learner_id": lid, "name": "faults", "token_hash": digest(token),
                  "created": now, "last_used": None}],
            )  # fmt: skip
            made.append((lid, token))
    engine.dispose()
    return made


def check_store(url: str, run: Run) -> dict[str, int]:
    """What the database holds against what the clients were told."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT learner_id, client_key, id FROM review WHERE client_key IS NOT NULL")).all()
    engine.dispose()
    stored: dict[tuple[str, str], list[str]] = defaultdict(list)
    for learner_id, key, review_id in rows:
        stored[(learner_id, key)].append(review_id)
    acked = run.acknowledged
    return {
        "answers sent (distinct keys)": len(run.sent),
        "acknowledged 201": sum(1 for status, _ in acked.values() if status == 201),
        "acknowledged 200 (a retry, answered with the stored review)": sum(1 for s, _ in acked.values() if s == 200),
        "acknowledged and missing from the database": sum(1 for k in acked if not stored.get(k)),
        "acknowledged with another review id than stored": sum(
            1 for k, (_, review_id) in acked.items() if review_id not in stored.get(k, [review_id])
        ),
        "counted twice (a key stored more than once)": sum(1 for ids in stored.values() if len(ids) > 1),
        "stored but never sent": sum(1 for k in stored if k not in run.sent),
        "never acknowledged (gave up)": len(run.sent) - len(acked),
        "never acknowledged, yet stored": sum(1 for k in run.sent if k not in acked and k in stored),
    }  # fmt: skip


def crashes(cluster: Cluster) -> int:
    return sum(
        (n.folder / "serve.log").read_text(errors="replace").count("Traceback")
        for n in cluster.nodes
        if (n.folder / "serve.log").exists()
    )


def report(run: Run, figures: dict[str, int], edit: dict[str, float], crashed: int, seconds: float) -> int:
    phases = list(dict.fromkeys(phase for phase, _ in run.samples))
    routes = [*READ_ROUTES, "study: next card", "study: answer"]
    print(f"\n## Faults under load ({seconds:.0f} s)\n")
    for line in run.events:
        print(f"    {line}")
    print("\n| phase | route | requests | p50 | p99 | answers |")
    print("|---|---|---|---|---|---|")
    for phase in phases:
        for route in routes:
            lat = run.samples.get((phase, route))
            if lat:
                answers = ", ".join(f"{s} ×{n}" for s, n in run.statuses[(phase, route)].most_common())
                print(
                    f"| {phase} | {route} | {len(lat)} | {pct(lat, 0.5):.0f} ms | {pct(lat, 0.99):.0f} ms | {answers} |"
                )
    read_errors = sum(
        n for (_, route), c in run.statuses.items() if route in READ_ROUTES
        for status, n in c.items() if not status[0].isdigit() or int(status[:3]) >= 500
    )  # fmt: skip
    study_500 = sum(c.get("500", 0) for (_, route), c in run.statuses.items() if route.startswith("study"))
    study_503 = sum(c.get("503+Retry-After", 0) for (_, route), c in run.statuses.items() if route.startswith("study"))
    print()
    for name, value in figures.items():
        print(f"- {name}: {value}")
    if run.refused:
        print(f"- answers refused (4xx): {dict(run.refused)}")
    print(f"- server errors or no answer on reading: {read_errors}")
    print(f"- study answered 500: {study_500}; 503 with Retry-After: {study_503}")
    print(f"- tracebacks in the nodes' logs: {crashed}")
    slowest = max(edit.values()) if edit else float("inf")
    print(f"- the edit served and searchable on every node after {slowest:.2f} s (target {EDIT_TARGET:.0f} s)")
    for name, after in sorted(edit.items(), key=lambda kv: kv[1]):
        print(f"    {name}: {after:.2f} s")
    failed = [
        what
        for what, bad in (
            ("acknowledged reviews missing", figures["acknowledged and missing from the database"]),
            ("reviews counted twice", figures["counted twice (a key stored more than once)"]),
            ("server errors on reading", read_errors),
            ("study answered 500", study_500),
            ("edit slower than the target", slowest > EDIT_TARGET),
        )
        if bad
    ]
    print(f"\n{'FAILED: ' + ', '.join(failed) if failed else 'every check passed'}")
    return 1 if failed else 0


async def load(cluster: Cluster, run: Run, args, content: Path, people: list[tuple[str, str]], entries: list[dict]):
    limits = httpx.Limits(max_connections=args.learners + args.readers + 8)
    async with httpx.AsyncClient(base_url=cluster.url, timeout=30, limits=limits) as client:
        run.started = time.monotonic()
        workers = [asyncio.create_task(learner(client, run, lid, token, args.think)) for lid, token in people]
        workers += [asyncio.create_task(reader(client, run, n, entries, args.pause)) for n in range(args.readers)]
        edit = await conductor(cluster, run, client, args, content, entries[0]["slug"], people[0][1])
        await asyncio.sleep(max(0.0, run.started + args.seconds - time.monotonic()))
        run.ended = time.monotonic()
        run.event("end: no new cards or reads; learners finish the answer in hand")
        await asyncio.gather(*workers)
        return edit, run.ended - run.started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--learners", type=int, default=64)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--think", type=float, default=1.5, help="seconds a learner looks at a card, on average")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds a reader waits between requests")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL server to make the state database on (an admin URL)")  # fmt: skip
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="shared rate limits")
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (the nodes' logs) and database")
    parser.add_argument("--restart-postgres", default="pg_ctlcluster 15 main restart",
                        help="the command that restarts the PostgreSQL server ('' to skip that fault)")  # fmt: skip
    args = parser.parse_args()
    if shutil.which("haproxy") is None:
        print("haproxy is not installed (apt-get install haproxy)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="glossa-faults-"))
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    state_url = create_database(args.postgres, prefix="glossa_faults")
    cluster = Cluster(content, work, state_url, nodes=args.nodes, redis_url=None if args.no_redis else args.redis)
    try:
        try:
            t = time.monotonic()
            cluster.start()
            print(f"{args.nodes} nodes and HAProxy up in {time.monotonic() - t:.1f} s ({work})", file=sys.stderr)
            people = add_learners(state_url, args.learners)
            entries = httpx.get(cluster.url + "/api/entries", params={"per_page": 500}, timeout=30).json()["items"]
            run = Run()
            edit, seconds = asyncio.run(load(cluster, run, args, content, people, entries))
            figures = check_store(state_url, run)
            crashed = crashes(cluster)
        finally:
            cluster.stop()
        code = report(run, figures, edit, crashed, seconds)
    finally:
        if args.keep:
            print(f"kept: {work} and the database {make_url(state_url).database}", file=sys.stderr)
        else:
            drop_database(args.postgres, state_url)
            shutil.rmtree(work, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
