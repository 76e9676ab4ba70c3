"""Real servers for the remote tests, each started on 127.0.0.1 (a free port) and stopped here.

- ``nginx``: /usr/sbin/nginx with a generated config serving a temporary directory; its access
  log (one line per request: method, URI, status, body bytes sent, Range header) is parsed by
  :meth:`Nginx.requests`.
- ``moto_s3``: moto's standalone S3 server (``python -m moto.server``), used through s3fs.
- ``misbehaving``: a tiny ``http.server`` whose faults (short replies, 416, changing ETag,
  connection resets) tests switch on.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def nginx(tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed (Debian package nginx-light)")
    prefix = tmp_path_factory.mktemp("nginx")
    root = tmp_path_factory.mktemp("www")
    server = Nginx(root, prefix)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory):
    """``storage_options`` for s3fs against a moto server holding the bucket ``lazydcm``."""
    pytest.importorskip("moto.server")
    s3fs = pytest.importorskip("s3fs")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"},
    )
    try:
        wait_for_port(port, proc, timeout=60)
        options = {
            "key": "testing",
            "secret": "testing",
            "client_kwargs": {
                "endpoint_url": f"http://127.0.0.1:{port}",
                "region_name": "eu-west-1",
            },
            "skip_instance_cache": True,
        }
        s3fs.S3FileSystem(**options).mkdir("lazydcm")
        yield options
    finally:
        stop(proc)


class Misbehaving(http.server.ThreadingHTTPServer):
    """Serves ``data`` at any path, with ranges; ``fault`` picks how it misbehaves:
    None, "short" (206 with fewer bytes than asked), "416", "reset" (close mid-body; the first
    ``resets`` range GETs only), "etag" (the ETag changes after the first range GET)."""

    daemon_threads = True

    def __init__(self, data: bytes):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.data = data
        self.fault: str | None = None
        self.resets = 1 << 30
        self.etag = '"v1"'
        self.gets: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _headers(self, status, length, extra=()):
        self.send_response(status)
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", self.server.etag)
        self.send_header("Accept-Ranges", "bytes")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()

    def do_HEAD(self):
        self._headers(200, len(self.server.data))

    def do_GET(self):
        server = self.server
        data = server.data
        rng = self.headers.get("Range")
        server.gets.append(rng)
        if rng is None:
            self._headers(200, len(data))
            self.wfile.write(data)
            return
        match = self.headers.get("If-Match")
        if match is not None and match != server.etag:
            self._headers(412, 0)
            return
        start, _, end = rng.removeprefix("bytes=").partition("-")
        start, end = int(start), min(int(end), len(data) - 1)
        body = data[start : end + 1]
        if server.fault == "416":
            self._headers(416, 0, [("Content-Range", f"bytes */{len(data)}")])
            return
        if server.fault == "short":
            body = body[: len(body) // 2]
            end = start + len(body) - 1
        extra = [("Content-Range", f"bytes {start}-{end}/{len(data)}")]
        if server.fault == "reset" and server.resets > 0:
            server.resets -= 1
            self._headers(206, len(body), extra)
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self._headers(206, len(body), extra)
        self.wfile.write(body)
        if server.fault == "etag":
            server.etag = '"v2"'


@pytest.fixture
def misbehaving():
    """A factory: ``misbehaving(data)`` starts a server (stopped after the test)."""
    servers = []

    def start(data: bytes) -> Misbehaving:
        server = Misbehaving(data)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
