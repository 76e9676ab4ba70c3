"""Real servers for the remote tests, each started on 127.0.0.1 (a free port) and stopped here.

- ``nginx``: /usr/sbin/nginx with a generated config serving a temporary directory; its access
  log (one line per request: method, URI, status, body bytes sent, Range header) is parsed by
  :meth:`Nginx.requests`.
- ``moto_s3``: moto's standalone S3 server (``python -m moto.server``), used through s3fs.
- ``misbehaving``: a tiny ``http.server`` whose faults (short replies, 416, changing ETag,
  connection resets) tests switch on.
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading

import pytest

from .servers import NGINX, Nginx, free_port, stop, wait_for_port


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
