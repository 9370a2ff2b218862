"""``unseen review``: the review server's state and work, apart from its HTTP layer (``web.http``).

It serves only the files in ``static/`` and answers computed from the files the user named on the
command line or dropped onto the page. The client never sends a path: every file is an opaque id.
Dropped files go to a private temporary folder (0700) that is removed when the server stops, on
Ctrl-C, SIGTERM or SIGHUP (the terminal closed); a folder a killed server left behind (SIGKILL,
power loss) is swept by the next ``unseen review`` of the same user.

Request checks, in this order, on every request (``ReviewServer.check_request``):

1. ``Host`` must be ``127.0.0.1:PORT`` or ``localhost:PORT`` (DNS rebinding: a foreign name that
   resolves to 127.0.0.1 still carries its own name in ``Host``).
2. ``Origin``, when sent, must be this server's own origin; ``Sec-Fetch-Site`` must not say
   ``cross-site`` or ``same-site`` (another local server on a different port is "same-site").
3. The per-session random token: from the ``X-Unseen-Token`` header, or for GET only, from the
   ``token`` query parameter (the printed URL, the pictures and downloads the page links to) or the
   path ``/static/TOKEN/NAME`` (the page's modules). POST requests need the header, which a
   cross-site page cannot set without a CORS preflight that this server never grants.

No cookie is set or read: a browser sends the cookies of 127.0.0.1 to every port of 127.0.0.1 (they
are not kept apart by port), so a cookie would hand the token to any other local web service the
reviewer's browser visits, which could then call this API.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hmac
import os
import queue
import secrets
import shutil
import tempfile
import threading
import time
import traceback
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, unquote

import numpy as np

from .. import options as unseen_options
from .. import raster
from ..engine.plan import Job, plan
from ..errors import UnseenError
from ..kinds import KINDS
from ..mask import REVERSIBLE_STYLES, REVERSIBLE_WARNING, STYLES
from ..media import MEDIA_SUFFIXES, is_video
from ..media import image as image_io
from ..reaper import Reaper
from . import drafts, saving
from .items import KEPT_ON_REOPEN, Item, detect_photo, file_identity, jpeg, likely_missed, sample_video
from .saving import RequestError

HOST = "127.0.0.1"
TOKEN_HEADER = "X-Unseen-Token"
DEFAULT_MAX_UPLOAD_MB = 1024  # per dropped file (videos can be large)
PIXEL_CACHE = 3  # decoded photos kept in memory
TMP_PREFIX = "unseen-review-"
OWNER_FILE = "owner.pid"
MAX_NAME_BYTES = 150  # an uploaded file's name, in UTF-8 bytes (its output adds ".unseen.json")


class _Worker:
    """A single background thread running queued tasks; stop() drops what has not started."""

    def __init__(self, name: str):
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, task: Callable[[], None]) -> None:
        if not self._stopping:
            self._queue.put(task)

    def _run(self) -> None:
        while True:
            task = self._queue.get()
            if task is None or self._stopping:
                return
            try:
                task()
            except Exception:  # noqa: BLE001 - tasks record their own errors; never kill the worker
                traceback.print_exc()

    def stop(self, timeout: float) -> None:
        self._stopping = True
        self._queue.put(None)
        self._thread.join(timeout)


def safe_upload_name(raw: str) -> str:
    """A plain file name from whatever the client sent: no folders, no control characters, at most
    MAX_NAME_BYTES of UTF-8 (the suffix kept), never starting with a dot."""
    name = unquote(raw or "")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if c.isprintable() and c not in '/\\:*?"<>|')
    name = name.strip().lstrip(".")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = ("." + suffix) if dot else ""
    if len(suffix.encode()) > 16:
        stem, suffix = name, ""
    room = MAX_NAME_BYTES - len(suffix.encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore").strip()
    return (stem + suffix) if stem else "upload" + suffix


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def sweep_stale(root: Path | None = None, grace: float = 3600.0) -> list[Path]:
    """Remove review folders of this user whose server is gone (SIGKILL, a crash, power loss).

    A folder is ours when its name starts with TMP_PREFIX and this user owns it; it is stale when
    the process named in its ``owner.pid`` no longer runs, or when it has no such file (a server
    killed while starting) and nothing in it changed for ``grace`` seconds.
    """
    root = Path(root or tempfile.gettempdir())
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(root):
            if not entry.name.startswith(TMP_PREFIX) or not entry.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError, ValueError):
                st = entry.stat(follow_symlinks=False)
                if st.st_uid != os.getuid():
                    continue
                owner = Path(entry.path) / OWNER_FILE
                if owner.is_file():
                    stale = not _pid_alive(int(owner.read_text().strip()))
                else:
                    stale = time.time() - st.st_mtime > grace
                if stale:
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed.append(Path(entry.path))
    return removed


class ReviewServer:
    """The review server. ``start()`` serves on a thread (tests), ``serve_forever()`` blocks (CLI).

    ``detector`` is unseen's own ``Detector`` (built on first use) unless a test passes another
    object with ``detect`` and ``check``. ONNX Runtime sessions are safe to share between threads,
    so page detection and a running save use the same models without a lock, and a video saved
    here gets the benchmarked detection schedule exactly like one saved from the command line.
    """

    def __init__(self, paths: list[Path] | tuple[Path, ...] = (), output: Path | None = None,
                 style: str = "fill", port: int = 0, detector: Any = None,
                 max_upload: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024, verbose: bool = False):
        from .http import MAX_CONNECTIONS, SOCKET_TIMEOUT, make_server

        if style not in STYLES:
            raise UnseenError(f"unknown style {style!r}")
        self.style = style
        self.output = output
        self.max_upload = int(max_upload)
        self.max_upload_total = 8 * self.max_upload
        self.uploaded_bytes = 0
        self.verbose = verbose
        self.socket_timeout = SOCKET_TIMEOUT
        self.max_connections = MAX_CONNECTIONS
        self.token = secrets.token_urlsafe(32)
        self._detector = detector
        self._detector_lock = threading.Lock()
        self.items: dict[str, Item] = {}
        self.order: list[str] = []
        self._lock = threading.Lock()
        self._pixels: OrderedDict[str, tuple[np.ndarray, bytes | None]] = OrderedDict()
        self._static = self._load_static()
        sweep_stale()
        self.passed: list[Path] = []  # what the folder walk left alone, said as ``unseen`` says it
        self.skipped: list[Path] = []
        jobs, failed = plan([Path(p) for p in paths], Path(output) if output else None, self.skipped,
                            passed=self.passed)
        self.errors = [f"{r.input}: {r.error}" for r in failed]
        for job in jobs:
            self._add(job, uploaded=False)
        self._httpd = make_server(self, HOST, port)  # loopback only, whatever the caller asks
        self.tmpdir = Path(tempfile.mkdtemp(prefix=TMP_PREFIX))  # private (0700), ours alone
        (self.tmpdir / OWNER_FILE).write_text(str(os.getpid()))
        self._reaper = Reaper(self.tmpdir)  # removes it (and the originals dropped here) if this process is killed
        self._stopped = False
        self.unsaved: list[Path] = []  # files being saved when the server stopped (``stop``)
        atexit.register(self._cleanup)
        self.port = int(self._httpd.server_address[1])
        self.allowed_hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}
        self.allowed_origins = {f"http://{h}" for h in self.allowed_hosts}
        self.cookie_name = f"unseen_{self.port}"  # what earlier versions set; never read now
        self._detect_worker = _Worker("unseen-detect")
        self._save_worker = _Worker("unseen-save")
        self.preview_slots = threading.BoundedSemaphore(1)  # previews run one at a time
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/?token={self.token}"

    @property
    def detector(self) -> Any:
        with self._detector_lock:
            if self._detector is None:
                from ..options import Options

                # The page finds what a run finds by default (faces and plates: Options.cover); a
                # reviewer draws text or anything else by hand.
                self._detector = Options().make_detector()
            return self._detector

    def start(self) -> ReviewServer:
        self._thread = threading.Thread(target=self.serve_forever, name="unseen-review", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving, let running work finish (up to ``timeout``), remove every temporary file."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread is not None:  # safe even if the thread has not entered its loop yet
            self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout)
        self._detect_worker.stop(timeout)
        self._save_worker.stop(timeout)
        # A save running or waiting as the server stops writes nothing (its loops end at the signal,
        # ``interrupt``): said by the command, not left to a page that is gone.
        self.unsaved = [item.src for item in list(self.items.values())
                        if item.save.get("state") == "running" or item.save.get("interrupted")]
        self._cleanup()

    def _cleanup(self) -> None:
        self._pixels.clear()
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        self._reaper.close()

    def __enter__(self) -> ReviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def browser_file(self) -> Path:
        """A private page that sends the browser to the session URL, so the token is not on the
        browser's command line (visible to every user in ``ps``). Removed with the temp folder."""
        path = self.tmpdir / "open.html"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={self.url}">'
                     f'<title>unseen review</title><a href="{self.url}">Open unseen review</a>\n')
        return path

    # -- items ------------------------------------------------------------------------------------
    def _add(self, job: Job, uploaded: bool) -> Item:
        item = Item(id=secrets.token_hex(8), job=job, kind="video" if is_video(job.src) else "image",
                    uploaded=uploaded)
        with self._lock:
            self.items[item.id] = item
            self.order.append(item.id)
        return item

    def item(self, item_id: str) -> Item:
        item = self.items.get(item_id)
        if item is None:
            raise RequestError(404, "no such file in this review session")
        return item

    def ensure_detection(self, item: Item) -> None:
        with item.lock:
            if item.state != "new":
                return
            item.state = "queued"
        self._detect_worker.submit(lambda: self._detect(item))

    def reopen_if_changed(self, item: Item) -> None:
        """Open again a file replaced on disk since it was opened (another picture of the same
        name): what the page shows must be what a save reads. Its draft goes with it (regions
        drawn on another picture); the draft number moves on, so no tab's older work is taken."""
        with item.lock:
            if item.state not in ("ready", "error") or item.identity is None or item.save.get("state") == "running":
                return
            now = file_identity(item.src)
            if now is None or now == item.identity:
                return
            fresh = Item(id=item.id, job=item.job, kind=item.kind, uploaded=item.uploaded)
            for f in dataclasses.fields(Item):
                if f.name not in KEPT_ON_REOPEN:
                    setattr(item, f.name, getattr(fresh, f.name))
            item.draft_gen += 1
        with self._lock:
            self._pixels.pop(item.id, None)

    def _detect(self, item: Item) -> None:
        item.state = "detecting"
        item.identity = file_identity(item.src)  # before reading: a change while it runs is seen too
        pixels = None
        try:
            if item.kind == "video":
                sample_video(item, self.detector)
            else:
                pixels = detect_photo(item, self.detector)
                self._remember(item.id, pixels)
            # What an earlier save wrote for this file: the page opens it, not the bare detections.
            saving.open_earlier(item)
            drafts.reopen(item)  # unsaved work an earlier session left: newer than any save
            item.state = "ready"
        except UnseenError as exc:
            item.state, item.error = "error", str(exc)
        except Exception as exc:  # noqa: BLE001 - shown on the page, never silently dropped
            item.state, item.error = "error", f"{type(exc).__name__}: {exc}"
        if item.state != "ready" or pixels is None:
            item.maybe = []
            return
        try:  # after "ready": the page is usable while the wider search runs
            item.maybe = likely_missed(self.detector, pixels, item.regions)
        except Exception as exc:  # noqa: BLE001 - a help, not a promise: say it did not run
            item.maybe = []
            item.notes.append(f"the search for places to check did not run ({type(exc).__name__})")

    def _remember(self, item_id: str, pixels: np.ndarray, data: bytes | None = None) -> None:
        with self._lock:
            self._pixels[item_id] = (pixels, data)
            self._pixels.move_to_end(item_id)
            while len(self._pixels) > PIXEL_CACHE:
                self._pixels.popitem(last=False)

    def pixels(self, item: Item) -> tuple[np.ndarray, bytes]:
        """Upright pixels of a photo's first frame as a viewer shows them (``raster.shown``) and a fresh
        JPEG of them (never the file's bytes)."""
        with self._lock:
            cached = self._pixels.get(item.id)
        if cached is None:
            try:
                with image_io.read(item.src, lazy=True) as img:  # an animation's first frame is all it keeps
                    pixels = raster.shown(img.frames[0], img.alpha[0])
            except UnseenError as exc:
                raise RequestError(422, str(exc)) from None
        else:
            pixels = cached[0]
        data = cached[1] if cached and cached[1] else jpeg(pixels)
        self._remember(item.id, pixels, data)
        return pixels, data

    # -- saving -------------------------------------------------------------------------------------
    def start_save(self, item: Item, body: dict) -> dict:
        with item.lock:
            if item.save.get("state") == "running":
                raise RequestError(409, "this file is already being saved")
            plan = saving.prepare(item, body, self.style)  # may ask first (a 409 with a code)
            item.save = {"state": "running", "progress": None}

        def progress(done: int, total: int) -> None:
            item.save = {"state": "running", "progress": [done, total]}

        def task() -> None:
            item.save = saving.save(item, plan, self.detector, progress)
            with item.lock:  # saved: its draft on disk goes too, unless the page sent a newer one meanwhile
                if item.save.get("state") == "done" and item.draft is None:
                    drafts.drop(item)

        self._save_worker.submit(task)
        return item.save

    def set_draft(self, item: Item, body: dict) -> dict:
        """Keep the page's unsaved regions until saved, in memory and on disk (``drafts``), so that
        neither a reload nor the server stopping loses them. Only an explicit ``regions: null`` drops the draft: a body
        without ``regions`` (empty, ``{}``) is a mistake, never a reason to lose work. A draft
        made on an older one (``base``, another tab or window sent one since) is refused
        (``saving.check_base``): last-writer-wins silently dropped the other tab's regions."""
        if item.state != "ready":
            raise RequestError(409, "detection has not finished for this file")
        if "regions" not in body:
            raise RequestError(400, 'a draft needs "regions": a list, or null to drop the draft')
        items = body["regions"]
        draft = None if items is None else saving.normalise(items, item.kind == "video", item.width, item.height)
        with item.lock:  # a save running now must not clear this newer draft when it ends
            saving.check_base(item, body)
            item.draft = draft
            item.draft_gen += 1  # one more than the page's base: the page counts it so too
            problem = drafts.keep(item)
            if problem and problem not in item.notes:
                item.notes.append(problem)
            return {"draft": item.draft is not None}

    # -- uploads ------------------------------------------------------------------------------------
    def add_upload(self, name: str, reader: Callable[[int], bytes], length: int) -> Item:
        safe = safe_upload_name(name)
        if Path(safe).suffix.lower() not in MEDIA_SUFFIXES:
            raise RequestError(415, f"{safe}: not a photo or video type unseen reads")
        with self._lock:
            if self.uploaded_bytes + length > self.max_upload_total:
                raise RequestError(413, "upload limit for this session reached; restart the review")
            self.uploaded_bytes += length
        folder = self.tmpdir / "uploads" / secrets.token_hex(8)
        try:
            folder.mkdir(parents=True)
            dst = folder / safe
            with open(dst, "xb") as fh:
                left = length
                while left > 0:
                    chunk = reader(min(left, 1 << 20))
                    if not chunk:
                        raise RequestError(400, "upload ended early")
                    fh.write(chunk)
                    left -= len(chunk)
            if not is_video(dst):
                try:
                    image_io.probe_size(dst)
                except UnseenError as exc:
                    raise RequestError(415, f"{safe}: {exc}") from None
        except BaseException as exc:
            shutil.rmtree(folder, ignore_errors=True)
            with self._lock:  # a failed upload does not count against the session's allowance
                self.uploaded_bytes -= length
            if isinstance(exc, OSError):
                raise RequestError(400, f"cannot store the upload: {exc.strerror or exc}") from None
            raise
        job = plan([dst], None)[0][0]  # NAME.unseen.EXT, in a private outputs folder
        return self._add(dataclasses.replace(job, out_dir=self.tmpdir / "outputs" / folder.name), uploaded=True)

    # -- request checks -----------------------------------------------------------------------------
    def check_request(self, method: str, url: Any, headers: Any) -> tuple[int, str] | None:
        """None when the request may proceed, else (status, reason)."""
        host = (headers.get("Host") or "").strip().lower()
        if host not in self.allowed_hosts:
            return 403, "refused: the Host header is not this loopback server"
        origin = headers.get("Origin")
        if origin is not None and origin.strip().lower() not in self.allowed_origins:
            return 403, "refused: request from another origin"
        site = (headers.get("Sec-Fetch-Site") or "").lower()
        if site in ("cross-site", "same-site") and not _opening_the_page(method, url, headers):
            return 403, "refused: cross-site request"
        token = self.token_of(method, url, headers)
        if not token and method == "GET" and self.cookie_name in (headers.get("Cookie") or ""):
            # What earlier versions set (and a browser may still send): refused, never read.
            return 403, "refused: the session token is not taken from a cookie; open the URL printed by `unseen review`"
        if not token:
            return 401, "missing session token: open the URL printed by `unseen review`"
        if not hmac.compare_digest(token.encode("utf-8", "replace"), self.token.encode()):
            return 403, "wrong session token: open the URL printed by `unseen review`"
        return None

    def token_of(self, method: str, url: Any, headers: Any) -> str | None:
        """The token a request carries. Never a cookie (see the module's docstring): a ``Cookie``
        header, whatever it holds, authorises nothing."""
        header = headers.get(TOKEN_HEADER)
        if header is not None or method != "GET":
            return header
        query = parse_qs(url.query).get("token")
        if query:
            return query[0]
        folder, _, _ = url.path.removeprefix("/static/").rpartition("/")
        if url.path.startswith("/static/") and folder:
            return folder
        return None

    # -- static -------------------------------------------------------------------------------------
    @staticmethod
    def _load_static() -> dict[str, bytes]:
        root = resources.files("unseen.web") / "static"
        return {f.name: f.read_bytes() for f in root.iterdir() if f.name.endswith((".html", ".js", ".css"))}

    def index_html(self) -> bytes:
        return self._static["index.html"].replace(b"__UNSEEN_TOKEN__", self.token.encode())

    def session(self) -> dict:
        return {"files": [self.items[i].summary() for i in self.order], "style": self.style,
                "styles": list(STYLES), "reversible": list(REVERSIBLE_STYLES),
                "reversible_warning": REVERSIBLE_WARNING, "max_upload": self.max_upload,
                "output": str(self.output) if self.output else None,
                "suffixes": sorted(MEDIA_SUFFIXES), "audio_choices": list(unseen_options.AUDIO_CHOICES),
                "kinds": [{"name": k.name, "label": k.label, "colour": k.colour} for k in KINDS.values()]}


def _opening_the_page(method: str, url: Any, headers: Any) -> bool:
    """The browser opening the review page itself, as a whole tab: what ``browser_file`` does. That
    page is a local file, so Chromium calls its navigation cross-site, and `unseen review` showed
    "refused: cross-site request". A navigation only loads the page (it still needs the token);
    every request the page makes is its own origin's, and no other page can frame it or read it."""
    return (method == "GET" and url.path == "/" and (headers.get("Sec-Fetch-Mode") or "").lower() == "navigate"
            and (headers.get("Sec-Fetch-Dest") or "").lower() == "document")
