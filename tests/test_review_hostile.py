"""The review server against what a tester threw at it: odd file names in the reviewed folder,
numbers JSON cannot carry, a draft sent while a save runs, a save that failed half way, bodies the
page never sends. Each test drives the server over HTTP with real files and failed before its fix.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading

import pytest
from web_helpers import (
    ADDED,
    FACE,
    PHOTO,
    _first_id,
    _json,
    _ready,
    _req,
    _save_item,
    _serve,
    _tiny_video,
)

from unseen.web.server import ReviewServer


def _strict(data: bytes) -> object:
    """JSON as a browser reads it: ``NaN`` and ``Infinity`` are errors, not numbers."""
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")
    return json.loads(data, parse_constant=refuse)


def _detail(srv: ReviewServer, item_id: str) -> dict:
    status, _, data = _req(srv, "GET", f"/api/files/{item_id}")
    assert status == 200, data
    return _strict(data)


def _inside(regions: list[dict], width: int, height: int) -> bool:
    return all(r["x"] >= 0 and r["y"] >= 0 and r["w"] >= 1 and r["h"] >= 1
               and r["x"] + r["w"] <= width and r["y"] + r["h"] <= height for r in regions)


def test_a_name_too_long_for_its_sidecar_fails_alone(tmp_path):
    """A photo named with 246 characters has no room for NAME.unseen.json: asking the file system
    about that name raised, and the whole session answered 500 (the page listed no file)."""
    long_name = "a" * 246 + ".jpg"
    shutil.copyfile(PHOTO, tmp_path / long_name)
    shutil.copyfile(PHOTO, tmp_path / "ok.jpg")
    srv = _serve([tmp_path])
    try:
        status, session = _json(srv, "GET", "/api/session")
        assert status == 200, session
        files = {f["name"]: f for f in session["files"]}
        assert set(files) == {long_name, "ok.jpg"} and not files[long_name]["saved_earlier"]
        long_id, ok_id = files[long_name]["id"], files["ok.jpg"]["id"]
        d = _ready(srv, long_id)
        assert d["state"] == "ready" and any("too long" in n for n in d["notes"])
        status, body = _save_item(srv, long_id, {"regions": [FACE]})
        assert status == 422 and "rename the file" in body["error"]
        _ready(srv, ok_id)
        assert _save_item(srv, ok_id, {"regions": [FACE]})[1]["state"] == "done"
        assert _json(srv, "GET", "/api/session")[0] == 200
    finally:
        srv.stop()


def test_a_draft_of_huge_numbers_comes_back_as_json_inside_the_picture(photo):
    """A draft region at x = 1e39 was kept as sent and came back as Infinity (later, clamped, as a
    region of no width far outside the picture). Drafts are clipped as a save clips them."""
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        d = _ready(srv, item_id)
        huge = [{"x": 1e39, "y": 0, "w": 1, "h": 1}, {"x": -1e39, "y": -1e308, "w": 2e39, "h": 1.5e308},
                dict(ADDED, drawn=True)]
        status, _, data = _req(srv, "POST", f"/api/files/{item_id}/draft", {"Content-Type": "application/json"},
                               json.dumps({"regions": huge}).encode())
        assert status == 200, data
        draft = _detail(srv, item_id)["draft"]
        assert _inside(draft, d["width"], d["height"])
        assert [(r["x"], r["y"], r["w"], r["h"]) for r in draft] == [
            (0, 0, d["width"], d["height"]), (90, 270, 70, 60)]  # the one beyond the right edge is gone
        assert draft[1]["drawn"] is True
    finally:
        srv.stop()


def test_an_answer_that_is_not_finite_is_a_clear_500_not_invalid_json(photo):
    """Whatever a bug puts in an answer, the page gets JSON it can parse."""
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        srv.items[item_id].draft = [{"x": float("nan"), "y": 0.0, "w": float("inf"), "h": 1.0}]
        status, _, data = _req(srv, "GET", f"/api/files/{item_id}")
        assert status == 500 and "not finite" in _strict(data)["error"]
    finally:
        srv.stop()


def test_a_sidecar_of_huge_numbers_opens_inside_the_picture(photo):
    side = photo.with_name("photo.unseen.json")
    regions = [{"x": 1e39, "y": 0, "w": 5, "h": 5, "kind": "manual"}, dict(ADDED, w=1e300),
               dict(FACE, x=-1e308, w=1e308)]
    side.write_text(json.dumps({"version": 1, "image": photo.name, "mode": "only", "regions": regions,
                                "output": {"name": "photo.unseen.jpg", "sha256": "0" * 64}}))
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        d = _detail(srv, item_id)
        review = d["review"]["regions"]
        assert _inside(review, d["width"], d["height"])
        assert [(r["x"], r["w"]) for r in review] == [(90, d["width"] - 90)]
    finally:
        srv.stop()


def test_a_region_drawn_while_a_save_runs_is_kept(photo):
    """The save cleared the draft when it ended, whatever the page had sent since it began: a region
    drawn during a long save was gone after a reload."""
    srv = _serve([photo])
    gate = threading.Event()
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        assert _json(srv, "POST", f"/api/files/{item_id}/draft", {"regions": [FACE]})[0] == 200
        srv._save_worker.submit(gate.wait)  # the save is asked for now and runs after this
        assert _json(srv, "POST", f"/api/files/{item_id}/save", {"regions": [FACE]})[0] == 202
        newer = [FACE, dict(ADDED, drawn=True)]
        assert _json(srv, "POST", f"/api/files/{item_id}/draft", {"regions": newer})[0] == 200
        gate.set()
        d = _ready(srv, item_id)
        assert d["save"]["state"] == "done"
        assert [r["kind"] for r in d["draft"]] == ["face", "manual"]  # newer than the save: kept
        # A save of the draft itself clears it.
        assert _save_item(srv, item_id, {"regions": d["draft"]})[1]["state"] == "done"
        assert _detail(srv, item_id)["draft"] is None
    finally:
        gate.set()
        srv.stop()


def test_a_save_that_failed_is_not_saved_before_after_a_restart(photo):
    """The sidecar is written before the output; when the output then failed (the input deleted at
    that moment), a restart called the file "saved before" though nothing was written."""
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        photo.unlink()
        assert _save_item(srv, item_id, {"regions": [FACE, ADDED]})[1]["state"] == "error"
    finally:
        srv.stop()
    side = photo.with_name("photo.unseen.json")
    assert "output" not in json.loads(side.read_text())
    shutil.copyfile(PHOTO, photo)
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        assert not _json(srv, "GET", "/api/session")[1]["files"][0]["saved_earlier"]
        d = _ready(srv, item_id)
        assert not d["saved_earlier"] and d["review"] is None
        assert [r["kind"] for r in d["draft"]] == ["face", "manual"]  # the work is opened, unsaved
        assert any("did not complete" in n for n in d["notes"])
        # Nothing was covered by it, so a save without its regions needs no question either.
        status, sv = _save_item(srv, item_id, {"regions": [FACE]})
        assert status == 202 and sv["state"] == "done"
        assert json.loads(side.read_text())["output"]["name"] == "photo.unseen.jpg"
    finally:
        srv.stop()


def test_download_of_a_name_that_is_not_utf8(tmp_path):
    """A file named with bytes that are not UTF-8 saved, then its download answered 500."""
    name = os.fsdecode(b"bad\xff\xfeutf8.png")
    src = tmp_path / name
    from PIL import Image

    with Image.open(PHOTO) as im:
        im.convert("RGB").save(src, "PNG")
    srv = _serve([src])
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        assert _save_item(srv, item_id, {"regions": [FACE]})[1]["state"] == "done"
        status, headers, data = _req(srv, "GET", f"/api/files/{item_id}/download")
        assert status == 200, data
        out = tmp_path / os.fsdecode(b"bad\xff\xfeutf8.unseen.png")
        assert data == out.read_bytes()
        cd = headers["content-disposition"]
        assert 'filename="bad__utf8.unseen.png"' in cd and "filename*=UTF-8''bad%EF%BF%BD%EF%BF%BDutf8" in cd
        status, headers, _ = _req(srv, "GET", f"/api/files/{item_id}/download?what=sidecar")
        assert status == 200 and 'filename="bad__utf8.unseen.json"' in headers["content-disposition"]
    finally:
        srv.stop()


def test_preview_of_an_infinite_frame_is_a_400(tmp_path):
    clip = _tiny_video(tmp_path / "clip.mp4", seconds=2)
    srv = _serve([clip])
    try:
        item_id = _first_id(srv)
        assert _ready(srv, item_id, 60)["state"] == "ready"
        for frame in (b"1e400", b"-1e400"):  # JSON has no Infinity: Python reads these as inf
            status, _, data = _req(srv, "POST", f"/api/files/{item_id}/preview",
                                   {"Content-Type": "application/json"}, b'{"frame": ' + frame + b"}")
            assert status == 400 and "sample number" in _strict(data)["error"]
    finally:
        srv.stop()


def test_a_draft_without_regions_is_refused_not_dropped(photo):
    """An empty body or ``{}`` deleted the draft; only ``{"regions": null}`` (what the page sends
    when nothing is left unsaved) drops it."""
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        path = f"/api/files/{item_id}/draft"
        assert _json(srv, "POST", path, {"regions": [ADDED]})[0] == 200
        for body in (b"", b"{}", b'{"region": null}'):
            status, _, data = _req(srv, "POST", path, {"Content-Type": "application/json"}, body)
            assert status == 400 and "regions" in _strict(data)["error"], body
        assert _detail(srv, item_id)["draft"] is not None
        assert _json(srv, "POST", path, {"regions": None}) == (200, {"draft": False})
        assert _detail(srv, item_id)["draft"] is None
    finally:
        srv.stop()


@pytest.mark.browser
@pytest.mark.slow
def test_a_change_then_the_next_file_keeps_both_drafts(browser, tmp_path):
    """The page waits 400 ms before it sends a draft, with one timer for every file: a region added
    to the next file within that time cancelled the first file's draft, lost on a reload."""
    from review_browser_helpers import PHOTO2, copy, expect, review, wait_loaded

    a, b = copy(PHOTO, tmp_path / "a.jpg"), copy(PHOTO2, tmp_path / "b.jpg")
    with review(browser, [a, b]) as (srv, page):
        wait_loaded(page)
        _ready(srv, srv.order[1])  # the next file is ready: moving to it is quick
        page.key("a", "Enter", "n")
        shown = "(id) => { const d = window.unseenReview.detail; return !!d && d.id === id && d.state === 'ready'; }"
        while not page.evaluate(shown, srv.order[1]):  # well within the 400 ms the first draft waits
            page.wait_for_timeout(10)
        page.key("a", "Enter")
        expect(page.locator("#overlay .region.manual")).to_have_count(1)
        page.wait_for_timeout(1500)
        drafts = [srv.items[i].draft for i in srv.order]
        assert all(d and [r["kind"] for r in d].count("manual") == 1 for d in drafts), drafts


@pytest.mark.browser
@pytest.mark.slow
def test_a_reload_during_a_save_still_shows_the_newer_work_unsaved(browser, tmp_path):
    """A region drawn while a save runs, then a reload before it ends: the server keeps that draft,
    and the page, once the save ended, called the file saved (it had no edit version to compare)."""
    from review_browser_helpers import copy, expect, review, wait_loaded

    photo = copy(PHOTO, tmp_path / "photo.jpg")
    gate = threading.Event()
    with review(browser, [photo]) as (srv, page):
        try:
            wait_loaded(page)
            srv._save_worker.submit(gate.wait)  # the save is asked for now and runs after this
            page.key("s")
            expect(page.locator("#status")).to_contain_text("Saving")
            page.key("a", "Enter")
            item = srv.items[srv.order[0]]
            while item.draft is None:
                page.wait_for_timeout(50)
            page.reload()
            wait_loaded(page)
            gate.set()
            expect(page.locator("#status")).to_have_text(re.compile("^Saved"))
            expect(page.locator("#file-list .badge")).to_have_text("not saved")
            assert [r["kind"] for r in item.draft].count("manual") == 1
        finally:
            gate.set()
