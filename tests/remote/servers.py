"""Servers for the remote tests and benchmarks, each on 127.0.0.1 at a free port.

Used by ``tests/remote/conftest.py`` and ``benchmarks/remote.py`` (which puts this directory on
``sys.path``). Nothing here leaves the machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Nginx:
    """A running nginx serving ``root`` at ``url``."""

    def __init__(self, root: Path, prefix: Path):
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = prefix / "access.log"
        user = "user root;\n" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
        conf = prefix / "nginx.conf"
        conf.write_text(
            f"""{user}daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    log_format counts '$request_method $uri $status $body_bytes_sent "$http_range"';
    access_log {self.log} counts;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        root {root};
    }}
}}
"""
        )
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_for_port(self.port, self.proc)

    def requests(self, name: str | None = None) -> list[tuple[str, int, int, str]]:
        """(method, status, body bytes, range) of each logged request (for ``/name`` only
        when given), in order."""
        out = []
        for line in self.log.read_text().splitlines():
            method, uri, status, sent, rng = line.split(" ", 4)
            if name is None or uri == "/" + name:
                out.append((method, int(status), int(sent), rng.strip('"')))
        return out

    def clear_log(self) -> None:
        self.log.write_text("")  # nginx appends (O_APPEND), so truncating is safe

    def stop(self) -> None:
        stop(self.proc)
