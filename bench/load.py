"""Bounded HTTP load on 127.0.0.1: throughput, p50/p99 latency and errors per route.

usage: python bench/load.py [--seconds 30] [--connections 64] [--workers 1] [--edit] [--python]
Serves a copy of the shipped glossary (content/ is never touched) with `glossa serve --watch`,
then drives entry pages, search and suggest for a fixed time: with wrk (Debian's package) when
it is installed, one route after another, else with a Python client (which needs much of the
CPU itself). With --edit, files are edited, added and removed during the load, and the time
until each change is visible is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.server import free_port, serve_command, wait_until_up

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] * 1000 if ordered else 0.0


def wrk_run(base: str, paths: list[str], seconds: float, connections: int, work: Path) -> dict:
    """One wrk run over paths; returns requests, p50/p99 in ms and the error count."""
    listing = work / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "--latency",
            "-s",
            str(ROOT / "bench/wrk_paths.lua"),
            base,
        ],
        env={**os.environ, "WRK_PATHS": str(listing)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": requests,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
    }


def workload(content: Path) -> list[tuple[str, str]]:
    slugs = [p.stem for p in content.rglob("*.md")]
    with (ROOT / "tests/relevance/queries.tsv").open() as f:
        queries = [r[0] for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    rng = random.Random(5)
    jobs = []
    for i in range(5000):
        kind = i % 3
        if kind == 0:
            jobs.append(("page", f"/entries/{rng.choice(slugs)}"))
        elif kind == 1:
            jobs.append(("search", "/api/search?q=" + quote(rng.choice(queries))))
        else:
            q = rng.choice(queries)
            jobs.append(("suggest", "/api/suggest?q=" + quote(q[: rng.randint(2, max(2, len(q)))])))
    return jobs


async def drive(base: str, jobs, seconds: float, connections: int, stats: dict) -> None:
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker(n: int) -> None:
            i = n
            while time.monotonic() < deadline:
                kind, url = jobs[i % len(jobs)]
                i += connections
                started = time.perf_counter()
                try:
                    r = await client.get(url)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                stats.setdefault(kind, {"lat": [], "errors": 0})
                stats[kind]["lat"].append(time.perf_counter() - started)
                stats[kind]["errors"] += 0 if ok else 1

        await asyncio.gather(*(worker(n) for n in range(connections)))


async def edits(base: str, content: Path, seconds: float, lags: list[float]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        end = time.monotonic() + seconds - 3
        n = 0
        while time.monotonic() < end:
            path = content / "fundamentals" / f"load-edit-{n}.md"
            word = f"quuxload{n}"
            path.write_text(f"---\ntitle: Load edit {n}\n---\nThe word {word} is unique.\n")
            started = time.monotonic()
            while (await client.get("/api/search", params={"q": word})).json()["total"] != 1:
                await asyncio.sleep(0.02)
            lags.append(time.monotonic() - started)
            path.unlink()
            started = time.monotonic()
            while (await client.get(f"/api/entries/load-edit-{n}")).status_code != 404:
                await asyncio.sleep(0.02)
            lags.append(time.monotonic() - started)
            n += 1
            await asyncio.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--edit", action="store_true")
    parser.add_argument("--python", action="store_true", help="use the Python client even if wrk is here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="glossa-load-"))
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    port = free_port()
    server = subprocess.Popen(
        serve_command(content, work, port, "--workers", str(args.workers), "--watch"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # a line a request: a pipe nobody reads would fill and stop it
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        jobs = workload(content)
        asyncio.run(drive(base, jobs, 3, 8, {}))  # warm up
        stats: dict = {}
        lags: list[float] = []
        use_wrk = bool(shutil.which("wrk")) and not args.python

        async def load() -> None:
            if not use_wrk:
                await drive(base, jobs, args.seconds, args.connections, stats)
                return
            for kind in ("page", "search", "suggest"):
                paths = [url for k, url in jobs if k == kind]
                stats[kind] = await asyncio.to_thread(wrk_run, base, paths, args.seconds / 3, args.connections, work)

        async def run() -> None:
            await asyncio.gather(load(), *([edits(base, content, args.seconds, lags)] if args.edit else []))

        asyncio.run(run())
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)

    if use_wrk:
        rows = {k: (v["requests"], args.seconds / 3, v["p50"], v["p99"], v["errors"]) for k, v in stats.items()}
        client = "wrk, each route for a third of the time"
    else:
        rows = {
            k: (len(v["lat"]), args.seconds, pct(v["lat"], 0.5), pct(v["lat"], 0.99), v["errors"])
            for k, v in stats.items()
        }
        client = "Python client, routes mixed"
    print(
        f"# Load: {args.connections} connections, {args.seconds:.0f} s, {args.workers} worker(s), "
        f"shipped glossary, {client}{', with edits' if args.edit else ''}"
    )
    print("| route | requests | req/s | p50 | p99 | errors |")
    print("|---|---|---|---|---|---|")
    for kind in ("page", "search", "suggest"):
        n, secs, p50, p99, errs = rows.get(kind, (0, 1, 0, 0, 0))
        print(f"| {kind} | {n} | {n / secs:.0f} | {p50:.1f} ms | {p99:.1f} ms | {errs} |")
    print(f"| all | {sum(r[0] for r in rows.values())} | | | | {sum(r[4] for r in rows.values())} |")
    if lags:
        print(
            f"\nchanges visible after: median {statistics.median(lags) * 1000:.0f} ms, "
            f"max {max(lags) * 1000:.0f} ms over {len(lags)} edits and removals"
        )


if __name__ == "__main__":
    main()
