"""Command line: glossa build | serve | check."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from app.config import Settings
from app.pipeline.compile import compile_content, unresolved_problems


def _settings(args: argparse.Namespace, **extra) -> Settings:
    """Flags win over GLOSSA_* variables, which win over defaults."""
    overrides = {k: v for k, v in {
        "content_dir": getattr(args, "content", None),
        "data_dir": getattr(args, "data", None),
        "database_url": getattr(args, "database_url", None),
    }.items() if v is not None}
    return Settings(**overrides, **extra)


def _progress(stream=sys.stderr):
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        stream.write(f"\rrendering [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def cmd_build(args) -> int:
    from app.builder import Builder, exclusive
    from app.search import SearchIndex
    from app.store import open_store

    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(settings.db_url)
    with exclusive(settings):
        index = SearchIndex(settings.index_dir)
    report = Builder(settings, engine, index).build(full=args.full, progress=_progress())
    index.close()
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(report.summary())
    return 0


def cmd_check(args) -> int:
    settings = _settings(args)
    if not settings.content_dir.is_dir():
        print(f"{settings.content_dir}: no such folder", file=sys.stderr)
        return 2
    compiled = compile_content(settings.content_dir)
    problems = compiled.problems + unresolved_problems(compiled.docs.values())
    for problem in sorted(problems, key=lambda p: (p.path, p.line)):
        print(problem)
    print(f"{len(compiled.docs)} entries checked, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def cmd_serve(args) -> int:
    import os

    import uvicorn

    from app.main import create_app

    settings = _settings(args, watch=True) if args.watch else _settings(args)
    if args.workers > 1:
        # Workers are separate processes that build their app from GLOSSA_* variables;
        # the build happens once here, and each worker finds it up to date.
        cmd_build(argparse.Namespace(content=settings.content_dir, data=settings.data_dir,
                                     database_url=settings.database_url, full=False))
        os.environ.update({
            "GLOSSA_CONTENT_DIR": str(settings.content_dir.resolve()),
            "GLOSSA_DATA_DIR": str(settings.data_dir.resolve()),
            "GLOSSA_WATCH": "1" if settings.watch else "0",
            **({"GLOSSA_DATABASE_URL": settings.database_url} if settings.database_url else {}),
        })
        uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="info")
        return 0
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="glossa", description="Markdown notes as a searchable, cross-linked site.")
    sub = p.add_subparsers(dest="command", required=True)

    def paths(sp, data=True):
        sp.add_argument("--content", type=Path, help="content folder (GLOSSA_CONTENT_DIR)")
        if data:
            sp.add_argument("--data", type=Path, help="data folder (GLOSSA_DATA_DIR)")
            sp.add_argument("--database-url", help="SQLAlchemy URL (GLOSSA_DATABASE_URL)")

    b = sub.add_parser("build", help="build or update the store and search index")
    paths(b)
    b.add_argument("--full", action="store_true", help="rebuild everything from scratch")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("serve", help="build if needed, then serve the site")
    paths(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--watch", action="store_true", help="rebuild when content files change")
    s.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    s.set_defaults(func=cmd_serve)

    c = sub.add_parser("check", help="validate content without writing anything")
    paths(c, data=False)
    c.set_defaults(func=cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    return args.func(args)
