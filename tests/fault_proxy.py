"""A tiny HTTP proxy in front of a real store that fails chosen requests, to test how
``itugraph publish`` and the SPARQL backend meet a store that breaks mid-way."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: Decides, from the method, the path with its query, the body and the request's number
#: (1-based), whether the proxy answers 500 itself instead of forwarding.
FailWhen = Callable[[str, str, bytes, int], bool]

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


@dataclass
class FaultProxy:
    url: str
    seen: list[tuple[str, str, int]] = field(default_factory=list)

    def rewrite(self, store_url: str) -> str:
        """``store_url`` (an endpoint of the proxied store) as reached through the proxy."""
        parts = urllib.parse.urlsplit(store_url)
        return self.url + parts.path + (f"?{parts.query}" if parts.query else "")


@contextmanager
def fault_proxy(target: str, fail_when: FailWhen) -> Iterator[FaultProxy]:
    """Forward to ``target`` (``http://host:port``) except where ``fail_when`` says 500."""
    upstream = urllib.parse.urlsplit(target)
    lock = threading.Lock()
    proxy = FaultProxy("")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            with lock:
                number = len(proxy.seen) + 1
                failing = fail_when(self.command, self.path, body or b"", number)
                proxy.seen.append((self.command, self.path, 500 if failing else 0))
            if failing:
                self._reply(500, {"Content-Type": "text/plain"}, b"injected failure")
                return
            connection = http.client.HTTPConnection(upstream.hostname or "", upstream.port, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                reply = connection.getresponse()
                data = reply.read()
            except OSError as exc:  # the store closed early (e.g. a 401 before the body)
                self._reply(502, {"Content-Type": "text/plain"}, f"upstream: {exc}".encode())
                return
            finally:
                connection.close()
            kept = {k: v for k, v in reply.getheaders() if k.lower() not in _HOP_BY_HOP}
            self._reply(reply.status, kept, data)

        def _reply(self, status: int, headers: dict[str, str], data: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
