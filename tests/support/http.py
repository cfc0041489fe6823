"""Real HTTP servers on loopback for tests and benchmarks: a static site and a webhook receiver."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import orjson


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LoopbackServer:
    """Starts a ThreadingHTTPServer on 127.0.0.1 with an ephemeral port, in a thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        self._httpd = _Server(("127.0.0.1", port), handler)
        self._httpd.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class StaticSite(LoopbackServer):
    """Serves fixed documents: path -> (content type, body)."""

    def __init__(self, pages: dict[str, tuple[str, bytes]] | None = None) -> None:
        self.pages: dict[str, tuple[str, bytes]] = dict(pages or {})
        super().__init__(_StaticHandler)


class _StaticHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

    def do_GET(self) -> None:
        site: StaticSite = self.server.owner  # type: ignore[attr-defined]
        page = site.pages.get(self.path.split("?")[0])
        if page is None:
            self.send_error(404)
            return
        content_type, body = page
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class WebhookReceiver(LoopbackServer):
    """Collects every POSTed JSON body it answers 200 (``status``: what it answers, e.g. 503
    for a receiver that is up but unavailable; those are counted in ``refused`` only)."""

    received: list[Received] = field(default_factory=list)
    delay_s: float = 0.0  # answer this much later: a slow receiver keeps deliveries in flight
    arrived: int = 0  # requests read, answered or not: a delivery in flight counts here
    port: int = 0  # 0: any free one
    status: int = 200
    refused: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        super().__init__(_WebhookHandler, self.port)

    def add(self, item: Received) -> None:
        with self._lock:
            self.received.append(item)
            self._lock.notify_all()

    def arrive(self) -> None:
        with self._lock:
            self.arrived += 1
            self._lock.notify_all()

    def wait_arrived(self, count: int, timeout: float) -> int:
        """Block until ``count`` requests were read (answered or not) or the timeout passes."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.arrived < count and (left := deadline - time.monotonic()) > 0:
                self._lock.wait(min(left, 0.5))
            return self.arrived

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def wait_for(self, done: Callable[[list[Received]], bool], timeout: float) -> list[Received]:
        """Block until ``done(received)`` holds or the timeout passes; return what arrived."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not done(self.received):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(min(left, 0.5))
            return list(self.received)


class _WebhookHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length)
        receiver: WebhookReceiver = self.server.owner  # type: ignore[attr-defined]
        try:
            body = orjson.loads(payload)
        except orjson.JSONDecodeError:
            self.send_error(400)
            return
        receiver.arrive()
        if receiver.status != 200:
            receiver.refused += 1
            self.send_error(receiver.status)
            return
        if receiver.delay_s:
            time.sleep(receiver.delay_s)
        receiver.add(Received(time.time(), dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass
