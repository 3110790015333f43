"""Progress at scale: the population of bench/study_bench.py (1,000 learners, a schedule for every
card and a year of reviews each), measured over HTTP one request at a time.

usage: python bench/progress_bench.py [--learners 1000] [--cards 2000] [--reviews-each 2000]
                                      [--sample 200] [--postgres URL] [--keep DIR]
For --sample learners one after another: reading an entry (the baseline, the same server in the
same run), /api/study/progress, the /progress page, an entry page showing the learner's standing,
/api/study/mastery (the graph's colours) and making a 10-question quiz, with part 1's queue for scale. Prints p50, p95
and p95 against the baseline.
--keep DIR keeps the population there, and a later run with the same DIR measures it again
without writing it anew (which takes minutes). Figures, not assertions: this machine is shared
and noisy.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.config import sqlite_url
from bench.study_bench import ROOT, pct, populate
from tests.support.corpus import generate
from tests.support.server import free_port, serve_command, wait_until_up

KINDS = (
    "entry (baseline)",
    "study queue (part 1, for scale)",
    "progress JSON",
    "progress page",
    "entry page with standing",
    "mastery map",
    "new quiz, 10 questions",
)


def measure(base: str, tokens: list[str], slugs: list[str]) -> dict[str, tuple[float, float]]:
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with httpx.Client(base_url=base, timeout=30) as client:
        for i, token in enumerate(tokens):
            auth = {"authorization": f"Bearer {token}"}
            slug = slugs[i % len(slugs)]
            asks = (
                ("entry (baseline)", f"/api/entries/{slug}", {}),
                ("study queue (part 1, for scale)", "/api/study/queue?limit=20", auth),
                ("progress JSON", "/api/study/progress", auth),
                ("progress page", "/progress", auth),
                ("entry page with standing", f"/entries/{slug}", auth),
                ("mastery map", "/api/study/mastery", auth),
            )
            for kind, path, headers in asks:
                t = time.perf_counter()
                r = client.get(path, headers=headers).raise_for_status()
                times[kind].append(time.perf_counter() - t)
                if kind == "progress page":
                    assert "chart-heatmap" in r.text, "the page showed no charts: not signed in?"
                if kind == "entry page with standing":
                    assert "entry-standing" in r.text, "the entry page showed no standing"
            direction = ("definition", "name")[i % 2]
            t = time.perf_counter()
            r = client.post("/api/quiz", json={"scope": "all", "n": 10, "direction": direction}, headers=auth)
            times["new quiz, 10 questions"].append(time.perf_counter() - t)
            assert r.status_code == 201 and len(r.json()["questions"]) == 10, r.text
    return {kind: (pct(v, 0.5), pct(v, 0.95)) for kind, v in times.items()}


def serve(content: Path, work: Path, port: int, state_url: str) -> subprocess.Popen[bytes]:
    """study_bench's server, with its log kept: a server that does not come up says why."""
    log = open(work / "server.log", "wb")  # noqa: SIM115 - the server writes it until it ends
    return subprocess.Popen(
        serve_command(content, work, port, "--workers", "2"),
        cwd=ROOT,
        env={**os.environ, "GLOSSA_STATE_DATABASE_URL": state_url},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def up(base: str, server: subprocess.Popen[bytes], work: Path) -> None:
    """Wait for the server (it builds the glossary first); one that ended says why and stops the run."""
    deadline = time.monotonic() + 900
    while server.poll() is None and time.monotonic() < deadline:
        try:
            wait_until_up(base, 5)
            return
        except TimeoutError:
            continue
    sys.exit(f"the server did not come up; its log ends:\n{(work / 'server.log').read_text()[-3000:]}")


def population(args: argparse.Namespace, work: Path, rng: random.Random) -> tuple[Path, list[str], str, list[str]]:
    """(content folder, entry slugs, state URL, learners' API tokens), written or found in work."""
    content = work / "content"
    state_url = args.postgres or sqlite_url(work / "state" / "state.db")
    slugs = [e["slug"] for e in generate(content, args.cards // 2)]  # the same corpus every time
    kept = work / "tokens.txt"
    if kept.exists():
        print("population: kept from an earlier run")
        return content, slugs, state_url, kept.read_text().split()
    t = time.perf_counter()
    tokens = populate(state_url, slugs, args.learners, args.reviews_each, rng)
    kept.write_text("\n".join(tokens))
    print(f"population written in {time.perf_counter() - t:.0f} s")
    return content, slugs, state_url, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--cards", type=int, default=2000, help="cards per learner (two per entry)")
    parser.add_argument("--reviews-each", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=200, help="learners measured, one after another")
    parser.add_argument("--postgres", help="a PostgreSQL URL for the state store (an empty database)")
    parser.add_argument("--keep", type=Path, help="a folder to keep the population in, or to find it in")
    args = parser.parse_args()
    rng = random.Random(7)
    work = args.keep or Path(tempfile.mkdtemp(prefix="glossa-progress-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(
            f"# Progress benchmark: {args.learners} learners x {args.cards} cards, "
            f"{args.learners * args.reviews_each:,} reviews, state on {(args.postgres or 'sqlite').split(':')[0]}"
        )
        content, slugs, state_url, tokens = population(args, work, rng)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(content, work, port, state_url)
        try:
            up(base, server, work)
            sample = rng.sample(tokens, min(args.sample, len(tokens)))
            measure(base, sample[:10], slugs)  # warm: imports, decks, caches of the content store
            figures = measure(base, sample, slugs)
            print(f"\n| one request at a time ({len(sample)} learners) | p50 | p95 | p95 / baseline |")
            print("|---|---|---|---|")
            baseline = figures["entry (baseline)"][1]
            for name, (p50, p95) in figures.items():
                print(f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {p95 / baseline:.1f}x |")
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
