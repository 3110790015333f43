"""Run `glossa build ARGS`, stopping for good at a named point, so that a test can kill the
process there: independent of how fast the machine is.

usage: python -m tests.support.paused_build POINT FLAG_FILE build-args...
POINT: after-store (the content store committed, the index not yet written) or
       in-index (the index writer has every document, not yet committed).
The flag file appears when the build has reached the point.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

from app import cli
from app.content import builder


def pause_here(flag: Path) -> None:
    flag.write_text("paused")
    threading.Event().wait()  # until killed


def main(point: str, flag: Path, args: list[str]) -> int:
    if point == "after-store":
        write = builder.write_compiled

        def write_then_pause(*a: Any, **k: Any) -> None:
            write(*a, **k)
            pause_here(flag)

        builder.write_compiled = write_then_pause
    elif point == "in-index":
        from whoosh.writing import SegmentWriter

        def pause_before_commit(self: Any, *a: Any, **k: Any) -> None:
            pause_here(flag)

        SegmentWriter.commit = pause_before_commit
    else:
        raise SystemExit(f"unknown point {point!r}")
    return cli.main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3:]))
