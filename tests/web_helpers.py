"""Helpers shared by the review-page tests (test_web.py, test_web_video.py): the fixture photo, a stub
detector, HTTP helpers for the review server, a tiny clip, and Debian's headless Chromium."""

from __future__ import annotations

import http.client
import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from unseen.mask import MaskSpec
from unseen.regions import Regions
from unseen.web import server as web
from unseen.web.server import ReviewServer

ROOT = Path(__file__).resolve().parents[1]


FIXTURES = ROOT / "tests" / "fixtures"


PHOTO = FIXTURES / "2008_002470.jpg"  # 500 x 332, six faces


CHROMIUM = Path("/usr/bin/chromium")


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


# A patch with no face in PHOTO (image pixels x1, y1, x2, y2) for the "missed" region: the tablecloth.
PATCH = (90, 270, 160, 330)


FILL = np.array(MaskSpec().color, np.int16)  # colour of the default "fill" style


def _filled(pixels: np.ndarray) -> bool:
    """True when every pixel is the fill colour (give or take JPEG noise)."""
    return bool(np.abs(np.asarray(pixels, np.int16) - FILL).max() < 30)


class StubDetector:
    """Finds one 'face' at a fixed place: keeps API tests fast and deterministic."""

    box = (150.0, 160.0, 190.0, 210.0)

    def detect(self, rgb: np.ndarray) -> Regions:
        return Regions.from_boxes([self.box], [0.9])

    def check(self, rgb: np.ndarray) -> Regions:  # the engine's self-check pass
        return Regions.empty()


def _photo_with_metadata(dst: Path, orientation: int = 1) -> Path:
    """The fixture photo re-saved with EXIF that must never reach an output (GPS, artist, camera)."""
    with Image.open(PHOTO) as im:
        exif = Image.Exif()
        exif[0x010F] = "TestMake"  # Make
        exif[0x013B] = "Jane Photographer"  # Artist
        exif[0x0112] = orientation
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "E", 4: (0.0, 7.0, 30.0)}  # GPS IFD
        im.convert("RGB").save(dst, "JPEG", quality=95, exif=exif.tobytes(), comment=b"secret comment")
    return dst


def _req(srv: ReviewServer, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
         token: bool = True) -> tuple[int, dict, bytes]:
    h = {"Host": f"127.0.0.1:{srv.port}"}
    if token:
        h[web.TOKEN_HEADER] = srv.token
    h.update(headers or {})
    h = {k: v for k, v in h.items() if v is not None}
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def _json(srv: ReviewServer, method: str, path: str, obj: dict | None = None) -> tuple[int, dict]:
    body = None if obj is None else json.dumps(obj).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    status, _, data = _req(srv, method, path, headers, body)
    return status, json.loads(data)


def _ready(srv: ReviewServer, item_id: str, timeout: float = 30) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        _, d = _json(srv, "GET", f"/api/files/{item_id}")
        if d["state"] in ("ready", "error") and d["save"]["state"] != "running":
            return d
        time.sleep(0.1)
    raise AssertionError(f"file {item_id} not ready in {timeout}s")


def _exif_groups(exiftool: str, path: Path) -> tuple[list[str], str]:
    """Metadata groups exiftool finds beyond the file's own structure, and all its text."""
    out = subprocess.run([exiftool, "-j", "-G", str(path)], capture_output=True, check=True).stdout
    tags = json.loads(out)[0]
    bad = [k for k in tags if k.split(":")[0] in ("EXIF", "GPS", "XMP", "IPTC", "ICC_Profile", "MakerNotes")]
    return bad, json.dumps(tags)


def _first_id(srv: ReviewServer) -> str:
    return srv.order[0]


# -- video -------------------------------------------------------------------------------------------
def _tiny_video(path: Path, seconds: int = 3, fps: int = 10) -> Path:
    import av

    with Image.open(PHOTO) as im:
        base = np.asarray(im.convert("RGB").resize((320, 212)))
    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=fps)
        s.width, s.height, s.pix_fmt = 320, 212, "yuv420p"
        for i in range(seconds * fps):
            frame = av.VideoFrame.from_ndarray(np.roll(base, i, axis=1).copy(), format="rgb24")
            for packet in s.encode(frame):
                c.mux(packet)
        for packet in s.encode():
            c.mux(packet)
    return path


def _assert_masked_between(path: Path, box: tuple[int, int, int, int], t0: float, t1: float) -> None:
    """The box is filled on frames inside [t0, t1] and left alone well outside it."""
    import av

    x1, y1, x2, y2 = box
    inside = outside = 0
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        first = None
        for f in c.decode(s):
            first = f.pts if first is None else first
            t = float((f.pts - first) * s.time_base)
            patch = f.to_ndarray(format="rgb24")[y1 + 4:y2 - 4, x1 + 4:x2 - 4]
            if t0 + 0.05 <= t <= t1 - 0.05:
                assert _filled(patch), t
                inside += 1
            elif t < t0 - 0.6 or t > t1 + 0.6:  # beyond any hold the writer adds
                assert not _filled(patch), t
                outside += 1
    assert inside and outside


# -- the real browser ---------------------------------------------------------------------------------
def _launch_chromium():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("needs the playwright Python package (pip install playwright)")
    return sync_playwright


# Regions the review tests send (a copy of PHOTO to review is conftest's ``photo``).
ADDED = {"x": 90, "y": 270, "w": 70, "h": 60, "kind": "manual"}
FACE = {"x": 150, "y": 160, "w": 40, "h": 50, "kind": "face", "score": 0.9}


def _serve(paths, detector=None, **kw) -> ReviewServer:
    return ReviewServer(list(paths), detector=detector or StubDetector(), **kw).start()


def _save_item(srv: ReviewServer, item_id: str, body: dict) -> tuple[int, dict]:
    """Save one file and wait for the save to end: (status, the save's state or the refusal)."""
    status, answer = _json(srv, "POST", f"/api/files/{item_id}/save", body)
    return (status, answer) if status != 202 else (status, _ready(srv, item_id, 60)["save"])
