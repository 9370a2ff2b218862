"""``unseen review``: a local web page to check and correct every detection before publishing.

The server is the standard library's ``ThreadingHTTPServer`` bound to 127.0.0.1 on a free port.
It serves only the files in ``static/`` and JSON/JPEG answers computed from the files the user
named on the command line or dropped onto the page. Saving goes through the same engine as the
command line (``unseen.files.anonymize_file``), with a reviewed ``--boxes`` sidecar.

Request checks, in this order, on every request (``ReviewServer.check_request``):

1. ``Host`` must be ``127.0.0.1:PORT`` or ``localhost:PORT`` (DNS rebinding: a foreign name that
   resolves to 127.0.0.1 still carries its own name in ``Host``).
2. ``Origin``, when sent, must be this server's own origin; ``Sec-Fetch-Site`` must not say
   ``cross-site`` or ``same-site`` (another local server on a different port is "same-site").
3. The per-session random token: from the ``X-Unseen-Token`` header, or for GET only, from the
   ``token`` query parameter (the printed URL) or the ``HttpOnly; SameSite=Strict`` cookie set by
   the first page load. POST requests need the header, which a cross-site page cannot set without a
   CORS preflight that this server never grants.

The client never sends a path: every file is an opaque id assigned by the server. Dropped files go
to a private temporary folder that is removed when the server stops.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hmac
import http.cookies
import http.server
import io
import json
import math
import mimetypes
import os
import queue
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import traceback
import unicodedata
import webbrowser
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import numpy as np
from PIL import Image

from .. import boxes as boxes_file
from ..errors import UnseenError
from ..files import MEDIA_SUFFIXES, OUTPUT_MARK, Job, anonymize_file, atomic_output, is_video, plan
from ..mask import REVERSIBLE_STYLES, REVERSIBLE_WARNING, STYLES
from ..media import image as image_io
from ..options import Options
from ..pipeline import mask_frame
from ..regions import Regions, box_iou

HOST = "127.0.0.1"
TOKEN_HEADER = "X-Unseen-Token"
DEFAULT_MAX_UPLOAD_MB = 1024  # per dropped file (videos can be large)
MAX_JSON_BYTES = 4 * 1024 * 1024
MAX_REGIONS = 5000
PIXEL_CACHE = 3  # decoded photos kept in memory
VIDEO_MAX_SAMPLES = 60  # frames sampled for the timeline (1 per second for short clips)
VIDEO_FRAME_SIDE = 1280  # sampled frames are shown and searched at this size at most
THUMB_SIDE = 200
STATIC_FILES = {
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/app.css": ("app.css", "text/css; charset=utf-8"),
}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
       "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
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
]


class HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class SharedDetector:
    """One detector per server, built on first use, used by one thread at a time.

    Every method of the wrapped detector (``detect``, the self-check's ``check``...) is called
    under one lock: detection for the page and a running save share the same models.
    """

    def __init__(self, detector: Any = None):
        self._detector = detector
        self._lock = threading.RLock()

    def _get(self) -> Any:
        with self._lock:
            if self._detector is None:
                from ..detect import Detector

                self._detector = Detector()
            return self._detector

    def detect(self, rgb: np.ndarray) -> Regions:
        with self._lock:
            return self._get().detect(rgb)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attr = getattr(self._get(), name)
        if not callable(attr):
            return attr

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return locked


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
            except Exception:  # tasks record their own errors; never kill the worker
                traceback.print_exc()

    def stop(self, timeout: float) -> None:
        self._stopping = True
        self._queue.put(None)
        self._thread.join(timeout)


@dataclass
class Item:
    """One photo or video under review. The client knows it only by ``id``."""

    id: str
    job: Job
    kind: str  # image | video
    uploaded: bool
    state: str = "new"  # new | queued | detecting | ready | error
    error: str | None = None
    width: int = 0
    height: int = 0
    animated: bool = False
    regions: list[dict] = field(default_factory=list)  # detected (photo)
    notes: list[str] = field(default_factory=list)
    # video
    duration: float = 0.0
    sample_total: int = 0
    samples: list[dict] = field(default_factory=list)  # {"k", "t", "regions"}
    tracks: list[dict] = field(default_factory=list)
    frame_scale: float = 1.0  # sampled frame pixels per video pixel
    frames: dict[int, bytes] = field(default_factory=dict)  # JPEG of each sampled frame
    thumbs: dict[int, bytes] = field(default_factory=dict)
    # saving
    save: dict = field(default_factory=lambda: {"state": "idle"})
    output: Path | None = None
    sidecar: Path | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def src(self) -> Path:
        return self.job.src

    def summary(self) -> dict:
        return {"id": self.id, "name": self.src.name, "kind": self.kind, "state": self.state,
                "uploaded": self.uploaded, "saved": self.save.get("state") == "done",
                "path": None if self.uploaded else str(self.src)}

    def detail(self) -> dict:
        d = self.summary()
        d.update(error=self.error, width=self.width, height=self.height, animated=self.animated,
                 notes=self.notes, save=self.save)
        if self.kind == "video":
            d.update(duration=self.duration, sample_total=self.sample_total, samples=self.samples,
                     tracks=self.tracks)
        else:
            d["regions"] = self.regions
        return d


def _jpeg(pixels: np.ndarray, quality: int = 90) -> bytes:
    """A brand-new JPEG from pixels alone: no EXIF, ICC or thumbnail can come along."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), "RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _resize(pixels: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    import cv2

    h, w = pixels.shape[:2]
    s = min(1.0, max_side / max(h, w))
    if s >= 1.0:
        return pixels, 1.0
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), s


def safe_upload_name(raw: str) -> str:
    """A plain file name from whatever the client sent: no folders, no control characters."""
    name = unquote(raw or "")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if c.isprintable() and c not in '/\\:*?"<>|')
    name = name.strip().lstrip(".")[-120:]
    return name or "upload"


def parse_regions(items: Any, width: int, height: int, timed: bool = False,
                  duration: float | None = None) -> tuple[Regions, list[tuple[float | None, float | None]]]:
    """Validate regions sent by the page: finite numbers, clipped to the image, known kinds."""
    if not isinstance(items, list):
        raise HTTPError(400, "regions must be a list")
    if len(items) > MAX_REGIONS:
        raise HTTPError(400, f"too many regions (max {MAX_REGIONS})")
    clean: list[dict] = []
    times: list[tuple[float | None, float | None]] = []
    for i, it in enumerate(items):
        if not isinstance(it, dict):
            raise HTTPError(400, f"region {i}: not an object")
        try:
            x, y, w, h = (float(it[k]) for k in ("x", "y", "w", "h"))
            score = float(it.get("score", 1.0))
        except (KeyError, TypeError, ValueError):
            raise HTTPError(400, f"region {i}: needs numeric x, y, w, h") from None
        if not all(math.isfinite(v) for v in (x, y, w, h, score)):
            raise HTTPError(400, f"region {i}: numbers must be finite")
        x1, y1 = min(max(x, 0.0), width), min(max(y, 0.0), height)
        x2, y2 = min(max(x + w, 0.0), width), min(max(y + h, 0.0), height)
        if x2 - x1 < 1 or y2 - y1 < 1:
            continue  # nothing left inside the image
        kind = it.get("kind", "manual")
        kind = kind if kind in ("face", "manual") else "manual"
        clean.append({"x": x1, "y": y1, "w": x2 - x1, "h": y2 - y1, "kind": kind,
                      "score": min(max(score, 0.0), 1.0)})
        if timed:
            t0, t1 = it.get("t0"), it.get("t1")
            try:
                t0 = None if t0 is None else max(0.0, float(t0))
                t1 = None if t1 is None else max(0.0, float(t1))
            except (TypeError, ValueError):
                raise HTTPError(400, f"region {i}: t0 and t1 must be seconds") from None
            if (t0 is not None and not math.isfinite(t0)) or (t1 is not None and not math.isfinite(t1)):
                raise HTTPError(400, f"region {i}: t0 and t1 must be finite")
            if t0 is not None and t1 is not None and t1 < t0:
                t0, t1 = t1, t0
            times.append((t0, t1))
    return Regions.from_json(clean, source="review"), times


def link_tracks(samples: list[dict], iou: float = 0.2, max_gap: int = 2) -> list[dict]:
    """Group detections on sampled frames into simple tracks by IoU.

    Greedy, best overlap first; tracks seen on the previous sample are matched before older ones,
    so a face is not handed to a track that lost it earlier.
    """
    tracks: list[dict] = []
    for s in samples:
        k = s["k"]
        boxes = np.array([[r["x"], r["y"], r["x"] + r["w"], r["y"] + r["h"]] for r in s["regions"]],
                         np.float32).reshape(-1, 4)
        taken: set[int] = set()
        for gap in range(1, max_gap + 1):
            active = [tr for tr in tracks if k - tr["last_k"] == gap]
            if not active or len(taken) == len(boxes):
                continue
            m = box_iou(np.array([tr["last_box"] for tr in active], np.float32), boxes)
            used: set[int] = set()
            for flat in np.argsort(-m, axis=None, kind="stable"):
                a, b = divmod(int(flat), m.shape[1])
                if m[a, b] < iou:
                    break
                if a in used or b in taken:
                    continue
                tr = active[a]
                tr.update(last_k=k, last_box=boxes[b].tolist(), t1=s["t"])
                tr["samples"].append(k)
                used.add(a)
                taken.add(b)
        for b in range(len(boxes)):
            if b not in taken:
                tracks.append({"id": len(tracks) + 1, "t0": s["t"], "t1": s["t"], "samples": [k],
                               "last_k": k, "last_box": boxes[b].tolist()})
    return [{"id": t["id"], "t0": t["t0"], "t1": t["t1"], "samples": t["samples"]} for t in tracks]


def _upright_video_frame(frame: Any) -> np.ndarray:
    """RGB pixels of a PyAV frame, turned upright exactly as the video writer turns them."""
    rgb = frame.to_ndarray(format="rgb24")
    try:
        from ..media.video import Orientation
    except ImportError:  # no video writer in this build: plain rotation from the display matrix
        try:
            rotation = float(getattr(frame, "rotation", 0) or 0)  # counter-clockwise degrees
        except (TypeError, ValueError):
            rotation = 0.0
        k = round(rotation / 90) % 4
        return np.ascontiguousarray(np.rot90(rgb, k)) if k else rgb
    return Orientation.from_frame(frame).apply(rgb)


class ReviewServer:
    """The review server. ``start()`` serves on a thread (tests), ``serve_forever()`` blocks (CLI)."""

    def __init__(self, paths: list[Path] | tuple[Path, ...] = (), output: Path | None = None,
                 style: str = "fill", port: int = 0, detector: Any = None,
                 max_upload: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024, verbose: bool = False):
        if style not in STYLES:
            raise UnseenError(f"unknown style {style!r}")
        self.style = style
        self.output = output
        self.max_upload = int(max_upload)
        self.max_upload_total = 8 * self.max_upload
        self.uploaded_bytes = 0
        self.verbose = verbose
        self.token = secrets.token_urlsafe(32)
        self.detector = SharedDetector(detector)
        self.items: dict[str, Item] = {}
        self.order: list[str] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._pixels: OrderedDict[str, tuple[np.ndarray, bytes | None]] = OrderedDict()
        self._static = self._load_static()
        jobs, failed = plan([Path(p) for p in paths], Path(output) if output else None)
        self.errors = [f"{r.input}: {r.error}" for r in failed]
        for job in jobs:
            self._add(job, uploaded=False)
        self._httpd = _HTTPServer((HOST, port), _Handler)  # loopback only, whatever the caller asks
        self._httpd.app = self
        self.tmpdir = Path(tempfile.mkdtemp(prefix="unseen-review-"))  # private (0700), ours alone
        self._stopped = False
        atexit.register(self._cleanup)
        self.port = int(self._httpd.server_address[1])
        self.allowed_hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}
        self.allowed_origins = {f"http://{h}" for h in self.allowed_hosts}
        self.cookie_name = f"unseen_{self.port}"
        self._detect_worker = _Worker("unseen-detect")
        self._save_worker = _Worker("unseen-save")
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/?token={self.token}"

    def start(self) -> ReviewServer:
        self._thread = threading.Thread(target=self.serve_forever, name="unseen-review", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

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
        self._cleanup()

    def _cleanup(self) -> None:
        self._pixels.clear()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self) -> ReviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

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
            raise HTTPError(404, "no such file in this review session")
        return item

    def ensure_detection(self, item: Item) -> None:
        with item.lock:
            if item.state != "new":
                return
            item.state = "queued"
        self._detect_worker.submit(lambda: self._detect(item))

    def _detect(self, item: Item) -> None:
        item.state = "detecting"
        try:
            if item.kind == "video":
                self._detect_video(item)
            else:
                img = image_io.read(item.src)
                frame = img.frames[0]
                item.height, item.width = frame.shape[:2]
                item.animated = img.animated
                item.notes = list(img.notes)
                if img.animated:
                    item.notes.append(f"animation of {len(img.frames)} frames: the first is shown; the "
                                      "detector still runs on every frame when saving")
                self._remember(item.id, frame)
                item.regions = self.detector.detect(frame).to_json()
            item.state = "ready"
        except UnseenError as exc:
            item.state, item.error = "error", str(exc)
        except Exception as exc:  # shown on the page, never silently dropped
            item.state, item.error = "error", f"{type(exc).__name__}: {exc}"

    def _remember(self, item_id: str, pixels: np.ndarray, jpeg: bytes | None = None) -> None:
        with self._lock:
            self._pixels[item_id] = (pixels, jpeg)
            self._pixels.move_to_end(item_id)
            while len(self._pixels) > PIXEL_CACHE:
                self._pixels.popitem(last=False)

    def pixels(self, item: Item) -> tuple[np.ndarray, bytes]:
        """Upright pixels of a photo's first frame and a fresh JPEG of them (never the file's bytes)."""
        with self._lock:
            cached = self._pixels.get(item.id)
        if cached is None:
            try:
                pixels = image_io.read(item.src).frames[0]
            except UnseenError as exc:
                raise HTTPError(422, str(exc)) from None
        else:
            pixels = cached[0]
        jpeg = cached[1] if cached and cached[1] else _jpeg(pixels)
        self._remember(item.id, pixels, jpeg)
        return pixels, jpeg

    # -- video --------------------------------------------------------------------------------------
    def _detect_video(self, item: Item) -> None:
        import av

        try:
            container = av.open(str(item.src))
        except Exception as exc:
            raise UnseenError(f"cannot open video: {exc}") from None
        with container:
            if not container.streams.video:
                raise UnseenError("no video stream")
            vs = container.streams.video[0]
            vs.thread_type = "AUTO"
            tb = float(vs.time_base) if vs.time_base else 1 / 90000
            start = vs.start_time or 0
            if vs.duration:
                duration = float(vs.duration * vs.time_base)
            elif container.duration:
                duration = container.duration / 1_000_000
            else:
                duration = 0.0
            n = 1 if duration <= 0 else min(VIDEO_MAX_SAMPLES, max(1, math.ceil(duration)))
            step = duration / n if n else 0.0
            times = [round(i * step + (step / 2 if n > 1 and duration > VIDEO_MAX_SAMPLES else 0), 3)
                     for i in range(n)]
            item.duration, item.sample_total = round(duration, 3), n
            first_pts = None
            for k, t in enumerate(times):
                frame = self._video_frame_at(container, vs, start, tb, t)
                if frame is None:
                    continue
                if frame.pts is not None:
                    # Times count from the first frame, as the writer's (and the sidecar's) do.
                    first_pts = frame.pts if first_pts is None else first_pts
                    t = round(max(0.0, (frame.pts - first_pts) * tb), 3)
                if item.samples and t <= item.samples[-1]["t"]:
                    continue  # a very short clip: the same frame again
                rgb = _upright_video_frame(frame)
                if not item.width:
                    item.height, item.width = rgb.shape[:2]
                small, s = _resize(rgb, VIDEO_FRAME_SIDE)
                item.frame_scale = s
                found = self.detector.detect(small).scaled(1 / s) if s != 1 else self.detector.detect(small)
                regions = found.clipped(item.width, item.height).to_json()
                item.frames[k] = _jpeg(small, 85)
                item.thumbs[k] = self._thumb(small, found.scaled(s) if s != 1 else found)
                item.samples.append({"k": k, "t": t, "regions": regions})
                item.tracks = link_tracks(item.samples)
            if not item.samples:
                raise UnseenError("no frame could be decoded")

    @staticmethod
    def _video_frame_at(container: Any, vs: Any, start: int, tb: float, t: float) -> Any:
        """The first frame at or after ``t`` seconds from the start (seek to the keyframe before)."""
        try:
            container.seek(int(start + t / tb), stream=vs, backward=True, any_frame=False)
        except Exception:  # unseekable: decode from the start
            with contextlib.suppress(Exception):
                container.seek(0)
        last = None
        try:
            for frame in container.decode(vs):
                last = frame
                if frame.pts is None or (frame.pts - start) * tb >= t - 1e-3:
                    return frame
        except Exception:  # a damaged tail: keep what decoded
            pass
        return last

    @staticmethod
    def _thumb(pixels: np.ndarray, regions: Regions) -> bytes:
        import cv2

        small, s = _resize(pixels, THUMB_SIDE)
        small = small.copy()
        for b in regions.boxes * s:
            cv2.rectangle(small, (int(b[0]), int(b[1])), (int(b[2]), int(b[3])), (255, 200, 0), 2)
        return _jpeg(small, 80)

    def video_frame_pixels(self, item: Item, k: int) -> np.ndarray:
        data = item.frames.get(k)
        if data is None:
            raise HTTPError(404, "no such sampled frame")
        with Image.open(io.BytesIO(data)) as im:
            return np.asarray(im.convert("RGB")).copy()

    # -- saving -------------------------------------------------------------------------------------
    def start_save(self, item: Item, body: dict) -> dict:
        style = body.get("style", self.style)
        if style not in STYLES:
            raise HTTPError(400, f"style must be one of {', '.join(STYLES)}")
        if item.state != "ready":
            raise HTTPError(409, "detection has not finished for this file")
        video = item.kind == "video"
        regions, times = parse_regions(body.get("regions", []), item.width, item.height, timed=video)
        if video or item.animated:
            keep = regions.kinds == "manual"  # the detector runs on every frame anyway
            regions = regions[keep]
            times = [t for t, k in zip(times, keep, strict=False) if k] if video else []
        # Replacing is the user's call (force), except for files this session wrote itself: saving
        # again after another look must not need a checkbox.
        ours = item.output is not None and item.output.exists()
        force = bool(body.get("force")) or item.uploaded or ours
        with item.lock:
            if item.save.get("state") == "running":
                raise HTTPError(409, "this file is already being saved")
            item.save = {"state": "running", "progress": None}
        self._save_worker.submit(lambda: self._save(item, regions, times, style, force))
        return item.save

    def _save(self, item: Item, regions: Regions, times: list, style: str, force: bool) -> None:
        """Write the reviewed regions as ``NAME.unseen.json``, then the output through the engine.

        The sidecar goes first, so a review is never lost when the output fails (it can be re-run
        with ``unseen --boxes``). Like outputs, an existing sidecar is only replaced with force, or
        when this session wrote it.
        """
        mode = "add" if item.kind == "video" or item.animated else "only"
        text = boxes_file.dump(item.src.name, regions, item.width, item.height, mode=mode,
                               times=times or None)
        side = item.job.out_dir / (item.src.stem + OUTPUT_MARK + ".json")
        try:
            with atomic_output(side, force=force or item.sidecar == side) as tmp:
                tmp.write_text(text, encoding="utf-8")
            item.sidecar = side
            sets = tuple(boxes_file.load(side))  # exactly what `unseen --boxes` reads

            def progress(done: int, total: int) -> None:
                item.save = {"state": "running", "progress": [done, total]}

            options = Options(style=style, boxes=sets, force=force)
            try:
                report = anonymize_file(item.job, options, self.detector, progress)  # type: ignore[arg-type]
            except ImportError as exc:  # e.g. a build without the video writer
                raise UnseenError(f"saving {item.kind}s is not available here ({exc})") from None
            if report.status != "ok" or not report.output:
                raise UnseenError(f"{report.error or 'failed'}. The reviewed regions are kept in {side.name}")
            item.output = Path(report.output)
            info = report.to_json()
            if item.uploaded:  # temporary paths mean nothing to the user: offer downloads instead
                info.pop("input", None)
                info["output"] = item.output.name
            warnings = list(report.warnings)
            if style in REVERSIBLE_STYLES:
                warnings.append(REVERSIBLE_WARNING.format(style=style))
            reviewed = {"faces": int((regions.kinds == "face").sum()),
                        "added": int((regions.kinds == "manual").sum())}
            item.save = {"state": "done", "report": info, "warnings": warnings, "reviewed": reviewed,
                         "output": info.get("output"), "sidecar": side.name if item.uploaded else str(side),
                         "download": f"/api/files/{item.id}/download",
                         "sidecar_download": f"/api/files/{item.id}/download?what=sidecar"}
        except UnseenError as exc:
            item.save = {"state": "error", "error": str(exc)}
        except Exception as exc:  # say so on the page, never silently
            item.save = {"state": "error", "error": f"{type(exc).__name__}: {exc}"}

    # -- uploads ------------------------------------------------------------------------------------
    def add_upload(self, name: str, reader: Callable[[int], bytes], length: int) -> Item:
        safe = safe_upload_name(name)
        if Path(safe).suffix.lower() not in MEDIA_SUFFIXES:
            raise HTTPError(415, f"{safe}: not a photo or video type unseen reads")
        with self._lock:
            if self.uploaded_bytes + length > self.max_upload_total:
                raise HTTPError(413, "upload limit for this session reached; restart the review")
            self.uploaded_bytes += length
        folder = self.tmpdir / "uploads" / secrets.token_hex(8)
        folder.mkdir(parents=True)
        dst = folder / safe
        try:
            with open(dst, "xb") as fh:
                left = length
                while left > 0:
                    chunk = reader(min(left, 1 << 20))
                    if not chunk:
                        raise HTTPError(400, "upload ended early")
                    fh.write(chunk)
                    left -= len(chunk)
            if not is_video(dst):
                try:
                    image_io.probe_size(dst)
                except UnseenError as exc:
                    raise HTTPError(415, f"{safe}: {exc}") from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        out = self.tmpdir / "outputs" / folder.name
        return self._add(Job(dst, out, dst.stem + OUTPUT_MARK, False), uploaded=True)

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
        if site in ("cross-site", "same-site"):
            return 403, "refused: cross-site request"
        token = self.token_of(method, url, headers)
        if not token:
            return 401, "missing session token: open the URL printed by `unseen review`"
        if not hmac.compare_digest(token.encode("utf-8", "replace"), self.token.encode()):
            return 403, "wrong session token: open the URL printed by `unseen review`"
        return None

    def token_of(self, method: str, url: Any, headers: Any) -> str | None:
        header = headers.get(TOKEN_HEADER)
        if header is not None or method != "GET":
            return header
        query = parse_qs(url.query).get("token")
        if query:
            return query[0]
        try:
            jar = http.cookies.SimpleCookie(headers.get("Cookie") or "")
        except http.cookies.CookieError:
            return None
        morsel = jar.get(self.cookie_name)
        return morsel.value if morsel else None

    # -- static -------------------------------------------------------------------------------------
    @staticmethod
    def _load_static() -> dict[str, bytes]:
        root = resources.files("unseen.web") / "static"
        return {name: (root / name).read_bytes() for name in ("index.html", "app.js", "app.css")}

    def index_html(self) -> bytes:
        return self._static["index.html"].replace(b"__UNSEEN_TOKEN__", self.token.encode())

    def session(self) -> dict:
        return {"files": [self.items[i].summary() for i in self.order], "style": self.style,
                "styles": list(STYLES), "reversible": list(REVERSIBLE_STYLES),
                "reversible_warning": REVERSIBLE_WARNING, "max_upload": self.max_upload,
                "output": str(self.output) if self.output else None,
                "suffixes": sorted(MEDIA_SUFFIXES)}


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False  # never share a port with another listener
    app: ReviewServer


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "unseen-review"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.app.verbose:
            super().log_message(format, *args)

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
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json")

    def _body_length(self, limit: int) -> int:
        raw = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise HTTPError(411, "chunked bodies are not accepted; send Content-Length")
        if raw is None:
            self.close_connection = True
            raise HTTPError(411, "Content-Length required")
        try:
            n = int(raw)
        except ValueError:
            self.close_connection = True
            raise HTTPError(400, "bad Content-Length") from None
        if n < 0 or n > limit:
            self.close_connection = True  # the body is not read: drop the connection after answering
            raise HTTPError(413, f"request too large (limit {limit // (1024 * 1024)} MB)")
        return n

    def _read_json(self) -> dict:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            self.close_connection = True
            raise HTTPError(415, "expected application/json")
        n = self._body_length(MAX_JSON_BYTES)
        try:
            obj = json.loads(self.rfile.read(n) or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise HTTPError(400, "body is not valid JSON") from None
        if not isinstance(obj, dict):
            raise HTTPError(400, "body must be a JSON object")
        return obj

    def _dispatch(self, method: str) -> None:
        app = self.server.app
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
        except HTTPError as exc:
            self._json(exc.status, {"error": exc.message})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:
            traceback.print_exc()
            self.close_connection = True
            with contextlib.suppress(Exception):
                self._json(500, {"error": f"internal error: {type(exc).__name__}"})

    def _route(self, method: str, url: Any) -> None:
        app = self.server.app
        path = url.path
        if method == "GET" and path == "/":
            headers = {}
            if parse_qs(url.query).get("token"):
                headers["Set-Cookie"] = (f"{app.cookie_name}={app.token}; Path=/; HttpOnly; "
                                         "SameSite=Strict")
            self._send(200, app.index_html(), "text/html; charset=utf-8", headers)
            return
        if method == "GET" and path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
            return
        if method == "GET" and path in STATIC_FILES:
            name, ctype = STATIC_FILES[path]
            self._send(200, app._static[name], ctype)
            return
        for pattern, name in ROUTES_GET if method == "GET" else ROUTES_POST:
            m = pattern.fullmatch(path)
            if m:
                getattr(self, f"_{method.lower()}_{name}")(url, *m.groups())
                return
        if method == "POST":
            self.close_connection = True
        raise HTTPError(404, "not found")

    # -- GET ----------------------------------------------------------------------------------------
    def _get_session(self, url: Any) -> None:
        self._json(200, self.server.app.session())

    def _get_detail(self, url: Any, item_id: str) -> None:
        app = self.server.app
        item = app.item(item_id)
        app.ensure_detection(item)
        self._json(200, item.detail())

    def _get_image(self, url: Any, item_id: str) -> None:
        app = self.server.app
        item = app.item(item_id)
        if item.kind != "image":
            raise HTTPError(400, "not a photo; use the frame endpoint")
        _, jpeg = app.pixels(item)
        self._send(200, jpeg, "image/jpeg")

    def _get_frame(self, url: Any, item_id: str, k: str) -> None:
        data = self.server.app.item(item_id).frames.get(int(k))
        if data is None:
            raise HTTPError(404, "no such sampled frame")
        self._send(200, data, "image/jpeg")

    def _get_thumb(self, url: Any, item_id: str, k: str) -> None:
        data = self.server.app.item(item_id).thumbs.get(int(k))
        if data is None:
            raise HTTPError(404, "no such sampled frame")
        self._send(200, data, "image/jpeg")

    def _get_download(self, url: Any, item_id: str) -> None:
        item = self.server.app.item(item_id)
        what = parse_qs(url.query).get("what", ["output"])[0]
        path = item.sidecar if what == "sidecar" else item.output
        if item.save.get("state") != "done" or path is None or not path.is_file():
            raise HTTPError(404, "nothing saved yet for this file")
        ctype = "application/json" if what == "sidecar" else (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        ascii_name = path.name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(path.name)}"
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self._send(200, b"", ctype, {"Content-Disposition": disposition}, length=size)
            shutil.copyfileobj(fh, self.wfile, 1 << 20)

    # -- POST ---------------------------------------------------------------------------------------
    def _post_upload(self, url: Any) -> None:
        app = self.server.app
        n = self._body_length(app.max_upload)
        if n == 0:
            raise HTTPError(400, "empty upload")
        name = self.headers.get("X-Filename", "")
        try:
            item = app.add_upload(name, self.rfile.read, n)
        except HTTPError:
            self.close_connection = True  # the body may be partly unread
            raise
        app.ensure_detection(item)
        self._json(201, item.summary())

    def _post_preview(self, url: Any, item_id: str) -> None:
        app = self.server.app
        item = app.item(item_id)
        body = self._read_json()
        style = body.get("style", app.style)
        if style not in STYLES:
            raise HTTPError(400, f"style must be one of {', '.join(STYLES)}")
        if item.state != "ready":
            raise HTTPError(409, "detection has not finished for this file")
        regions, _ = parse_regions(body.get("regions", []), item.width, item.height)
        if item.kind == "video":
            try:
                k = int(body.get("frame", 0))
            except (TypeError, ValueError):
                raise HTTPError(400, "frame must be a sample number") from None
            pixels = app.video_frame_pixels(item, k)
            s = item.frame_scale
            regions = regions.scaled(s) if s != 1 else regions
        else:
            pixels, _ = app.pixels(item)
        out, _ = mask_frame(pixels, regions, Options(style=style))
        self._send(200, _jpeg(out), "image/jpeg")

    def _post_save(self, url: Any, item_id: str) -> None:
        app = self.server.app
        item = app.item(item_id)
        state = app.start_save(item, self._read_json())
        self._json(202, state)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="unseen review",
        description="Open a local page to check and correct every detection before publishing. "
        "Saving writes NAME.unseen.EXT and the reviewed regions as NAME.unseen.json beside each input "
        "(or in --output).",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="photos, videos or folders (more can be dropped onto the page)")
    p.add_argument("--no-browser", action="store_true", help="print the URL but do not open a browser")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("-o", "--output", type=Path, help="write outputs into this folder")
    p.add_argument("--style", choices=STYLES, default="fill", help="initial masking style (default fill)")
    p.add_argument("--max-upload", type=float, default=DEFAULT_MAX_UPLOAD_MB,
                   help=f"largest file that can be dropped onto the page, in MB "
                   f"(default {DEFAULT_MAX_UPLOAD_MB})")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request on stderr")
    args = p.parse_args(argv)
    if not 0 <= args.port <= 65535:
        p.error("--port must be between 0 and 65535")
    if args.max_upload <= 0:
        p.error("--max-upload must be positive")
    try:
        server = ReviewServer(args.paths, output=args.output, style=args.style, port=args.port,
                              max_upload=int(args.max_upload * 1024 * 1024), verbose=args.verbose)
    except OSError as exc:
        print(f"unseen: cannot listen on {HOST}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for problem in server.errors:
        print(f"unseen: {problem}", file=sys.stderr)
    if args.paths and not server.items:
        print("unseen: no photos or videos found in the given paths", file=sys.stderr)
        server.stop()
        return 1
    print(f"unseen review: {server.url}", flush=True)
    print("Open that address in a browser on this computer. Press Ctrl+C to stop; temporary files "
          "are then removed.", file=sys.stderr, flush=True)

    def _terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        signal.signal(signal.SIGTERM, _terminate)
    try:
        server.start()
        if not args.no_browser:
            _open_browser(server.url)
        while server.running:
            server.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _open_browser(url: str) -> None:
    """Open a graphical browser; never a console one, which would take over this terminal."""
    headless = (sys.platform.startswith("linux") and not os.environ.get("BROWSER")
                and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")))
    opened = False
    if not headless:
        with contextlib.suppress(Exception):
            opened = webbrowser.open(url)
    if not opened:
        print("unseen: no browser opened; open the address above yourself", file=sys.stderr, flush=True)
