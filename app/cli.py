"""Command line: glossa build | serve | check | migrate | backup | restore."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from app.clock import utc_now
from app.config import Settings


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    """Flags win over GLOSSA_* variables, which win over defaults."""
    flags = {
        "content_dir": getattr(args, "content", None),
        "data_dir": getattr(args, "data", None),
        "content_database_url": getattr(args, "content_database_url", None),
        "state_dir": getattr(args, "state", None),
        "state_database_url": getattr(args, "state_database_url", None),
    }
    return Settings(**{k: v for k, v in flags.items() if v is not None}, **extra)


def _progress(stream: TextIO = sys.stderr) -> Callable[[int, int], None] | None:
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


def _build(settings: Settings, full: bool = False) -> None:
    from app.site import open_site

    site = open_site(settings, serve=False)
    try:
        report = site.update(full=full, progress=_progress())
    finally:
        site.close()
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(report.summary())


def cmd_build(args: argparse.Namespace) -> int:
    _build(_settings(args), full=args.full)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from app.content.build_report import check_content
    from app.state.inspect import orphans_in_state

    settings = _settings(args)
    if not settings.content_dir.is_dir():
        print(f"{settings.content_dir}: no such folder", file=sys.stderr)
        return 2
    report, compiled = check_content(settings.content_dir)
    for problem in report.problems:
        print(problem)
    print(f"{report.entries} entries checked, {len(report.problems)} problem(s)", file=sys.stderr)
    cards = {f"{d.slug}:{c.key}" for d in compiled.docs.values() for c in d.deck}
    orphans = orphans_in_state(settings.state_db_url, compiled.resolver.resolve, cards)
    if orphans:
        rows = ", ".join(f"{n} in {where}" for where, n in orphans.items())
        print(f"state: rows that name entries no longer in the content (kept): {rows}", file=sys.stderr)
    return 1 if report.problems else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from app import logs
    from app.main import create_app
    from app.metrics import prepare_shared_dir
    from app.serving import run_one, run_workers

    settings = _settings(args, watch=True) if args.watch else _settings(args)
    logs.configure(settings.log_format)
    if args.workers > 1:
        # Workers are separate processes that build their app from GLOSSA_* variables;
        # the build happens once here, and each worker finds it up to date.
        _build(settings)
        os.environ.update(
            {
                "GLOSSA_CONTENT_DIR": str(settings.content_dir.resolve()),
                "GLOSSA_DATA_DIR": str(settings.data_dir.resolve()),
                "GLOSSA_STATE_DIR": str(settings.state_dir.resolve()),
                "GLOSSA_WATCH": "1" if settings.watch else "0",
                **(
                    {"GLOSSA_CONTENT_DATABASE_URL": settings.content_database_url}
                    if settings.content_database_url
                    else {}
                ),
                **({"GLOSSA_STATE_DATABASE_URL": settings.state_database_url} if settings.state_database_url else {}),
                # One folder for the workers' metrics, so that /metrics on any of them counts all.
                **prepare_shared_dir(settings.metrics_dir or settings.data_dir / "metrics"),
            }
        )
        run_workers("app.main:create_app", args.host, args.port, args.workers, settings.log_format)
        return 0
    run_one(create_app(settings), args.host, args.port)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.state import migrate
    from app.state.engine import make_state_engine

    settings = _settings(args)
    engine = make_state_engine(settings.state_db_url)
    try:
        before, after = migrate.upgrade(engine, args.revision)
    finally:
        engine.dispose()
    if before == after:
        print(f"state store at schema {after}: up to date")
    else:
        print(f"state store migrated from {before or 'empty'} to {after}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from app.state.backup import BackupError, backup

    try:
        copied = backup(_settings(args).state_db_url, args.path)
    except BackupError as err:
        print(f"glossa backup: {err}", file=sys.stderr)
        return 2
    print(f"state store backed up to {copied.path} ({copied.size:,} bytes, schema {copied.revision})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.state.backup import BackupError, restore

    try:
        restored = restore(_settings(args).state_db_url, args.path, force=args.force)
    except BackupError as err:
        print(f"glossa restore: {err}", file=sys.stderr)
        return 2
    print(
        f"state store restored from {args.path} into {restored.path} (schema {restored.revision}); "
        "the store it replaced was kept beside it as *.before-restore-*"
    )
    return 0


def cmd_learners(args: argparse.Namespace) -> int:
    import getpass

    from app.accounts import operators
    from app.accounts.service import AccountError
    from app.site import open_accounts
    from app.state import StateStore

    settings = _settings(args)
    state = StateStore(settings.state_db_url)
    if not state.open():
        print(f"glossa learners: {state.problem}", file=sys.stderr)
        return 2
    accounts = open_accounts(settings, state, utc_now)

    def password() -> str:
        if args.password_stdin:
            return sys.stdin.readline().rstrip("\n")
        return getpass.getpass("New password: ")

    try:
        if args.action == "list":
            for learner, sessions in operators.learners(accounts):
                name = learner.username or "(guest)"
                print(f"{name:32} {learner.id}  since {learner.created:%Y-%m-%d}  {sessions} session(s)")
        elif args.action == "add":
            operators.add(accounts, args.username, password())
            print(f"added {args.username}")
        elif args.action == "reset-password":
            operators.reset_password(accounts, args.username, password())
            print(f"new password set for {args.username}; their sessions ended")
        elif args.action == "delete":
            found = operators.find(accounts, args.username)
            if found is None:
                raise AccountError(404, f"no learner named {args.username!r}")
            accounts.delete_learner(found.id)
            print(f"deleted {args.username} and every row about them")
        elif args.action == "invite":
            print(operators.invite(accounts, args.days))
    except AccountError as err:
        print(f"glossa learners: {err.detail}", file=sys.stderr)
        return 2
    finally:
        state.close()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="glossa", description="Markdown notes as a searchable, cross-linked site.")
    sub = p.add_subparsers(dest="command", required=True)

    def content(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--content", type=Path, help="content folder (GLOSSA_CONTENT_DIR)")

    def derived(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--data", type=Path, help="derived data folder, safe to delete (GLOSSA_DATA_DIR)")
        sp.add_argument("--content-database-url", help="content store URL (GLOSSA_CONTENT_DATABASE_URL)")

    def durable(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--state", type=Path, help="state folder, learners' data (GLOSSA_STATE_DIR)")
        sp.add_argument("--state-database-url", help="state store URL (GLOSSA_STATE_DATABASE_URL)")

    b = sub.add_parser("build", help="build or update the content store and search index")
    content(b)
    derived(b)
    b.add_argument("--full", action="store_true", help="rebuild everything from scratch")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("serve", help="build if needed, migrate the state store, then serve the site")
    content(s)
    derived(s)
    durable(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--watch", action="store_true", help="rebuild when content files change")
    s.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    s.set_defaults(func=cmd_serve)

    c = sub.add_parser("check", help="validate content without writing anything")
    content(c)
    durable(c)
    c.set_defaults(func=cmd_check)

    m = sub.add_parser("migrate", help="bring the state store's schema up to date")
    durable(m)
    m.add_argument("--revision", default="head", help="target revision (default: the latest)")
    m.set_defaults(func=cmd_migrate)

    k = sub.add_parser("backup", help="write a consistent copy of the state store (safe while serving)")
    durable(k)
    k.add_argument("path", type=Path, help="file to write, or a folder to write a dated file into")
    k.set_defaults(func=cmd_backup)

    r = sub.add_parser("restore", help="put a backup back as the state store")
    durable(r)
    r.add_argument("path", type=Path, help="a file written by glossa backup")
    r.add_argument("--force", action="store_true", help="even while a server holds the store")
    r.set_defaults(func=cmd_restore)

    learners = sub.add_parser("learners", help="list, add, reset the password of, or delete learners; make invites")
    durable(learners)
    actions = learners.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every learner, accounts first")
    for action, what in (
        ("add", "make an account"),
        ("reset-password", "set a new password; sessions end"),
        ("delete", "delete a learner and every row about them"),
    ):
        a = actions.add_parser(action, help=what)
        a.add_argument("username")
        if action != "delete":
            a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    invite = actions.add_parser("invite", help="print a single-use invite code (for GLOSSA_SIGNUP=invite)")
    invite.add_argument("--days", type=int, default=14, help="valid for this many days (default 14)")
    learners.set_defaults(func=cmd_learners)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines say nothing to a user
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except ValidationError as err:  # settings that contradict each other
        for problem in err.errors():
            print(f"glossa: {problem['msg']}", file=sys.stderr)
        return 2
    except RuntimeError as err:
        from app.search.semantic import SemanticUnavailable  # only now: the search package is heavy

        if not isinstance(err, SemanticUnavailable):  # GLOSSA_SEMANTIC=on without the extra
            raise
        print(f"glossa: {err}", file=sys.stderr)
        return 2
    return code
