"""The review page (issue 4): request checks, saving through the engine, and one real-browser run.

API tests use a stub detector and plain ``http.client`` (fast). The browser test drives Debian's
headless Chromium through the ``playwright`` package with the real detector.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from web_helpers import (
    FIXTURES,
    PATCH,
    PHOTO,
    StubDetector,
    _exif_groups,
    _filled,
    _first_id,
    _json,
    _photo_with_metadata,
    _ready,
    _req,
)

from unseen import boxes as boxes_file
from unseen.media.image_check import leaks as image_leaks
from unseen.web import saving as web_saving
from unseen.web import server as web
from unseen.web.server import ReviewServer


@pytest.fixture
def srv(tmp_path):
    photo = _photo_with_metadata(tmp_path / "photo.jpg")
    server = ReviewServer([photo], detector=StubDetector()).start()
    yield server
    server.stop()


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


def test_token_from_url_sets_no_cookie(srv):
    """A cookie of 127.0.0.1 reaches every port of 127.0.0.1 (cookies are not kept apart by port):
    the token lives in the page's URL and the header, never in a cookie, and a cookie that holds it
    authorises nothing."""
    status, headers, body = _req(srv, "GET", f"/?token={srv.token}", {web.TOKEN_HEADER: None})
    assert status == 200 and b"<title>unseen review</title>" in body
    assert "set-cookie" not in headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert f'src="/static/{srv.token}/app.js"'.encode() in body  # the modules carry it in their path
    cookie = {web.TOKEN_HEADER: None, "Cookie": f"{srv.cookie_name}={srv.token}"}
    assert _req(srv, "GET", "/api/session", cookie)[0] == 403


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


def test_a_tab_opened_from_the_local_redirect_page_is_accepted_and_nothing_else_cross_site(srv):
    """`unseen review` opens a local file that sends the browser to the page: Chromium calls that
    navigation cross-site, and the server refused it ("refused: cross-site request")."""
    tab = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    assert _req(srv, "GET", f"/?token={srv.token}", tab, token=False)[0] == 200
    assert _req(srv, "GET", "/", tab, token=False)[0] == 401  # the token is still needed
    for other in ({"Sec-Fetch-Mode": "cors"}, {"Sec-Fetch-Dest": "iframe"}, {"Sec-Fetch-Mode": None}):
        assert _req(srv, "GET", f"/?token={srv.token}", {**tab, **other}, token=False)[0] == 403
    assert _req(srv, "GET", "/api/session", tab)[0] == 403
    assert _req(srv, "POST", "/", {**tab, "Content-Type": "application/json"}, b"{}")[0] == 403


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
