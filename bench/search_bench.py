"""Search benchmark: Glossa (Whoosh) against SQLite FTS5 on the same synthetic corpus.

usage: python bench/search_bench.py [--sizes 1000 10000] [--large] [--queries 300] [--no-http]
                                   [--no-posting-cache]
Prints build time, one-file update time, index size, search, long-question and suggest
latency (median and p95, warm, top 10 with snippets) and HTTP latency through uvicorn, with
ratios to FTS5 measured in the same run. Figures, not assertions: this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.site import open_site  # noqa: E402
from tests.support.corpus import generate, queries  # noqa: E402
from tests.support.fts_baseline import FtsBaseline  # noqa: E402
from tests.support.server import free_port, serve_command, wait_until_up  # noqa: E402


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t)
    return out


QUESTION_FORMS = [
    "why does the {} {} keep {} when the {} {}",
    "how can I {} the {} {} without {} {} {}",
    "I want to {} {} {} so that the {} {} stays {}",
    "what is the {} that {} {} {} in a {}",
    "which {} should I use to {} {} {} for {} {}",
]


def questions(entries: list[dict], count: int, seed: int = 13) -> list[str]:
    """Long questions about one entry each, in its body's words with a learner's framing:
    10 to 13 words, 5 or 6 of them from the entry."""
    rng = random.Random(seed)
    out = []
    for k in range(count):
        e = rng.choice(entries)
        form = QUESTION_FORMS[k % len(QUESTION_FORMS)]
        words = rng.sample(e["body"].split(), form.count("{}"))
        out.append(form.format(*words))
    return out


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- HTTP -------------------------------------------------------------------------------
def http_latency(content: Path, data: Path, qs: list[str], warm: list[str]) -> dict[str, tuple[float, float]]:
    import httpx

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        serve_command(content, data.parent, port),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, 300)
        with httpx.Client(base_url=base, timeout=30) as client:
            for q in warm:  # warm up with other queries: results are cached
                client.get("/api/search", params={"q": q})
            search = timed(lambda q: client.get("/api/search", params={"q": q}).raise_for_status(), qs)
            prefixes = [q.split()[0][:4] for q in qs]
            suggest = timed(lambda q: client.get("/api/suggest", params={"q": q}).raise_for_status(), prefixes)
        return {"search": percentiles(search), "suggest": percentiles(suggest)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# -- one size ---------------------------------------------------------------------------
def run(n: int, n_queries: int, http: bool) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"glossa-bench-{n}-"))
    try:
        content = work / "content"
        entries = generate(content, n)
        # Distinct queries, warmed with others: Glossa caches results per index generation,
        # and a figure from the cache would not say what a new query costs.
        qs = list(dict.fromkeys(queries(entries, n_queries)))
        warm = [w for w in queries(entries, 40, seed=99) if w not in set(qs)][:20]
        settings = Settings(content_dir=content, data_dir=work / "data", state_dir=work / "state")
        site = open_site(settings, serve=False)
        index = site.index

        t = time.perf_counter()
        site.update()
        glossa_build = time.perf_counter() - t
        t = time.perf_counter()
        site.warm()  # as a server does once it has built
        warm_s = time.perf_counter() - t
        arrays_mb = index.arrays_size() / 1e6

        t = time.perf_counter()
        fts = FtsBaseline(((e["slug"], e["title"], e["alias"], e["body"]) for e in entries), str(work / "fts.db"))
        fts_build_s = time.perf_counter() - t

        # One edited file, until it is searchable.
        target = entries[n // 2]["path"]
        target.write_text(target.read_text() + "\nZyzzogeton appears here.\n")
        t = time.perf_counter()
        site.update()
        found = index.search("zyzzogeton").total
        update_s = time.perf_counter() - t
        assert found == 1, "edited file not searchable"

        for q in warm:  # warm both
            index.search(q)
            fts.search(q)
        g_search = percentiles(timed(lambda q: index.search(q, limit=10), qs))
        f_search = percentiles(timed(lambda q: fts.search(q), qs))
        # Questions rarely have all their words in one entry: FTS5 answers them with any word.
        long_qs = list(dict.fromkeys(questions(entries, n_queries // 3)))
        g_question = percentiles(timed(lambda q: index.search(q, limit=10), long_qs))
        f_question = percentiles(timed(lambda q: fts.search_any(q), long_qs))
        prefixes = [q.split()[0][:4] for q in qs]
        index.suggest("warm")
        g_suggest = percentiles(timed(lambda q: index.suggest(q, 8), prefixes))
        f_suggest = percentiles(timed(lambda q: fts.suggest(q), prefixes))
        result = {
            "n": n,
            "glossa_build": glossa_build,
            "fts_build": fts_build_s,
            "update": update_s,
            "warm": warm_s,
            "arrays_mb": arrays_mb,
            "index_mb": folder_size(settings.index_dir) / 1e6,
            "db_mb": (settings.data_dir / "content.db").stat().st_size / 1e6,
            "fts_mb": (work / "fts.db").stat().st_size / 1e6,
            "g_search": g_search,
            "f_search": f_search,
            "g_question": g_question,
            "f_question": f_question,
            "g_suggest": g_suggest,
            "f_suggest": f_suggest,
        }
        site.close()
        fts.close()
        if http:
            result["http"] = http_latency(content, settings.data_dir, qs[:200], warm)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- the shipped glossary, with the relevance sets' own queries ---------------------------------
def shipped() -> dict[str, tuple[float, float]]:
    """Learners' name queries (tests/relevance/queries.tsv) and their questions
    (questions.tsv), each asked once, on the shipped glossary as a server holds it."""
    from tests.relevance.test_relevance import QUERIES, QUESTIONS, load

    work = Path(tempfile.mkdtemp(prefix="glossa-bench-shipped-"))
    try:
        settings = Settings(content_dir=ROOT / "content", data_dir=work / "data", state_dir=work / "state")
        site = open_site(settings, serve=False)
        site.update()
        site.warm()
        names = list(dict.fromkeys(text for text, _, _ in load(QUERIES)))
        asked = [text for text in dict.fromkeys(text for text, _, _ in load(QUESTIONS)) if text not in set(names)]
        found = {
            "names": percentiles(timed(lambda q: site.index.search(q, limit=10), names)),
            "questions": percentiles(timed(lambda q: site.index.search(q, limit=10), asked)),
        }
        site.close()
        return found
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report_shipped(r: dict[str, tuple[float, float]]) -> None:
    (nm, np95), (qm, qp95) = r["names"], r["questions"]
    print("\n## The shipped glossary, the relevance sets' queries (each once)")
    print("| queries | median | p95 |")
    print("|---|---|---|")
    print(f"| names (queries.tsv) | {nm:.2f} ms | {np95:.2f} ms |")
    print(f"| questions (questions.tsv) | {qm:.2f} ms | {qp95:.2f} ms |")
    print(f"| questions / names | {qm / nm:.2f}× | {qp95 / np95:.2f}× |")


def report(r: dict) -> None:
    n = r["n"]
    print(f"\n## {n:,} entries")
    print("| measure | Glossa | SQLite FTS5 | ratio |")
    print("|---|---|---|---|")
    build, fts_build = r["glossa_build"], r["fts_build"]
    print(f"| full build | {build:.2f} s | {fts_build:.2f} s | {build / fts_build:.0f}× |")
    print(f"| search tables filled after a build (server) | {r['warm']:.2f} s | | |")
    print(f"| one edited file searchable | {r['update'] * 1000:.0f} ms | | |")
    print(f"| index size | {r['index_mb']:.1f} MB (+ {r['db_mb']:.1f} MB store) | {r['fts_mb']:.1f} MB | |")
    print(f"| posting arrays in memory | {r['arrays_mb']:.1f} MB | | |")
    for label, g, f in (
        ("search median", r["g_search"][0], r["f_search"][0]),
        ("search p95", r["g_search"][1], r["f_search"][1]),
        ("long question median", r["g_question"][0], r["f_question"][0]),
        ("long question p95", r["g_question"][1], r["f_question"][1]),
        ("suggest median", r["g_suggest"][0], r["f_suggest"][0]),
        ("suggest p95", r["g_suggest"][1], r["f_suggest"][1]),
    ):
        print(f"| {label} | {g:.2f} ms | {f:.2f} ms | {g / f:.1f}× |")
    print(
        f"| long question / search, Glossa | {r['g_question'][0] / r['g_search'][0]:.1f}× median, "
        f"{r['g_question'][1] / r['g_search'][1]:.1f}× p95 | | |"
    )
    if "http" in r:
        h = r["http"]
        print(f"| HTTP /api/search median / p95 | {h['search'][0]:.1f} / {h['search'][1]:.1f} ms | | |")
        print(f"| HTTP /api/suggest median / p95 | {h['suggest'][0]:.1f} / {h['suggest'][1]:.1f} ms | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--large", action="store_true", help="also 50,000 entries")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument(
        "--no-posting-cache", action="store_true", help="decode every posting list afresh (in-process figures only)"
    )
    args = parser.parse_args()
    if args.no_posting_cache:
        import app.search.scoring

        app.search.scoring.DECODED_POSTINGS = 0
    sizes = args.sizes + ([50000] if args.large else [])
    print(f"# Glossa search benchmark ({args.queries} queries, warm, top 10 with snippets)")
    report_shipped(shipped())
    for n in sizes:
        report(run(n, args.queries, not args.no_http))


if __name__ == "__main__":
    main()
