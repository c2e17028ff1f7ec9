"""Log lines that say what was sent without letting it write the log.

A URL can carry CR, LF and NUL (%0D%0A%00 decoded into the path), a bidi override, an escape
sequence for the terminal that reads the log. Written raw, a CR LF starts a forged line
("... 200 -\\n10.0.0.1 [date] "GET /admin" 200"). Here every such character is written as its
escape (core.text.escape_unsafe): one request, one line, read as it was sent.

- `GunicornLogger`: gunicorn's access log (`logger_class`, set in regulus/gunicorn_conf.py);
- `EscapingFormatter`: the application's own log records (settings.LOGGING). A record's
  message is one line; a traceback keeps its lines, each indented, so that nothing it quotes
  can pass for a record of its own.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.glogging import Logger, SafeAtoms

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


class GunicornLogger(Logger):  # type: ignore[misc]
    atoms_wrapper_class = EscapingAtoms


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
