"""Build benchmark: how long an edit takes to become searchable, and a start with nothing changed.

usage: python bench/build_bench.py [--sizes 10000 50000] [--keep DIR] [--rounds 5] [--starts 3]

For each size it makes a synthetic glossary (tests/support/corpus.py) and builds it in full,
or with --keep reuses the glossary and data kept in DIR from an earlier run (a 50,000-entry
build takes minutes). Then, on a server's footing (built, search tables warm):

- edits, each until the change is searchable (update + the first search that shows it):
  a body edit, a title edit, a deleted file and a new file (each undone by its twin, so the
  glossary ends as it began), given the paths that changed as the watcher gives them, and
  the same edits found by a rescan of the whole folder (the path every edit took before);
  between edits the index is tidied (small segments merged), untimed, as the watcher does
  when edits pause;
- body edits through a real watcher, a few seconds apart (file written -> search shows it,
  debounce included);
- a start with nothing changed, in a new process: open the stores, catch up with the
  content folder, fill the search tables.

Figures, not assertions: this machine is shared and noisy. The same script measures older
code (it falls back to a rescan where `Site.update` takes no changed paths).
"""

from __future__ import annotations

import argparse
import inspect
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.site import Site, open_site  # noqa: E402
from tests.support.corpus import generate  # noqa: E402

KINDS = ("body edit", "title edit", "deleted file", "new file")


def settings_for(work: Path) -> Settings:
    return Settings(content_dir=work / "content", data_dir=work / "data", state_dir=work / "state")


def prepare(n: int, keep: Path | None) -> tuple[Path, dict]:
    """A folder with content/ (n entries) and data/ built from it; what it took."""
    work = keep / f"n{n}" if keep else Path(tempfile.mkdtemp(prefix=f"glossa-build-{n}-"))
    content, listing = work / "content", work / "entries.json"
    facts: dict = {}
    if not listing.exists():
        if not content.exists():
            t = time.perf_counter()
            generate(content, n)
            facts["generate_s"] = time.perf_counter() - t
        listing.write_text(json.dumps(sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))))
    site = open_site(settings_for(work), serve=False)
    t = time.perf_counter()
    report = site.update()  # in full the first time (or for another version's store); else a catch-up
    facts["first_build"] = {"seconds": time.perf_counter() - t, "full": report.full, "summary": report.summary()}
    site.close()
    return work, facts


# -- edits ---------------------------------------------------------------------------------
def searchable(site: Site, word: str, hits: int) -> bool:
    return site.index.search(word).total == hits


def found(site: Site, word: str, slug: str, present: bool) -> bool:
    """Whether searching word lists slug (a short alias may also find other entries)."""
    return any(h.slug == slug for h in site.index.search(word, limit=50).hits) == present


class EditRun:
    """Edits on a built glossary, each timed until search shows it."""

    def __init__(self, site: Site, work: Path, targeted: bool):
        self.site = site
        self.content = work / "content"
        self.targeted = targeted
        self.samples: dict[str, list[float]] = {k: [] for k in KINDS}
        self.update_s: dict[str, list[float]] = {k: [] for k in KINDS}
        self.rendered: dict[str, list[int]] = {k: [] for k in KINDS}

    def update(self, paths: list[Path]):
        if self.targeted:
            return self.site.update(changed=[str(p) for p in paths])
        return self.site.update()

    def timed(self, kind: str, paths: list[Path], shown: Callable[[], bool]) -> None:
        if hasattr(self.site, "tidy"):
            self.site.tidy()  # what the watcher does when edits pause: not timed
        t = time.perf_counter()
        report = self.update(paths)
        u = time.perf_counter() - t
        ok = shown()
        self.samples[kind].append(time.perf_counter() - t)
        self.update_s[kind].append(u)
        self.rendered[kind].append(report.changed)
        if not ok:
            raise AssertionError(f"{kind}: not searchable after the update")

    def round(self, rel: str, n: int) -> None:
        path = self.content / rel
        text = path.read_text()
        title = text.split("title: ", 1)[1].split("\n", 1)[0]
        alias = text.split("aliases: [", 1)[1].split("]", 1)[0]
        word = f"zyzzobench{n}"
        path.write_text(text + f"\n{word} appears here.\n")
        self.timed("body edit", [path], lambda: searchable(self.site, word, 1))
        path.write_text(text)
        self.timed("body edit", [path], lambda: searchable(self.site, word, 0))
        renamed = f"Qwrenamed{n} {title}"
        path.write_text(text.replace(f"title: {title}", f"title: {renamed}", 1))
        self.timed("title edit", [path], lambda: searchable(self.site, f"qwrenamed{n}", 1))
        path.write_text(text)
        self.timed("title edit", [path], lambda: searchable(self.site, f"qwrenamed{n}", 0))
        slug = path.stem
        path.unlink()
        self.timed("deleted file", [path], lambda: found(self.site, alias, slug, False))
        path.write_text(text)
        self.timed("new file", [path], lambda: found(self.site, alias, slug, True))


def edit_figures(work: Path, rounds: int, targeted: bool) -> dict:
    site = open_site(settings_for(work), serve=False)
    site.update()
    site.warm()  # as a server has done
    site.index.search("warm")  # a server has answered searches: columns read
    if targeted and "changed" not in inspect.signature(site.update).parameters:
        site.close()
        return {}
    files = json.loads((work / "entries.json").read_text())
    run = EditRun(site, work, targeted)
    step = max(1, len(files) // (rounds + 1))
    try:
        for n in range(rounds):
            run.round(files[(n + 1) * step], n)
    finally:
        site.close()
    return {"samples": run.samples, "update_s": run.update_s, "rendered": run.rendered}


def watched_figures(work: Path, rounds: int) -> dict:
    """Body edits through a real watcher: from the file written to the search that shows it."""
    from app.content.watch import Watcher

    site = open_site(settings_for(work), serve=False)
    site.update()
    site.warm()
    site.index.search("warm")
    takes_paths = "changed" in inspect.signature(site.update).parameters
    on_change = site.update if takes_paths else (lambda: site.update())  # older code: a rescan per burst
    quiet = {"on_quiet": site.tidy} if hasattr(site, "tidy") else {}
    watcher = Watcher(site.settings.content_dir, site.settings.data_dir / ".watch.lock", on_change, **quiet)
    samples = []
    builds = site.builder.builds_finished
    try:
        watcher.start()
        if not watcher.ready.wait(60):
            raise AssertionError("the watcher never started")
        if takes_paths:  # its first look at every file
            site.builder.wait_until(lambda: site.builder.builds_finished > builds, 120)
        files = json.loads((work / "entries.json").read_text())
        for n in range(rounds):
            path = work / "content" / files[(n + 1) * len(files) // (rounds + 2)]
            text = path.read_text()
            word = f"zyzzowatch{n}"
            for hits, body in ((1, text + f"\n{word} here.\n"), (0, text)):
                time.sleep(2)  # edits a while apart, as people make them: the watcher tidies meanwhile
                t = time.perf_counter()
                path.write_text(body)
                deadline = t + 30
                while not searchable(site, word, hits):
                    if time.perf_counter() > deadline:
                        raise AssertionError("the watcher did not bring the edit in")
                    time.sleep(0.005)
                samples.append(time.perf_counter() - t)
    finally:
        watcher.stop()
        site.close()
    return {"samples": samples}


# -- a start -----------------------------------------------------------------------------------
def start_once(work: Path) -> dict:
    """Run in a new process: what a server's start costs with nothing changed."""
    out = subprocess.run(
        [sys.executable, __file__, "--start-in", str(work)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_here(work: Path) -> None:
    t0 = time.perf_counter()
    site = open_site(settings_for(work), serve=False)
    t1 = time.perf_counter()
    report = site.update()
    t2 = time.perf_counter()
    if "wait" in inspect.signature(site.warm).parameters:
        site.warm(wait=False)  # as a server starts: the posting arrays are decoded behind it
    else:
        site.warm()
    t3 = time.perf_counter()
    figures = {"open": t1 - t0, "catch_up": t2 - t1, "warm": t3 - t2, "rendered": report.changed, "full": report.full}
    site.close()
    print(json.dumps(figures))


# -- report --------------------------------------------------------------------------------------
def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} / {max(values) * 1000:.0f} ms" if values else "-"


def report(n: int, facts: dict, targeted: dict, rescan: dict, watched: dict, starts: list[dict]) -> None:
    print(f"\n## {n:,} entries")
    first = facts["first_build"]
    kind = "full build" if first["full"] else "catch-up with kept data"
    print(f"preparation: {kind} {first['seconds']:.1f} s ({first['summary']})")
    print("\n| edit searchable, median / worst | changed paths given | rescan of the folder | ratio (medians) |")
    print("|---|---|---|---|")
    every_t: list[float] = []
    every_r: list[float] = []
    for k in KINDS:
        t = targeted.get("samples", {}).get(k, [])
        r = rescan.get("samples", {}).get(k, [])
        every_t += t
        every_r += r
        ratio = f"{statistics.median(r) / statistics.median(t):.1f}×" if t and r else ""
        rendered = targeted.get("rendered", {}).get(k) or rescan.get("rendered", {}).get(k) or []
        print(f"| {k} ({max(rendered, default=0)} rendered at most) | {ms(t)} | {ms(r)} | {ratio} |")
    ratio = f"{statistics.median(every_r) / statistics.median(every_t):.1f}×" if every_t and every_r else ""
    print(f"| every edit | {ms(every_t)} | {ms(every_r)} | {ratio} |")
    if targeted:
        updates = [u for k in KINDS for u in targeted["update_s"][k]]
        print(f"\nof which the update (store and index written): {ms(updates)}")
    if watched.get("samples"):
        print(f"through the watcher (file written -> search shows it, debounce included): {ms(watched['samples'])}")
    if starts:
        print("\n| start with nothing changed (new process) | median | worst |")
        print("|---|---|---|")
        for part in ("open", "catch_up", "warm"):
            values = [s[part] for s in starts]
            print(f"| {part.replace('_', '-')} | {statistics.median(values):.2f} s | {max(values):.2f} s |")
        totals = [s["open"] + s["catch_up"] for s in starts]
        print(f"| open + catch-up | {statistics.median(totals):.2f} s | {max(totals):.2f} s |")
        totals = [s["open"] + s["catch_up"] + s["warm"] for s in starts]
        print(f"| open + catch-up + warm | {statistics.median(totals):.2f} s | {max(totals):.2f} s |")
        print(
            f"entries rendered at start: {max(s['rendered'] for s in starts)}; full: {any(s['full'] for s in starts)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--keep", type=Path, help="keep (and reuse) glossaries and their data here")
    parser.add_argument("--rounds", type=int, default=5, help="edit rounds (each: 6 edits)")
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--no-rescan", action="store_true", help="skip the rescan baseline")
    parser.add_argument("--no-watch", action="store_true")
    parser.add_argument("--start-in", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.start_in:
        start_here(args.start_in)
        return
    print("# Glossa build benchmark: edit -> searchable, and a start with nothing changed")
    for n in args.sizes:
        work, facts = prepare(n, args.keep)
        try:
            targeted = edit_figures(work, args.rounds, targeted=True)
            rescan = {} if args.no_rescan else edit_figures(work, max(1, args.rounds // 2), targeted=False)
            watched = {} if args.no_watch else watched_figures(work, max(1, args.rounds // 2))
            starts = [start_once(work) for _ in range(args.starts)]
            report(n, facts, targeted, rescan, watched, starts)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
