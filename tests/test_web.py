"""The review page (issue 4): request checks, saving through the engine, and one real-browser run.

API tests use a stub detector and plain ``http.client`` (fast). The browser test drives Debian's
headless Chromium through the ``playwright`` package with the real detector.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import re
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from unseen import boxes as boxes_file
from unseen.mask import MaskSpec
from unseen.media import image as image_io
from unseen.media.image_check import leaks as image_leaks
from unseen.regions import Regions
from unseen.web import items as web_items
from unseen.web import saving as web_saving
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


@pytest.fixture
def srv(tmp_path):
    photo = _photo_with_metadata(tmp_path / "photo.jpg")
    server = ReviewServer([photo], detector=StubDetector()).start()
    yield server
    server.stop()


def _first_id(srv: ReviewServer) -> str:
    return srv.order[0]


# -- request checks ------------------------------------------------------------------------------
def test_binds_to_loopback_only(srv):
    assert srv._httpd.server_address[0] == "127.0.0.1"
    assert srv.url.startswith(f"http://127.0.0.1:{srv.port}/?token=")
    assert len(srv.token) >= 32


def test_missing_token_refused(srv):
    for path in ("/", "/api/session", "/static/app.js", f"/api/files/{_first_id(srv)}/image"):
        status, _, body = _req(srv, "GET", path, token=False)
        assert status == 401, path
        assert b"token" in body
    status, _, _ = _req(srv, "POST", "/api/upload", {"X-Filename": "a.jpg"}, b"x", token=False)
    assert status == 401


def test_wrong_token_refused(srv):
    wrong = "A" * len(srv.token)
    for headers, path in [
        ({web.TOKEN_HEADER: wrong}, "/api/session"),
        ({web.TOKEN_HEADER: None}, f"/api/session?token={wrong}"),
        ({web.TOKEN_HEADER: None, "Cookie": f"{srv.cookie_name}={wrong}"}, "/api/session"),
        ({web.TOKEN_HEADER: "é" + wrong}, "/api/session"),
        ({web.TOKEN_HEADER: None}, f"/?token={srv.token[:-1]}"),
    ]:
        assert _req(srv, "GET", path, headers)[0] == 403, (headers, path)
    # A cookie alone never authorises a change: POST needs the header (no CSRF).
    status, _, _ = _req(srv, "POST", f"/api/files/{_first_id(srv)}/save",
                        {web.TOKEN_HEADER: None, "Cookie": f"{srv.cookie_name}={srv.token}",
                         "Content-Type": "application/json"}, b"{}")
    assert status == 401


def test_token_from_url_sets_strict_cookie(srv):
    status, headers, body = _req(srv, "GET", f"/?token={srv.token}", {web.TOKEN_HEADER: None})
    assert status == 200 and b"<title>unseen review</title>" in body
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"{srv.cookie_name}={srv.token}")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "script-src 'self'" in headers["content-security-policy"]
    cookie = {web.TOKEN_HEADER: None, "Cookie": f"{srv.cookie_name}={srv.token}"}
    assert _req(srv, "GET", "/api/session", cookie)[0] == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}",
                                  "127.0.0.1", "localhost", "127.0.0.1:1", "[::1]:{port}", "",
                                  "0.0.0.0:{port}"])
def test_foreign_host_refused(srv, host):
    status, _, body = _req(srv, "GET", "/api/session", {"Host": host.format(port=srv.port)})
    assert status == 403
    assert b"Host" in body


def test_loopback_hosts_accepted(srv):
    for host in (f"127.0.0.1:{srv.port}", f"localhost:{srv.port}", f"LOCALHOST:{srv.port}"):
        assert _req(srv, "GET", "/api/session", {"Host": host})[0] == 200


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1:1"},
    {"Origin": "https://127.0.0.1:{port}"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_foreign_origin_refused(srv, headers):
    headers = {k: v.format(port=srv.port) for k, v in headers.items()}
    assert _req(srv, "GET", "/api/session", headers)[0] == 403
    status, _, _ = _req(srv, "POST", f"/api/files/{_first_id(srv)}/preview",
                        {**headers, "Content-Type": "application/json"}, b'{"regions": []}')
    assert status == 403


def test_own_origin_accepted(srv):
    headers = {"Origin": f"http://127.0.0.1:{srv.port}", "Sec-Fetch-Site": "same-origin"}
    assert _req(srv, "GET", "/api/session", headers)[0] == 200


@pytest.mark.parametrize("path", [
    "/static/../server.py", "/static/..%2fserver.py", "/static/%2e%2e/server.py", "/../../../../etc/passwd",
    "/api/files/../../../../etc/passwd", "/api/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd/image",
    "//etc/passwd", "/static/app.js/../../server.py", "/api/files/0000000000000000/image",
    "/api/files/0000000000000000/download", "/static/index.html?../../etc/passwd", "/etc/passwd",
])
def test_traversal_refused(srv, path):
    status, _, body = _req(srv, "GET", path)
    assert status in (400, 404)
    assert b"root:" not in body and b"import" not in body


def test_upload_name_cannot_escape(srv):
    data = PHOTO.read_bytes()
    for name in ("../../escape.jpg", "..\\..\\escape2.jpg", "/etc/escape3.jpg", "%2e%2e%2fescape4.jpg"):
        status, _, body = _req(srv, "POST", "/api/upload",
                               {"X-Filename": name, "Content-Type": "application/octet-stream"}, data)
        assert status == 201, body
        item = srv.items[json.loads(body)["id"]]
        assert item.src.resolve().is_relative_to(srv.tmpdir.resolve())
        assert item.src.name.startswith("escape") and "/" not in item.src.name
    assert not list(srv.tmpdir.parent.glob("escape*.jpg"))


def test_upload_limits(tmp_path):
    server = ReviewServer([], detector=StubDetector(), max_upload=10_000).start()
    try:
        big = b"\xff" * 20_000
        status, headers, _ = _req(server, "POST", "/api/upload", {"X-Filename": "big.jpg"}, big)
        assert status == 413
        status, _, _ = _req(server, "POST", "/api/upload", {"X-Filename": "notes.txt"}, b"hello")
        assert status == 415
        status, _, _ = _req(server, "POST", "/api/upload", {"X-Filename": "fake.jpg"}, b"not an image at all")
        assert status == 415
        assert not server.items
        assert not any((server.tmpdir / "uploads").glob("*/*"))  # refused files are not kept
    finally:
        server.stop()


def test_json_body_must_be_json(srv):
    path = f"/api/files/{_first_id(srv)}/save"
    status, _, _ = _req(srv, "POST", path, {"Content-Type": "text/plain"}, b"{}")
    assert status == 415  # a form post from another page cannot reach the JSON endpoints
    status, _, _ = _req(srv, "POST", path, {"Content-Type": "application/json"}, b"[1, 2")
    assert status == 400


def test_other_methods_refused(srv):
    for method in ("PUT", "DELETE", "OPTIONS"):
        assert _req(srv, method, "/api/session")[0] == 405


def test_static_files_have_no_remote_references():
    static = Path(web.__file__).parent / "static"
    names = sorted(p.name for p in static.iterdir())
    assert {"index.html", "app.js", "app.css"} <= set(names)
    for name in names:
        text = (static / name).read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), name
        assert "@import" not in text and "url(" not in text, name
        assert "<script>" not in text and " on" + "click=" not in text  # nothing inline (CSP)


# -- photos ------------------------------------------------------------------------------------------
def test_preview_image_is_fresh_upright_and_clean(tmp_path):
    photo = _photo_with_metadata(tmp_path / "turned.jpg", orientation=6)  # stored landscape, shown portrait
    server = ReviewServer([photo], detector=StubDetector()).start()
    try:
        item_id = _first_id(server)
        d = _ready(server, item_id)
        assert (d["width"], d["height"]) == (332, 500)
        assert d["regions"] and d["regions"][0]["kind"] == "face"
        status, headers, data = _req(server, "GET", f"/api/files/{item_id}/image")
        assert status == 200 and headers["content-type"] == "image/jpeg"
        assert data != photo.read_bytes()
        assert image_leaks(data, "JPEG") == []
        with Image.open(io.BytesIO(data)) as im:
            assert im.size == (332, 500)
            assert not im.getexif()
        status, headers, data = _req(server, "POST", f"/api/files/{item_id}/preview",
                                     {"Content-Type": "application/json"},
                                     json.dumps({"style": "fill", "regions": [
                                         {"x": 10, "y": 10, "w": 40, "h": 40, "kind": "manual"}]}).encode())
        assert status == 200
        masked = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        assert _filled(masked[15:45, 15:45])
    finally:
        server.stop()


def test_save_writes_output_and_sidecar_through_engine(srv, tmp_path, exiftool):
    photo = tmp_path / "photo.jpg"
    before = hashlib.sha256(photo.read_bytes()).hexdigest()
    item_id = _first_id(srv)
    d = _ready(srv, item_id)
    regions = d["regions"] + [{"x": PATCH[0], "y": PATCH[1], "w": PATCH[2] - PATCH[0],
                               "h": PATCH[3] - PATCH[1], "kind": "manual"}]
    status, body = _json(srv, "POST", f"/api/files/{item_id}/save", {"style": "fill", "regions": regions})
    assert status == 202, body
    d = _ready(srv, item_id)
    assert d["save"]["state"] == "done", d["save"]
    out, side = tmp_path / "photo.unseen.jpg", tmp_path / "photo.unseen.json"
    assert Path(d["save"]["output"]) == out and out.is_file() and side.is_file()
    assert hashlib.sha256(photo.read_bytes()).hexdigest() == before  # original untouched
    # The sidecar is a --boxes file: mode "only", the reviewer's exact list.
    (entry,) = boxes_file.load(side)
    assert entry.mode == "only" and entry.image == "photo.jpg"
    assert sorted(entry.regions.kinds.tolist()) == ["face", "manual"]
    # The added region is covered; nothing but pixels went out.
    data = out.read_bytes()
    assert image_leaks(data, "JPEG") == []
    bad, text = _exif_groups(exiftool, out)
    assert not bad and "secret" not in text and "Jane" not in text
    px = np.asarray(Image.open(out).convert("RGB"), np.int16)
    x1, y1, x2, y2 = PATCH
    assert _filled(px[y1 + 2:y2 - 2, x1 + 2:x2 - 2])
    # Saving again in this session replaces what this session wrote; dropping a region it covered
    # needs the reviewer's word (issue 15).
    status, body = _json(srv, "POST", f"/api/files/{item_id}/save", {"style": "noise", "regions": regions[:1]})
    assert status == 409 and body["code"] == "uncover" and len(body["regions"]) == 1
    _json(srv, "POST", f"/api/files/{item_id}/save", {"style": "noise", "regions": regions[:1],
                                                     "confirm_uncover": True})
    d = _ready(srv, item_id)
    assert d["save"]["state"] == "done", d["save"]
    assert len(boxes_file.load(side)[0].regions) == 1
    # Downloads serve exactly what was written.
    status, headers, body = _req(srv, "GET", f"/api/files/{item_id}/download")
    assert status == 200 and body == out.read_bytes()
    assert headers["content-disposition"].startswith('attachment; filename="photo.unseen.jpg"')
    # Files from before this session are only replaced when the user says so, unless the review can
    # prove it wrote them (its sidecar names the output and its SHA-256): tests/test_review_saves.py.
    out.write_bytes(out.read_bytes() + b"\0")  # changed since: not provably ours any more
    again = ReviewServer([photo], detector=StubDetector()).start()
    try:
        item_id = _first_id(again)
        _ready(again, item_id)
        status, body = _json(again, "POST", f"/api/files/{item_id}/save", {"regions": regions})
        assert status == 409 and body["code"] == "exists" and "--force" not in body["error"]
        assert len(boxes_file.load(side)[0].regions) == 1  # nothing was replaced
        _json(again, "POST", f"/api/files/{item_id}/save", {"regions": regions, "force": True})
        assert _ready(again, item_id)["save"]["state"] == "done"
        assert len(boxes_file.load(side)[0].regions) == len(regions)
    finally:
        again.stop()


def test_save_rejects_bad_regions(srv):
    item_id = _first_id(srv)
    _ready(srv, item_id)
    for regions in ([{"x": "a", "y": 0, "w": 1, "h": 1}], [{"x": float("nan"), "y": 0, "w": 5, "h": 5}],
                    "nope", [{"x": 0, "y": 0, "w": 5}]):
        body = json.dumps({"regions": regions}, allow_nan=True).encode()
        headers = {"Content-Type": "application/json"}
        assert _req(srv, "POST", f"/api/files/{item_id}/save", headers, body)[0] == 400, regions
    status, body = _json(srv, "POST", f"/api/files/{item_id}/save", {"style": "sharpie", "regions": []})
    assert status == 400


def test_parse_regions_clips_to_image_and_keeps_every_known_kind():
    regions, _ = web_saving.parse_regions([{"x": -10, "y": -10, "w": 30, "h": 30, "kind": "face"},
                                           {"x": 90, "y": 90, "w": 50, "h": 50, "kind": "plate"},
                                           {"x": 10, "y": 50, "w": 20, "h": 10},
                                           {"x": 500, "y": 500, "w": 5, "h": 5}], 100, 100)
    assert regions.boxes.tolist() == [[0, 0, 20, 20], [90, 90, 100, 100], [10, 50, 30, 60]]
    assert regions.kinds.tolist() == ["face", "plate", "manual"]
    with pytest.raises(web_saving.RequestError) as exc:  # an unknown kind is refused, not relabelled
        web_saving.parse_regions([{"x": 0, "y": 0, "w": 5, "h": 5, "kind": "weird"}], 100, 100)
    assert exc.value.status == 400 and "kind must be one of" in exc.value.message


def test_uploaded_photo_saved_to_temp_and_downloadable(srv):
    status, _, body = _req(srv, "POST", "/api/upload",
                           {"X-Filename": "dropped.jpg", "Content-Type": "application/octet-stream"},
                           _photo_with_metadata(srv.tmpdir / "src.jpg").read_bytes())
    assert status == 201
    item_id = json.loads(body)["id"]
    d = _ready(srv, item_id)
    assert d["uploaded"] and d["path"] is None
    _json(srv, "POST", f"/api/files/{item_id}/save", {"regions": d["regions"]})
    d = _ready(srv, item_id)
    assert d["save"]["state"] == "done", d["save"]
    assert d["save"]["output"] == "dropped.unseen.jpg"  # no temporary path is shown
    status, headers, data = _req(srv, "GET", f"/api/files/{item_id}/download")
    assert status == 200 and image_leaks(data, "JPEG") == []
    assert "dropped.unseen.jpg" in headers["content-disposition"]
    status, _, side = _req(srv, "GET", f"/api/files/{item_id}/download?what=sidecar")
    assert status == 200 and json.loads(side)["image"] == "dropped.jpg"


def test_stop_removes_temporary_files(tmp_path):
    server = ReviewServer([], detector=StubDetector()).start()
    status, _, _ = _req(server, "POST", "/api/upload", {"X-Filename": "x.jpg"}, PHOTO.read_bytes())
    assert status == 201
    tmpdir = server.tmpdir
    assert any(tmpdir.rglob("x.jpg"))
    server.stop()
    assert not tmpdir.exists()
    with pytest.raises(OSError):
        _req(server, "GET", "/api/session")


def test_main_prints_url_and_usage_errors(capsys):
    from unseen.cli.review import main as review_main

    assert review_main(["--no-browser", str(FIXTURES / "missing.jpg")]) == 1
    assert "no photos or videos" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        review_main(["--style", "sharpie"])
    assert exc.value.code == 2


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


def test_link_tracks_groups_by_overlap():
    def sample(k, boxes):
        return {"k": k, "t": float(k), "regions": [{"x": x, "y": y, "w": 20, "h": 20} for x, y in boxes]}

    samples = [sample(0, [(10, 10), (100, 100)]), sample(1, [(12, 10)]), sample(2, [(14, 11), (101, 100)]),
               sample(3, []), sample(4, [(300, 300)])]
    tracks = web_items.timeline_tracks(samples, 1.0)
    assert [(t["samples"], t["t0"], t["t1"]) for t in tracks] == [
        ([0, 1, 2], 0.0, 2.0), ([0, 2], 0.0, 2.0), ([4], 4.0, 4.0)]


def test_video_timeline_and_timed_sidecar(tmp_path):
    clip = _tiny_video(tmp_path / "clip.mp4")
    server = ReviewServer([clip], detector=StubDetector()).start()
    try:
        item_id = _first_id(server)
        d = _ready(server, item_id)
        assert d["kind"] == "video" and d["state"] == "ready", d.get("error")
        assert (d["width"], d["height"]) == (320, 212) and 2.5 < d["duration"] < 3.5
        assert [s["t"] for s in d["samples"]] == [0.0, 1.0, 2.0]
        assert len(d["tracks"]) == 1 and d["tracks"][0]["samples"] == [0, 1, 2]
        for kind in ("frame", "thumb"):
            status, headers, data = _req(server, "GET", f"/api/files/{item_id}/{kind}/1")
            assert status == 200 and data[:2] == b"\xff\xd8" and image_leaks(data, "JPEG") == []
        assert _req(server, "GET", f"/api/files/{item_id}/frame/99")[0] == 404
        body = json.dumps({"frame": 1, "regions": [{"x": 0, "y": 0, "w": 50, "h": 50}]}).encode()
        status, _, data = _req(server, "POST", f"/api/files/{item_id}/preview",
                               {"Content-Type": "application/json"}, body)
        assert status == 200 and _filled(np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))[5:45, 5:45])
        regions = [{"x": 200, "y": 20, "w": 60, "h": 60, "kind": "manual", "t0": 0.5, "t1": 2.0},
                   {"x": 1, "y": 1, "w": 9, "h": 9, "kind": "face"}]  # detections are redone per frame
        status, _ = _json(server, "POST", f"/api/files/{item_id}/save", {"regions": regions})
        assert status == 202
        d = _ready(server, item_id, timeout=120)
        (entry,) = boxes_file.load(tmp_path / "clip.unseen.json")
        assert entry.mode == "add" and entry.times == ((0.5, 2.0),)
        assert len(entry.regions_at(1.0)) == 1 and len(entry.regions_at(2.5)) == 0
        assert d["save"]["state"] == "done", d["save"]
        _assert_masked_between(Path(d["save"]["output"]), (200, 20, 260, 80), 0.5, 2.0)
    finally:
        server.stop()


def test_video_saved_with_muted_speech(tmp_path):
    """The page's audio choice reaches the engine: "mute-speech" gives a video whose speech is gone
    (tests/test_voices.py checks the muting itself); anything not in AUDIO_CHOICES is a 400, and a
    body without "audio" drops it (the safe default)."""
    from voices_media import load, speech_clip

    clip = speech_clip(tmp_path / "talk.mp4", 16000, "mono")
    server = ReviewServer([clip.path], detector=StubDetector()).start()
    try:
        item_id = _first_id(server)
        assert _ready(server, item_id)["state"] == "ready"
        _, session = _json(server, "GET", "/api/session")
        assert "mute-speech" in session["audio_choices"]
        status, d = _json(server, "POST", f"/api/files/{item_id}/save", {"regions": [], "audio": "pitch-shift"})
        assert status == 400 and "audio must be one of" in d["error"]
        status, _ = _json(server, "POST", f"/api/files/{item_id}/save", {"regions": [], "audio": "mute-speech"})
        assert status == 202
        d = _ready(server, item_id, timeout=120)
        assert d["save"]["state"] == "done", d["save"]
        report = d["save"]["report"]
        assert report["audio"] == "speech muted (AAC)" and report["speech_removed_seconds"] > 4
        out = Path(d["save"]["output"])
        a0, a1 = int(clip.speech[0] * 16000), int(clip.speech[1] * 16000)
        assert abs(np.corrcoef(load(out, 16000)[0, a0:a1], clip.speech_signal[: a1 - a0])[0, 1]) < 0.05
        status, _ = _json(server, "POST", f"/api/files/{item_id}/save", {"regions": []})
        assert status == 202
        d = _ready(server, item_id, timeout=120)
        assert d["save"]["state"] == "done" and d["save"]["report"]["audio"] == "dropped", d["save"]
    finally:
        server.stop()


# -- the real browser ---------------------------------------------------------------------------------
def _launch_chromium():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("needs the playwright Python package (pip install playwright)")
    return sync_playwright


@pytest.mark.browser
@pytest.mark.slow
def test_browser_review_add_region_and_save(tmp_path, detector, exiftool):
    sync_playwright = _launch_chromium()
    from playwright.sync_api import expect

    photo = _photo_with_metadata(tmp_path / "party.jpg")
    upright = image_io.read(photo).frames[0].astype(np.int16)
    server = ReviewServer([photo], detector=detector).start()
    errors: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.goto(server.url)
                regions = page.locator("#overlay .region")
                regions.first.wait_for(timeout=30_000)
                detected = regions.count()
                assert detected > 0
                assert page.locator("#overlay .region.face").count() == detected
                # Zoom, select a face, delete it by keyboard, undo.
                zoom_label = page.locator("#zoom-level")
                before = zoom_label.inner_text()
                page.keyboard.press("+")
                expect(zoom_label).not_to_have_text(before)
                page.keyboard.press("0")
                regions.first.click()
                expect(page.locator("#overlay .region.selected")).to_have_count(1)
                page.keyboard.press("Delete")
                expect(regions).to_have_count(detected - 1)
                page.keyboard.press("Control+z")
                expect(regions).to_have_count(detected)
                # Add and delete without a mouse: A, Enter adds one in the middle, arrows move it.
                manual = page.locator("#overlay .region.manual")
                page.keyboard.press("a")
                page.keyboard.press("Enter")
                expect(manual).to_have_count(1)
                left = manual.bounding_box()["x"]
                page.keyboard.press("ArrowRight")
                assert manual.bounding_box()["x"] > left
                expect(page.locator("#position")).to_have_text("1 / 1")  # the arrow moved, not navigated
                page.keyboard.press("Delete")
                expect(manual).to_have_count(0)
                # Draw the region the detector "missed", in image pixels -> screen pixels.
                page.keyboard.press("a")
                box = page.locator("#stage").bounding_box()
                zoom = box["width"] / upright.shape[1]
                x1, y1, x2, y2 = PATCH
                page.mouse.move(box["x"] + x1 * zoom, box["y"] + y1 * zoom)
                page.mouse.down()
                page.mouse.move(box["x"] + x2 * zoom, box["y"] + y2 * zoom, steps=6)
                page.mouse.up()
                expect(regions).to_have_count(detected + 1)
                expect(manual).to_have_count(1)
                page.keyboard.press("Escape")
                page.keyboard.press("s")
                status = page.locator("#status")
                expect(status).to_have_text(re.compile(r"^(Saved|Not saved)"), timeout=30_000)
                assert status.inner_text().startswith("Saved"), status.inner_text()
                # A photo added from the page (the drop path): it joins the list; n / p move between files.
                page.set_input_files("#file-input", str(FIXTURES / "2008_007676.jpg"))
                expect(page.locator("#position")).to_have_text("2 / 2", timeout=30_000)
                regions.first.wait_for(timeout=30_000)
                page.keyboard.press("p")
                expect(page.locator("#position")).to_have_text("1 / 2")
                page.keyboard.press("n")
                expect(page.locator("#position")).to_have_text("2 / 2")
            finally:
                browser.close()
    finally:
        server.stop()
    assert not [e for e in errors if "favicon" not in e], errors
    out = tmp_path / "party.unseen.jpg"
    (entry,) = boxes_file.load(tmp_path / "party.unseen.json")
    manual = entry.regions[entry.regions.kinds == "manual"]
    assert len(manual) == 1 and len(entry.regions) == detected + 1
    assert np.allclose(manual.boxes[0], PATCH, atol=3)
    # The added region's pixels changed (filled), compared with the upright input.
    masked = np.asarray(Image.open(out).convert("RGB"), np.int16)
    x1, y1, x2, y2 = PATCH
    inner = (slice(y1 + 3, y2 - 3), slice(x1 + 3, x2 - 3))
    assert np.abs(masked[inner] - upright[inner]).mean() > 30
    assert _filled(masked[inner])
    # No metadata at all.
    assert image_leaks(out.read_bytes(), "JPEG") == []
    bad, text = _exif_groups(exiftool, out)
    assert not bad and "secret" not in text and "Jane" not in text
