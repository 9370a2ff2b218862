"""The review page's HTTP layer: routes, request limits and headers. All state lives in
``web.server.ReviewServer``; this module only turns requests into its calls and answers.

Limits, so that a page (or anything else on this machine) cannot wear the server down: a socket
timeout on every connection, at most MAX_CONNECTIONS handled at once (503 beyond), bodies only
with a Content-Length under a cap, JSON no deeper than Python can parse (a 400, not a 500), at
most ``saving.MAX_REGIONS`` regions, previews one at a time. Header values never carry CR or LF.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import mimetypes
import os
import re
import shutil
import threading
import traceback
import unicodedata
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from ..engine.image import mask_frame
from ..options import Options
from .items import jpeg, sampled_frame_pixels
from .saving import RequestError, check_cost, check_style, parse_regions

MAX_JSON_BYTES = 4 * 1024 * 1024
MAX_CONNECTIONS = 32
SOCKET_TIMEOUT = 30.0  # seconds a connection may stay silent
PREVIEW_WAIT = 20.0  # seconds a preview waits for the one preview slot
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
       "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
STOPPED = ("The review server has stopped, so nothing can be loaded or saved. Start unseen review again "
           "to go on: files already saved are kept.")
_ID = r"([0-9a-f]{16})"
ROUTES_GET = [
    (re.compile(r"/api/session"), "session"),
    (re.compile(rf"/api/files/{_ID}"), "detail"),
    (re.compile(rf"/api/files/{_ID}/image"), "image"),
    (re.compile(rf"/api/files/{_ID}/frame/(\d{{1,4}})"), "frame"),
    (re.compile(rf"/api/files/{_ID}/thumb/(\d{{1,4}})"), "thumb"),
    (re.compile(rf"/api/files/{_ID}/download"), "download"),
]
ROUTES_POST = [
    (re.compile(r"/api/upload"), "upload"),
    (re.compile(rf"/api/files/{_ID}/preview"), "preview"),
    (re.compile(rf"/api/files/{_ID}/save"), "save"),
    (re.compile(rf"/api/files/{_ID}/draft"), "draft"),
]


def header_safe(value: str) -> str:
    """A header value with every control character (CR, LF, NUL...) removed."""
    return "".join(c for c in value if unicodedata.category(c) != "Cc")


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name, both free of control characters.
    A name that is not valid UTF-8 on disk (given on the command line) reaches Python with its bad
    bytes as lone surrogates, which UTF-8 cannot encode: each becomes U+FFFD (shown as a
    replacement character; the ASCII fallback has ``_``)."""
    name = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in name)
    name = header_safe(name) or "download"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_").replace("\\", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def static_name(path: str, token: str) -> str | None:
    """The file of ``static/`` a path names: ``/static/NAME``, or ``/static/TOKEN/NAME``, the form
    the page loads its modules in. A module's imports (``./api.js``) are resolved against its own
    URL, so a token in the path reaches every module without a cookie (a query would be dropped).
    The token is checked before (``ReviewServer.token_of``); here only its place is."""
    rest = path.removeprefix("/static/")
    if rest == path:
        return None
    folder, _, name = rest.rpartition("/")
    return name if folder in ("", token) else None


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False  # never share a port with another listener
    app: Any

    def __init__(self, address: tuple[str, int], handler: type) -> None:
        super().__init__(address, handler)
        self.slots: threading.BoundedSemaphore | None = None

    def process_request(self, request: Any, client_address: Any) -> None:
        if self.slots is None:
            self.slots = threading.BoundedSemaphore(self.app.max_connections)
        if not self.slots.acquire(blocking=False):  # too many at once: answer and hang up at once
            with contextlib.suppress(OSError):
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                b"Connection: close\r\n\r\n")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            if self.slots is not None:
                self.slots.release()


def make_server(app: Any, host: str, port: int) -> _HTTPServer:
    server = _HTTPServer((host, port), _Handler)
    server.app = app
    return server


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "unseen-review"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.timeout = self.server.app.socket_timeout  # a silent connection is closed after this
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        app = self.server.app
        if app.verbose:  # never the session token, which a log would hand to whoever reads it
            text = (format % args).replace(app.token, "<token>")
            super().log_message("%s", text)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _refuse_method(self) -> None:
        self.close_connection = True
        self._send(405, b"method not allowed\n", "text/plain; charset=utf-8", {"Allow": "GET, POST"})

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _refuse_method

    # -- plumbing -----------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None,
              length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", CSP)
        for k, v in (headers or {}).items():
            self.send_header(k, header_safe(v))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        try:  # NaN and Infinity are not JSON: the page's parser refuses the whole answer
            body = json.dumps(obj, allow_nan=False).encode()
        except ValueError:
            traceback.print_exc()
            status, body = 500, json.dumps({"error": "internal error: the answer held a number that is not "
                                            "finite (NaN or infinity)"}).encode()
        self._send(status, body, "application/json")

    def _body_length(self, limit: int) -> int:
        raw = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise RequestError(411, "chunked bodies are not accepted; send Content-Length")
        if raw is None:
            self.close_connection = True
            raise RequestError(411, "Content-Length required")
        try:
            n = int(raw)
        except ValueError:
            self.close_connection = True
            raise RequestError(400, "bad Content-Length") from None
        if n < 0 or n > limit:
            self.close_connection = True  # the body is not read: drop the connection after answering
            raise RequestError(413, f"request too large (limit {limit // (1024 * 1024)} MB)")
        return n

    def _read_json(self) -> dict:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            self.close_connection = True
            raise RequestError(415, "expected application/json")
        n = self._body_length(MAX_JSON_BYTES)
        try:
            obj = json.loads(self.rfile.read(n) or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise RequestError(400, "body is not valid JSON (or is nested too deeply)") from None
        if not isinstance(obj, dict):
            raise RequestError(400, "body must be a JSON object")
        return obj

    def _dispatch(self, method: str) -> None:
        app = self.server.app
        if app.stopped:  # a connection the browser kept open while the server stopped: no more work
            self.close_connection = True
            self._json(503, {"error": STOPPED, "stopped": True})
            return
        try:
            url = urlsplit(self.path)
            problem = app.check_request(method, url, self.headers)
            if problem is not None:
                if method != "GET":
                    self.close_connection = True  # never read a refused body
                status, reason = problem
                self._send(status, (reason + "\n").encode(), "text/plain; charset=utf-8")
                return
            self._route(method, url)
        except RequestError as exc:
            self._json(exc.status, {**exc.data, "error": exc.message})
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a bug: logged, answered, never a dead connection
            traceback.print_exc()
            self.close_connection = True
            with contextlib.suppress(Exception):
                self._json(500, {"error": f"internal error: {type(exc).__name__}"})

    def _route(self, method: str, url: Any) -> None:
        app = self.server.app
        path = url.path
        if method == "GET" and path == "/":
            # No cookie, ever: browsers send a 127.0.0.1 cookie to every port of 127.0.0.1, so any
            # other local web service the reviewer visits would learn the token. The page keeps the
            # token in its own URL and sends it itself (``static_name``).
            self._send(200, app.index_html(), "text/html; charset=utf-8")
            return
        if method == "GET" and path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
            return
        name = static_name(path, app.token)
        if method == "GET" and name in app._static and name != "index.html":
            self._send(200, app._static[name], STATIC_TYPES[name[name.rindex("."):]])
            return
        for pattern, name in ROUTES_GET if method == "GET" else ROUTES_POST:
            m = pattern.fullmatch(path)
            if m:
                getattr(self, f"_{method.lower()}_{name}")(url, *m.groups())
                return
        if method == "POST":
            self.close_connection = True
        raise RequestError(404, "not found")

    # -- GET ----------------------------------------------------------------------------------------
    def _get_session(self, url: Any) -> None:
        self._json(200, self.server.app.session())

    def _get_detail(self, url: Any, item_id: str) -> None:
        app = self.server.app
        item = app.item(item_id)
        app.reopen_if_changed(item)
        app.ensure_detection(item)
        self._json(200, item.detail())

    def _get_image(self, url: Any, item_id: str) -> None:
        app = self.server.app
        item = app.item(item_id)
        if item.kind != "image":
            raise RequestError(400, "not a photo; use the frame endpoint")
        _, data = app.pixels(item)
        self._send(200, data, "image/jpeg")

    def _get_frame(self, url: Any, item_id: str, k: str) -> None:
        data = self.server.app.item(item_id).frames.get(int(k))
        if data is None:
            raise RequestError(404, "no such sampled frame")
        self._send(200, data, "image/jpeg")

    def _get_thumb(self, url: Any, item_id: str, k: str) -> None:
        data = self.server.app.item(item_id).thumbs.get(int(k))
        if data is None:
            raise RequestError(404, "no such sampled frame")
        self._send(200, data, "image/jpeg")

    def _get_download(self, url: Any, item_id: str) -> None:
        item = self.server.app.item(item_id)
        what = parse_qs(url.query).get("what", ["output"])[0]
        path = item.sidecar if what == "sidecar" else item.output
        if item.save.get("state") != "done" or path is None or not path.is_file():
            raise RequestError(404, "nothing saved yet for this file")
        ctype = "application/json" if what == "sidecar" else (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self._send(200, b"", ctype, {"Content-Disposition": content_disposition(path.name)}, length=size)
            shutil.copyfileobj(fh, self.wfile, 1 << 20)

    # -- POST ---------------------------------------------------------------------------------------
    def _post_upload(self, url: Any) -> None:
        app = self.server.app
        n = self._body_length(app.max_upload)
        if n == 0:
            raise RequestError(400, "empty upload")
        name = self.headers.get("X-Filename", "")
        try:
            item = app.add_upload(name, self.rfile.read, n)
        except RequestError:
            self.close_connection = True  # the body may be partly unread
            raise
        app.ensure_detection(item)
        self._json(201, item.summary())

    def _post_preview(self, url: Any, item_id: str) -> None:
        app = self.server.app
        item = app.item(item_id)
        body = self._read_json()
        style = check_style(body, app.style)
        if item.state != "ready":
            raise RequestError(409, "detection has not finished for this file")
        regions, _ = parse_regions(body.get("regions", []), item.width, item.height)
        if item.kind == "video":
            try:
                k = int(body.get("frame", 0))
            except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400 is JSON's Infinity
                raise RequestError(400, "frame must be a sample number") from None
            pixels = sampled_frame_pixels(item, k)
            if pixels is None:
                raise RequestError(404, "no such sampled frame")
            s = item.frame_scale
            regions = regions.scaled(s) if s != 1 else regions
        else:
            pixels, _ = app.pixels(item)
        options = Options(style=style)
        h, w = pixels.shape[:2]
        check_cost(regions, style, w, h, "preview")
        if not app.preview_slots.acquire(timeout=PREVIEW_WAIT):
            raise RequestError(503, "another preview is still being drawn; try again")
        try:
            out, _ = mask_frame(pixels, regions, options)
        finally:
            app.preview_slots.release()
        self._send(200, jpeg(out), "image/jpeg")

    def _post_save(self, url: Any, item_id: str) -> None:
        app = self.server.app
        item = app.item(item_id)
        state = app.start_save(item, self._read_json())
        self._json(202, state)

    def _post_draft(self, url: Any, item_id: str) -> None:
        app = self.server.app
        item = app.item(item_id)
        self._json(200, app.set_draft(item, self._read_json()))
