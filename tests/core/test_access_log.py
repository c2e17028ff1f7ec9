"""The access log writes what a URL carries escaped: CR, LF and NUL decoded from %0D%0A%00 never
start a forged line (regulus/gunicorn_conf.py, regulus.core.logsafe). Checked with gunicorn
itself, serving a one-line WSGI app, with a request written byte by byte."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from pathlib import Path

from regulus.core.logsafe import EscapingFormatter


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _send(port: int, request: bytes) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(request)
                conn.recv(1024)
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def test_access_log_escapes_cr_lf_and_nul_from_urls(tmp_path):
    log = tmp_path / "access.log"
    (tmp_path / "echo_app.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'ok']\n"
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:regulus.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(log),
         "--chdir", str(tmp_path), "echo_app:app"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        forged = "/a%0D%0A10.0.0.1%20-%20%22GET%20/admin%22%20200%00%E2%80%AE"
        _send(port, f"GET {forged} HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\n\r\n".encode())
        for _ in range(50):
            if log.exists() and log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = log.read_text().splitlines()
    assert len(lines) == 1, lines
    assert "/a\\x0d\\x0a10.0.0.1" in lines[0] and "\\x00" in lines[0] and "\\u202e" in lines[0]
    assert "?" not in lines[0]  # no query string in the log


def test_application_log_record_is_one_line_and_its_traceback_indented():
    formatter = EscapingFormatter("%(levelname)s %(message)s")
    try:
        raise ValueError("bad\ninjected 200\x00")
    except ValueError:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "Not found: %s",
            ("/a\r\nforged\u202e",),
            sys.exc_info(),
        )
    text = formatter.format(record)
    first, *rest = text.split("\n")
    assert first == "ERROR Not found: /a\\x0d\\x0aforged\\u202e"
    assert rest and all(line.startswith("    ") for line in rest)
    assert "\\x00" in text and "\x00" not in text
    assert Path(__file__).name in text  # the traceback is kept
