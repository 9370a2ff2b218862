"""The review session against what a tester found next: the token's cookie reaching every other
port of 127.0.0.1, two tabs overwriting each other's work, two inputs of one stem sharing one
sidecar, an input replaced on disk after it was opened, and a server that stopped while the page
kept taking edits. Each test failed before its fix (the style of test_review_hostile.py).
"""

from __future__ import annotations

import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import pytest
from PIL import Image
from web_helpers import ADDED, FACE, PHOTO, _first_id, _json, _ready, _req, _save_item, _serve

from unseen.web import server as web

PHOTO2 = PHOTO.with_name("2008_007676.jpg")  # 500 x 334: another picture, of another size
OTHER = {"x": 300, "y": 40, "w": 60, "h": 60, "kind": "manual"}


def _manual(regions: list[dict]) -> list[tuple[float, float]]:
    return sorted((r["x"], r["y"]) for r in regions if r["kind"] == "manual")


# -- 1. the token never reaches another port ----------------------------------------------------------
def test_no_answer_sets_a_cookie_and_a_cookie_authorises_nothing(photo):
    """``Set-Cookie: unseen_PORT=TOKEN; Path=/`` went to every service on 127.0.0.1 (cookies are not
    kept apart by port): another local web service the reviewer visited learned the token."""
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        assert _save_item(srv, item_id, {"regions": [FACE]})[1]["state"] == "done"
        answers = [_req(srv, "GET", path, {web.TOKEN_HEADER: None}) for path in (
            f"/?token={srv.token}", f"/static/{srv.token}/app.js", f"/static/{srv.token}/app.css",
            f"/api/session?token={srv.token}", f"/api/files/{item_id}/image?token={srv.token}",
            f"/api/files/{item_id}/download?token={srv.token}")]
        answers.append(_req(srv, "POST", f"/api/files/{item_id}/draft", {"Content-Type": "application/json"},
                            json.dumps({"regions": [FACE]}).encode()))
        for status, headers, _ in answers:
            assert status == 200 and "set-cookie" not in headers, (status, headers)
        # The modules come by a path that holds the token, which nothing else knows.
        assert answers[1][2].startswith(b"/*") and b"import" in answers[1][2]
        wrong = "A" * len(srv.token)
        assert _req(srv, "GET", f"/static/{wrong}/app.js", token=False)[0] == 403
        assert _req(srv, "GET", f"/static/{srv.token}/x/app.js", token=False)[0] == 403
        assert _req(srv, "GET", f"/static/{srv.token}/../server.py", token=False)[0] == 403
        cookie = {web.TOKEN_HEADER: None, "Cookie": f"{srv.cookie_name}={srv.token}; unseen={srv.token}"}
        for path in ("/", "/api/session", f"/api/files/{item_id}/image", "/static/app.js"):
            assert _req(srv, "GET", path, cookie)[0] == 403, path
    finally:
        srv.stop()


@pytest.mark.browser
@pytest.mark.slow
def test_the_token_never_reaches_another_local_port(browser, tmp_path):
    """After the page loaded, saved and reloaded, the browser sends nothing of the session to another
    web service on 127.0.0.1, and the page still shows its picture, thumbnails and downloads."""
    from review_browser_helpers import copy, expect, press_save, review, wait_loaded

    heard: list[str] = []

    class Other(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            heard.append(self.headers.get("Cookie") or "")
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Other)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    try:
        with review(browser, [photo]) as (srv, page):
            wait_loaded(page)
            assert press_save(srv, page)["state"] == "done"
            page.reload()
            wait_loaded(page)  # a reload still works: the token is in the page's own address
            page.wait_for_function("() => document.getElementById('photo').naturalWidth > 0")
            link = page.locator("#result a[download]").first
            expect(link).to_be_visible()
            with page.expect_download() as download:
                link.click()
            assert Path(download.value.path()).read_bytes() == (tmp_path / "photo.unseen.jpg").read_bytes()
            assert page.context.cookies() == []
            other_page = page.context.new_page()
            other_page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
            other_page.goto(f"http://localhost:{other.server_address[1]}/x")
            other_page.close()
    finally:
        other.shutdown()
        other.server_close()
    assert len(heard) >= 2 and not any(srv.token in h or "unseen" in h for h in heard), heard


# -- 2. two tabs on one file ----------------------------------------------------------------------------
def test_a_draft_made_on_an_older_one_is_refused_with_the_current_one(photo):
    """Tab A sent a region; tab B, opened before, sent its own list without A's region: the server
    took it (last writer wins) and A's region was gone, with no word anywhere."""
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        base = _ready(srv, item_id)["draft_gen"]
        path = f"/api/files/{item_id}/draft"
        assert _json(srv, "POST", path, {"regions": [FACE, ADDED], "base": base}) == (200, {"draft": True})
        a = {"draft_gen": base + 1}  # each draft taken moves the number on by one (the page counts so)
        assert _ready(srv, item_id)["draft_gen"] == a["draft_gen"]
        status, b = _json(srv, "POST", path, {"regions": [FACE, OTHER], "base": base})  # tab B
        assert status == 409 and b["code"] == "changed" and "another tab or window" in b["error"]
        assert _manual(b["draft"]) == [(90, 270)] and b["draft_gen"] == a["draft_gen"]
        assert _manual(_ready(srv, item_id)["draft"]) == [(90, 270)]  # A's work is still there
        # Tab B's save is refused the same way; tab A's goes through, and A goes on drafting.
        status, b = _json(srv, "POST", f"/api/files/{item_id}/save", {"regions": [FACE, OTHER], "base": base})
        assert status == 409 and b["code"] == "changed"
        assert not photo.with_name("photo.unseen.json").exists()
        assert _save_item(srv, item_id, {"regions": [FACE, ADDED], "base": a["draft_gen"]})[1]["state"] == "done"
        assert _json(srv, "POST", path, {"regions": [FACE], "base": a["draft_gen"]})[0] == 200
        for bad in (True, "1", 1.5, None):
            status, answer = _json(srv, "POST", path, {"regions": [FACE], "base": bad})
            assert status == 400 and "base" in answer["error"], bad
    finally:
        srv.stop()


@pytest.mark.browser
@pytest.mark.slow
def test_a_second_tab_is_told_the_file_changed_and_overwrites_nothing(browser, tmp_path):
    from review_browser_helpers import Page, copy, expect, review, wait_loaded

    photo = copy(PHOTO, tmp_path / "photo.jpg")
    with review(browser, [photo]) as (srv, tab_a):
        wait_loaded(tab_a)
        tab_b = Page(browser, srv)
        try:
            wait_loaded(tab_b)
            item = srv.items[srv.order[0]]
            tab_a.key("a", "Enter")
            while item.draft is None:
                tab_a.wait_for_timeout(50)
            kept = [r for r in item.draft if r["kind"] == "manual"]
            assert len(kept) == 1
            tab_b.key("a", "Enter", "ArrowLeft", "ArrowLeft", "ArrowUp")  # B's own region, elsewhere
            expect(tab_b.locator("#status")).to_contain_text("changed in another tab or window", timeout=5000)
            assert [r for r in item.draft if r["kind"] == "manual"] == kept
            tab_b.key("s")  # a save from tab B is refused too, with the same words
            expect(tab_b.locator("#status")).to_contain_text("changed in another tab or window")
            assert item.save["state"] == "idle"
            assert not tab_b.errors, tab_b.errors
        finally:
            tab_b.context.close()
        tab_a.reload()
        wait_loaded(tab_a)
        expect(tab_a.locator("#overlay .region.manual")).to_have_count(1)
        assert [r for r in item.draft if r["kind"] == "manual"] == kept


# -- 3. two inputs of one stem --------------------------------------------------------------------------
def test_two_inputs_of_one_stem_keep_their_own_sidecars(tmp_path):
    """IMG_1.jpg and IMG_1.png shared IMG_1.unseen.json: saving the second replaced the first's
    regions, and after a restart the first opened with "holds the regions of another file" and no
    uncover guard. Each now has its own, IMG_1.jpg.unseen.json and IMG_1.png.unseen.json."""
    jpg = tmp_path / "IMG_1.jpg"
    shutil.copyfile(PHOTO, jpg)
    with Image.open(PHOTO) as im:
        im.convert("RGB").save(tmp_path / "IMG_1.png", "PNG")
    shutil.copyfile(PHOTO, tmp_path / "solo.jpg")
    srv = _serve([tmp_path])
    try:
        ids = {srv.items[i].src.name: i for i in srv.order}
        for name, region in (("IMG_1.jpg", ADDED), ("IMG_1.png", OTHER)):
            _ready(srv, ids[name])
            assert _save_item(srv, ids[name], {"regions": [FACE, region]})[1]["state"] == "done"
        _ready(srv, ids["solo.jpg"])
        assert _save_item(srv, ids["solo.jpg"], {"regions": [FACE]})[1]["state"] == "done"
    finally:
        srv.stop()
    assert not (tmp_path / "IMG_1.unseen.json").exists()
    assert (tmp_path / "solo.unseen.json").exists()  # a file without a twin keeps the usual name
    for name, at in (("IMG_1.jpg", (90, 270)), ("IMG_1.png", (300, 40))):
        doc = json.loads((tmp_path / f"{name}.unseen.json").read_text())
        assert doc["image"] == name and _manual(doc["regions"]) == [at]
    srv = _serve([tmp_path])  # the next day
    try:
        ids = {srv.items[i].src.name: i for i in srv.order}
        files = {f["name"]: f for f in _json(srv, "GET", "/api/session")[1]["files"]}
        assert all(f["saved_earlier"] for f in files.values()), files
        for name, at in (("IMG_1.jpg", (90, 270)), ("IMG_1.png", (300, 40))):
            d = _ready(srv, ids[name])
            assert d["review"] and _manual(d["review"]["regions"]) == [at], name
            assert not any("another file" in n for n in d["notes"]), d["notes"]
            status, answer = _json(srv, "POST", f"/api/files/{ids[name]}/save", {"regions": [FACE]})
            assert status == 409 and answer["code"] == "uncover", name  # the guard is back
    finally:
        srv.stop()


def test_a_sidecar_an_earlier_version_shared_between_two_twins_is_read_by_its_own(tmp_path):
    """An earlier version wrote IMG_1.unseen.json for whichever twin saved last: that one still opens
    with its saved regions (and their uncover guard); the other is not told of another file's."""
    shutil.copyfile(PHOTO, tmp_path / "IMG_1.jpg")
    with Image.open(PHOTO) as im:
        im.convert("RGB").save(tmp_path / "IMG_1.png", "PNG")
    (tmp_path / "IMG_1.unseen.json").write_text(json.dumps({
        "version": 1, "image": "IMG_1.png", "width": 500, "height": 332, "mode": "only",
        "regions": [FACE, OTHER], "output": {"name": "IMG_1.unseen.png", "sha256": "0" * 64}}))
    srv = _serve([tmp_path])
    try:
        ids = {srv.items[i].src.name: i for i in srv.order}
        png, jpg = _ready(srv, ids["IMG_1.png"]), _ready(srv, ids["IMG_1.jpg"])
        assert png["review"] and _manual(png["review"]["regions"]) == [(300, 40)]
        assert jpg["review"] is None and not any("another file" in n for n in jpg["notes"])
        status, answer = _json(srv, "POST", f"/api/files/{ids['IMG_1.png']}/save", {"regions": [FACE]})
        assert status == 409 and answer["code"] == "uncover"
        assert _save_item(srv, ids["IMG_1.jpg"], {"regions": [FACE, ADDED]})[1]["state"] == "done"
        assert json.loads((tmp_path / "IMG_1.unseen.json").read_text())["image"] == "IMG_1.png"  # left alone
        assert json.loads((tmp_path / "IMG_1.jpg.unseen.json").read_text())["image"] == "IMG_1.jpg"
    finally:
        srv.stop()


# -- 4. the input replaced on disk ------------------------------------------------------------------------
def test_a_file_replaced_on_disk_after_it_was_opened_is_not_saved(photo):
    """The save read the new picture, covered faces the reviewer never saw, recorded the old size
    in the sidecar and said "Covered: nothing"."""
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        assert _ready(srv, item_id)["height"] == 332
        shutil.copyfile(PHOTO2, photo)  # another picture, another size, the same name
        status, answer = _save_item(srv, item_id, {"regions": [FACE, ADDED]})
        assert status == 409 and answer["code"] == "changed_on_disk"
        assert "changed on disk since it was opened" in answer["error"]
        assert not photo.with_name("photo.unseen.json").exists()
        assert not photo.with_name("photo.unseen.jpg").exists()
        # A reload opens it again: the new picture, found again, and then it saves.
        d = _ready(srv, item_id)
        assert (d["width"], d["height"], d["draft"]) == (500, 334, None)
        assert _save_item(srv, item_id, {"regions": [FACE], "base": d["draft_gen"]})[1]["state"] == "done"
        assert json.loads(photo.with_name("photo.unseen.json").read_text())["height"] == 334
    finally:
        srv.stop()


def test_a_file_replaced_while_its_save_waits_is_not_written(photo):
    """A save waits behind another (a video's): the picture copied over the file meanwhile was written with
    the regions drawn on the old one, recorded as a normal save (a hunt, 2026-12-06). Checked again when the
    save runs: nothing written."""
    from unseen.web import saving

    srv = _serve([photo])
    try:
        item = srv.items[_first_id(srv)]
        _ready(srv, item.id)
        plan = saving.prepare(item, {"regions": [FACE, ADDED]}, "fill")  # accepted: the file is as it was
        with Image.open(PHOTO) as im:  # replaced while the save waits: the same size, its faces elsewhere
            im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(photo, quality=95)
        result = saving.save(item, plan, srv.detector, lambda *_: None)
        assert result["state"] == "error" and "changed on disk since it was opened" in result["error"], result
        assert not photo.with_name("photo.unseen.jpg").exists()
    finally:
        srv.stop()


# -- 5. the server stops under the page -------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.slow
def test_a_stopped_server_is_said_at_once_and_the_tab_asks_before_it_closes(browser, tmp_path):
    """The draft's POST failed silently: nothing said the server was gone until another file was
    opened, and closing the tab lost the edits without a question."""
    from review_browser_helpers import copy, expect, review, wait_loaded

    photo = copy(PHOTO, tmp_path / "photo.jpg")
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        page.key("a", "Enter")  # sent and kept: then the server stops
        item = srv.items[srv.order[0]]
        while item.draft is None:
            page.wait_for_timeout(50)
        srv.stop()
        page.key("a", "Enter")
        expect(page.locator("#status")).to_have_text(re.compile("cannot be reached.*only in this tab"),
                                                      timeout=5000)
        expect(page.locator("#status")).to_have_class(re.compile("error"))
        asked: list[str] = []
        page.on("dialog", lambda d: asked.append(d.type))
        with page.expect_event("close"):  # once asked (and answered: leave), the tab closes
            page.close(run_before_unload=True)
        assert asked == ["beforeunload"]


def test_a_saved_photo_resumes_with_its_sidecar_as_boxes(tmp_path):
    """The page writes the sidecar after the output (it records the output's sha256), so the sidecar was
    newer: a resume with ``--boxes`` of it and ``--skip-existing`` took the output for older than its regions
    and failed the file ("its regions may not be in it"), exit 1. The sidecar is dated as its output."""
    from unseen.cli import main

    (tmp_path / "in").mkdir()
    src = tmp_path / "in" / "photo.jpg"
    shutil.copy(PHOTO, src)
    srv = _serve([src])
    try:
        iid = _first_id(srv)
        _ready(srv, iid, 60)
        assert _save_item(srv, iid, {"regions": [ADDED, FACE]})[1].get("state") == "done"
    finally:
        srv.stop()
    out, side = tmp_path / "in" / "photo.unseen.jpg", tmp_path / "in" / "photo.unseen.json"
    assert side.stat().st_mtime_ns == out.stat().st_mtime_ns
    assert main([str(src), "--boxes", str(side), "--skip-existing", "-q"]) == 0


def test_the_file_list_shows_unsaved_work_an_earlier_session_left_before_the_file_is_opened(tmp_path):
    """A draft is opened with its file (``drafts.reopen``); until then the list showed the file as neither
    saved nor changed, and a reviewer back after a crash could not tell which of 40 files held unsaved work
    (a hunt, 2026-12-06)."""
    photo, other = tmp_path / "a.jpg", tmp_path / "b.jpg"
    shutil.copy(PHOTO, photo)
    shutil.copy(PHOTO2, other)
    srv = _serve([photo, other])
    try:
        item_id = srv.order[0]
        base = _ready(srv, item_id)["draft_gen"]
        assert _json(srv, "POST", f"/api/files/{item_id}/draft", {"regions": [FACE, ADDED], "base": base})[0] == 200
    finally:
        srv.stop()
    assert (tmp_path / "a.jpg.unseen-draft.json").is_file()
    srv = _serve([photo, other])
    try:
        files = _json(srv, "GET", "/api/session")[1]["files"]
        assert [(f["name"], f["state"], f["draft"]) for f in files] == [("a.jpg", "new", True), ("b.jpg", "new", False)]
        assert _ready(srv, srv.order[0])["draft"] is not None  # and opened with it, as before
    finally:
        srv.stop()


def test_a_file_whose_draft_name_is_too_long_does_not_break_the_file_list(tmp_path):
    """A name of 244 characters is legal; its draft's name (18 more) is not. Asked whether the draft was there,
    the file list raised "File name too long" and the page could not load any file (a review, 2026-12-06)."""
    long = tmp_path / ("x" * 240 + ".jpg")
    shutil.copy(PHOTO, long)
    shutil.copy(PHOTO2, tmp_path / "b.jpg")
    srv = _serve([tmp_path])
    try:
        status, d = _json(srv, "GET", "/api/session")
        assert status == 200 and sorted(f["draft"] for f in d["files"]) == [False, False], d
    finally:
        srv.stop()
