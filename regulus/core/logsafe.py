"""Log lines that say what was sent without letting it write the log.

A URL can carry CR, LF and NUL (%0D%0A%00 decoded into the path), a bidi override, an escape
sequence for the terminal that reads the log. Written raw, a CR LF starts a forged line
("... 200 -\\n10.0.0.1 [date] "GET /admin" 200"). Here every such character is written as its
escape (core.text.escape_unsafe): one request, one line, read as it was sent.

- `GunicornLogger`: gunicorn's access log (`logger_class`, set in regulus/gunicorn_conf.py);
- `EscapingFormatter`: the application's own log records (settings.LOGGING). A record's
  message is one line; a traceback keeps its lines, each indented, so that nothing it quotes
  can pass for a record of its own.
- `JsonFormatter` (REGULUS_LOG_FORMAT=json, the production default) and gunicorn's access log
  under the same setting: one JSON object a line, every character outside ASCII escaped by
  the encoder (\u000d, \u202e), with the request's id (`RequestIdFilter`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from typing import Any

from gunicorn.glogging import Logger, SafeAtoms

from regulus.core.context import current_request_id
from regulus.core.text import REFUSED_IN_TEXT, escape_unsafe


class EscapingAtoms(SafeAtoms):
    """gunicorn's atoms (%(U)s, %(a)s, {header}i …) as UTF-8 text, escaped."""

    def __init__(self, atoms: dict[str, Any]) -> None:
        super().__init__(
            {
                key: escape_unsafe(_wsgi_text(value)) if isinstance(value, str) else value
                for key, value in atoms.items()
            }
        )


def _wsgi_text(value: str) -> str:
    """A WSGI string (the request's bytes as latin-1) as the UTF-8 text it was sent as."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


# The access log's fields in JSON, from gunicorn's atoms: no query string (a search may carry
# a name or an ID number), the request id from the answer's header (core.middleware).
ACCESS_FIELDS = {
    "remote": "h",
    "method": "m",
    "path": "U",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "request_id": "{x-request-id}o",
}


class GunicornLogger(Logger):  # type: ignore[misc]
    atoms_wrapper_class = EscapingAtoms

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        # `regulus serve` passes settings.LOG_FORMAT on; gunicorn started by hand writes text
        # unless told json.
        if os.environ.get("REGULUS_LOG_FORMAT") != "json":
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        record = {"time": _now(), "log": "access"}
        for field, atom in ACCESS_FIELDS.items():
            record[field] = _wsgi_text(str(atoms.get(atom, "-")))
        try:
            self.access_log.info(json.dumps(record))
        except Exception:
            self.error("Failed to write the access log line")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class RequestIdFilter(logging.Filter):
    """Puts the id of the request being served on every record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request id, and the
    traceback as one string. `json.dumps` escapes every control and non-ASCII character, so
    nothing a message quotes can break the line or pass for another field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry)


def _escape_lines(text: str) -> str:
    """Multi-line text (a traceback) with its refused characters escaped and every line
    indented (it follows the record's own line)."""
    escaped = REFUSED_IN_TEXT.sub(lambda m: escape_unsafe(m.group()), text.replace("\r", "\\x0d"))
    return "    " + escaped.replace("\n", "\n    ")


class EscapingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)
        safe.msg, safe.args = escape_unsafe(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            safe.exc_text = self.formatException(record.exc_info)
        if safe.exc_text:
            safe.exc_text = _escape_lines(safe.exc_text)
        if safe.stack_info:
            safe.stack_info = _escape_lines(safe.stack_info)
        return super().format(safe)
