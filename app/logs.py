"""The server's log: JSON lines (one object a line, for log collectors) or plain text, one line
per request, and every line written during a request tagged with its request id."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

REQUESTS = logging.getLogger("app.requests")
# Set by the request middleware for the task that answers a request (and the threads it hands
# work to): a line logged anywhere while answering it names the request.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
# A client's or balancer's own id is kept when it is a short run of visible ASCII: anything else
# (spaces, control characters, kilobytes) would make log lines ambiguous or large.
SANE_ID = re.compile(r"[\x21-\x7e]{1,128}")
# What logging.LogRecord has of its own: everything else on a record came in `extra=` (but
# uvicorn's copy of its message with terminal colours, which a log file does not want).
_RECORD_FIELDS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}

LogFormat = Literal["json", "text"]


def request_id(offered: str | None) -> str:
    """The offered X-Request-ID when it is sane, else a new one."""
    if offered and SANE_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, pid, the request id when
    there is one, any fields given in `extra=`, and the traceback as text."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # several workers write to one log
        }
        rid = getattr(record, "request_id", None) or REQUEST_ID.get()
        if rid:
            line["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and key not in line:
                line[key] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False, separators=(",", ":"))


class PlainText(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = record.__dict__
        if "duration_ms" in fields:  # a request line: its fields, which JSON has apart
            text += f" {fields['duration_ms']} ms {fields.get('client') or '-'}"
            if "error" in fields:
                text += f" {fields['error']}"
        rid = getattr(record, "request_id", None) or REQUEST_ID.get()
        return f"{text} [{rid}]" if rid else text


def configure(fmt: LogFormat) -> None:
    """Send the log of this process (the app's, uvicorn's) to standard error in this format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if fmt == "json" else PlainText())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines say nothing to a user
    # Our request line replaces uvicorn's access line; a second line per request is noise.
    access = logging.getLogger("uvicorn.access")
    access.handlers, access.propagate = [], False
    for name in ("uvicorn", "uvicorn.error"):  # uvicorn's own lines in the same format
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


def log_request(
    rid: str,
    method: str,
    route: str,
    path: str,
    status: int,
    seconds: float,
    client: str | None,
    error: BaseException | None = None,
) -> None:
    """The one line for an answered request. The query string is left out: search terms are
    the reader's business."""
    level = logging.ERROR if status >= 500 else logging.INFO
    if not REQUESTS.isEnabledFor(level):
        return
    fields: dict[str, Any] = {
        "request_id": rid,
        "method": method,
        "route": route,
        "path": path,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "client": client,
    }
    if error is not None:
        fields["error"] = f"{type(error).__name__}: {error}"
    # Made and handed over directly: Logger.log would also walk the stack for the caller's
    # file and line, a sixth of this line's cost, to say what is always this function.
    record = REQUESTS.makeRecord(
        REQUESTS.name, level, __file__, 0, "%s %s %s", (method, path, status), None, extra=fields
    )
    REQUESTS.handle(record)
