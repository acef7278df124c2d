"""Helpers of the HTTP tests: a real ``eventdesk serve`` subprocess on a free loopback port."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

READY = "eventdesk: listening on "


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """One server process, with small helpers that speak HTTP without any client library."""

    def __init__(self, store: Path, args: list[str], env: dict[str, str], home: Path) -> None:
        self.store, self.args, self.env, self.home = store, args, env, home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.stderr_lines: list[str] = []

    def start(self, timeout: float = 20.0) -> Served:
        cmd = [sys.executable, "-m", "eventdesk", "serve", "--store", str(self.store),
               "--port", str(self.port), *self.args]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                raise AssertionError(f"server ended before it was ready: {self.stderr_lines}")
            self.stderr_lines.append(line)
            if line.startswith(READY):
                return self
        raise AssertionError("server not ready in time")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            out, rest = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, rest = self.proc.communicate()
        self.stderr_lines.extend(rest.splitlines(keepends=True) + out.splitlines(keepends=True))
        return self.proc.returncode

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.communicate()

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                content_type: str | None = "application/json", timeout: float = 30.0
                ) -> tuple[int, dict[str, str], Any]:
        data = body if isinstance(body, (bytes, type(None))) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if content_type and data is not None:
            request.add_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw, hdrs = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            status, raw, hdrs = exc.code, exc.read(), dict(exc.headers)
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return status, {k.lower(): v for k, v in hdrs.items()}, parsed

    def post(self, path: str, body: Any, **kw: Any) -> tuple[int, dict[str, str], Any]:
        return self.request("POST", path, body, **kw)

    def get(self, path: str, **kw: Any) -> tuple[int, dict[str, str], Any]:
        return self.request("GET", path, None, **kw)


def cli(store: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args, "--store", str(store)],
                          capture_output=True, text=True, env=env, timeout=60)


