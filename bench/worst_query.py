"""The worst searches we can construct, and whether they hold up anyone else.

usage: python bench/worst_query.py [--rounds 20]
Serves a copy of the shipped glossary with `glossa serve` (one worker), then, for each hostile
query (a 500-letter word, 2,000 characters of misspelt words, dozens of prefixes, dozens of
quoted phrases, digits, non-Latin letters), prints its own latency and the latency of an entry
page fetched while that query runs over and over on another connection, each as a ratio to
the same figures for a plain two-word query measured in the same run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.server import free_port, serve_command, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
QUERIES = {
    "plain (baseline)": "gradient descent",
    "one 500-letter word": "a" * 500,
    "500 letters, no spaces": ("gradientdescentlearningrate" * 20)[:500],
    "2,000 chars of misspelt words": " ".join(["precison recal overfiting"] * 80)[:2000],
    "50 prefixes": " ".join(f"{c}{v}*" for c in "bcdfghjklm" for v in "aeiou"),
    "50 quoted phrases": " ".join(f'"{w} rate"' for w in ["loss", "gradient", "model", "data", "layer"] * 10),
    "digits": "1234567890" * 50,
    "non-Latin letters": "ñ語" * 250,
}


def timed(client: httpx.Client, path: str, params: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    r = client.get(path, params=params)
    assert r.status_code < 500, (path, params, r.status_code)
    return time.perf_counter() - start


def measure(base: str, query: str, rounds: int) -> tuple[float, float]:
    """Median of the query's own latency, and median of an entry page's while it runs."""
    own: list[float] = []
    entry: list[float] = []
    done = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            n = 0
            while not done.is_set():
                # A new variant each time: answers from the result cache would measure nothing.
                own.append(timed(c, "/api/search", {"q": f"{query} {'x' * (n % 7)}", "limit": "10"}))
                n += 1

    worker = threading.Thread(target=hammer)
    worker.start()
    with httpx.Client(base_url=base, timeout=60) as c:
        for n in range(rounds):
            entry.append(timed(c, "/entries/gradient-descent", {"r": str(n)}))
            time.sleep(0.02)
    done.set()
    worker.join()
    return statistics.median(own) * 1000, statistics.median(entry) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="glossa-worst-"))
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    port = free_port()
    server = subprocess.Popen(serve_command(content, work, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        print(f"# Worst queries on the shipped glossary, one worker, {args.rounds} entry pages per query\n")
        print("| query | its median | / baseline | entry page meanwhile | / baseline |")
        print("|---|---|---|---|---|")
        baseline = None
        for name, query in QUERIES.items():
            own, entry = measure(base, query, args.rounds)
            baseline = baseline or (own, entry)
            print(f"| {name} | {own:.1f} ms | {own / baseline[0]:.1f}× | {entry:.1f} ms | {entry / baseline[1]:.1f}× |")
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
