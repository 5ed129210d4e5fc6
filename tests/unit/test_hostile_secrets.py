"""The bearer token never reaches stdout, stderr, a log, the cache, an export or a traceback.

A hostile server echoes the Authorization header back everywhere it can: a problem+json
detail and field errors, an HTML page title, the status line's reason phrase, a redirect's
Location, a plain-text body. The sync must fail with one line that does not hold the token.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.client.datastorage import ClientSettings, DataStorageClient, Secret
from explorer.errors import ClientError
from tests.cli.test_hostile_cli import assert_terminal_safe
from tests.hostile import ANSI, MARKUP

TOKEN = "echo-token-4c1d2b9e"
MODES = ("problem", "fields", "html", "reason", "redirect", "text", "401", "403", "429", "evil")


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _EchoServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        mode = self.server.mode
        if mode in ("problem", "401", "403", "429", "fields", "evil"):
            status = {"401": 401, "403": 403, "429": 429}.get(mode, 500)
            body: dict[str, Any] = {"title": auth, "status": status, "detail": f"got {auth}"}
            if mode == "fields":
                body = {"detail": "invalid", "field_errors": {"authorization": auth}}
            if mode == "evil":
                body["detail"] = f"{MARKUP} {ANSI} got {auth}\nsecond line"
            self._send(status, "application/problem+json", json.dumps(body).encode())
        elif mode == "html":
            page = f"<html><head><title>{auth}</title></head><body>{auth}</body></html>"
            self._send(502, "text/html", page.encode())
        elif mode == "reason":
            self._send(500, "text/plain", b"", reason=f"Refused {auth}")
        elif mode == "redirect":
            self._send(302, "text/plain", b"", location=f"https://login.example/?h={auth}")
        else:
            self._send(200, "text/plain", f"you sent {auth}".encode())

    def _send(
        self, status: int, kind: str, body: bytes, *, reason: str | None = None, location: str = ""
    ) -> None:
        self.send_response(status, reason)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if status == 429:
            self.send_header("Retry-After", "0")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True
    mode = "problem"


@contextmanager
def echo_server(mode: str = "problem") -> Iterator[_EchoServer]:
    server = _EchoServer(("127.0.0.1", 0), _Echo)
    server.mode = mode
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def echo() -> Iterator[_EchoServer]:
    with echo_server() as server:
        yield server


def echo_url(server: _EchoServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def _no_token(*texts: str | bytes) -> None:
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        assert TOKEN.encode() not in data, data[:300]


@pytest.mark.parametrize("mode", MODES)
def test_an_echoing_server_never_gets_the_token_shown_or_stored(
    echo: _EchoServer, tmp_path: Path, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    echo.mode = mode
    cache = tmp_path / "cache.duckdb"
    env = {
        "AUDIT_EXPLORER_TOKEN": TOKEN,
        "AUDIT_EXPLORER_CONFIG": str(tmp_path / "none.toml"),
        "AUDIT_EXPLORER_URL": None,
    }
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log requests at DEBUG
    args = ["sync", "--url", echo_url(echo), "--cache", str(cache), "--max-tries", "2"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1, result.output
    assert result.stderr.count("audit-explorer: ") == 1
    assert isinstance(result.exception, SystemExit)
    assert result.exc_info is not None
    shown = "".join(traceback.format_exception(*result.exc_info))
    _no_token(result.stdout, result.stderr, caplog.text, shown)
    if mode in ("problem", "fields", "html", "403", "evil"):  # the echo is quoted, token hidden
        assert "Bearer ***" in result.stderr
    assert_terminal_safe(result.stderr)
    _no_token(cache.read_bytes())
    out = tmp_path / "export.json"
    exported = CliRunner().invoke(main, ["events", "--cache", str(cache), "-o", str(out)])
    assert exported.exit_code == 0
    _no_token(out.read_bytes(), exported.stderr)


def test_a_real_process_with_a_token_file(echo: _EchoServer, tmp_path: Path) -> None:
    echo.mode = "problem"
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    cache = tmp_path / "cache.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "explorer", "sync", "--url", echo_url(echo), "--cache", str(cache),
         "--token-file", str(token_file), "--max-tries", "1"],
        capture_output=True,
        timeout=60,
        env={"PYTHONDEVMODE": "1", "AUDIT_EXPLORER_CONFIG": str(tmp_path / "none.toml"),
             "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert b"got Bearer ***" in result.stderr
    _no_token(result.stdout, result.stderr, cache.read_bytes())


@pytest.mark.parametrize(
    "token", [TOKEN + "\n", TOKEN + "\t", TOKEN + "\\", "\x01" + TOKEN, "é" + TOKEN]
)
def test_a_token_the_http_layer_refuses_is_not_quoted_back(echo: _EchoServer, token: str) -> None:
    settings = ClientSettings(echo_url(echo), token=Secret(token), max_tries=1)
    # refused when the client is made, or when sending
    with pytest.raises(ClientError) as info, DataStorageClient(settings, sleep=lambda _: None) as c:
        c.query_events()
    _no_token(str(info.value), repr(info.value))
