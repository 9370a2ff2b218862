"""The review page in a real browser (issue 15): each test is one finding of the review of the page,
driven as a reviewer would (Chromium at 1366x768, keyboard first), and failed before its fix.

Debian's Chromium through the ``playwright`` package (never ``playwright install``). A stub detector
keeps most tests fast; the self-check test uses the real detector, since that is its point.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from unseen import boxes as boxes_file
from unseen import options as unseen_options
from unseen.kinds import KINDS
from unseen.mask import MaskSpec
from unseen.regions import Regions
from unseen.web.server import ReviewServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
PHOTO = FIXTURES / "2008_002470.jpg"  # 500 x 332, six faces
PHOTO2 = FIXTURES / "2008_007676.jpg"
CLIP = FIXTURES / "video" / "head_pose.mp4"  # 480 x 270, 4.7 s, with a sound track
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
VIEWPORT = {"width": 1366, "height": 768}
FILL = np.array(MaskSpec().color, np.int16)  # colour of the default "fill" style


class Stub:
    """A detector that finds fixed boxes (x1, y1, x2, y2, score[, kind]); ``maybe``: what a wider
    search would add (the page's "places to check")."""

    def __init__(self, boxes=((150, 160, 190, 210, 0.9),), maybe=()):
        self.boxes, self.maybe = list(boxes), list(maybe)

    @staticmethod
    def _regions(rows) -> Regions:
        return Regions.concat([Regions.from_boxes([r[:4]], [r[4]], kind=r[5] if len(r) > 5 else "face")
                               for r in rows]) if rows else Regions.empty()

    def detect(self, rgb: np.ndarray) -> Regions:
        return self._regions(self.boxes)

    def check(self, rgb: np.ndarray) -> Regions:
        return Regions.empty()

    def candidates(self, rgb: np.ndarray) -> Regions:
        return self._regions(self.maybe)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("needs the playwright Python package (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Page:
    """One browser tab on one review server, with the errors it logged."""

    def __init__(self, browser, server: ReviewServer):
        self.server = server
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: d.accept())  # beforeunload on reload: leave
        self.page.set_default_timeout(20_000)
        self.page.goto(server.url)

    def __getattr__(self, name):
        return getattr(self.page, name)

    def key(self, *keys: str) -> None:
        for k in keys:
            self.page.keyboard.press(k)

    def status(self) -> str:
        return self.page.locator("#status").inner_text()


@contextlib.contextmanager
def review(browser, paths, detector=None, output=None) -> Iterator[tuple[ReviewServer, Page]]:
    server = ReviewServer(list(paths), output=output, detector=detector or Stub()).start()
    page = None
    try:
        page = Page(browser, server)
        yield server, page
        assert not page.errors, page.errors
    finally:
        if page is not None:
            page.context.close()
        server.stop()


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def copy(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst


def wait_loaded(page: Page) -> None:
    page.locator("#overlay .region").first.wait_for()


def wait_saved(server: ReviewServer, index: int = 0, before: dict | None = None, timeout: float = 60) -> dict:
    """The save state of file ``index`` once a save that started after ``before`` has finished."""
    item = server.items[server.order[index]]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        sv = item.save
        if sv is not before and sv.get("state") in ("done", "error"):
            return sv
        time.sleep(0.05)
    raise AssertionError(f"no save finished in {timeout}s (state {item.save})")


def press_save(server: ReviewServer, page: Page, index: int = 0) -> dict:
    """Press S; the server's save state once done, and the page's status once it says so."""
    before = server.items[server.order[index]].save
    page.key("s")
    sv = wait_saved(server, index, before)
    expect(page.locator("#status")).to_have_text(re.compile(r"^(Saved|Not saved)"))
    return sv


def sidecar_kinds(path: Path) -> list[str]:
    return sorted(boxes_file.load(path)[0].regions.kinds.tolist())


def filled(path: Path, box) -> bool:
    x1, y1, x2, y2 = (int(v) for v in box)
    px = np.asarray(Image.open(path).convert("RGB"), np.int16)[y1 + 3:y2 - 3, x1 + 3:x2 - 3]
    return bool(np.abs(px - FILL).max() < 30)


def wait_preview(page: Page, timeout: float = 20) -> None:
    """Until the masked preview is on screen (polled from here: the page's CSP forbids eval)."""
    end = time.monotonic() + timeout
    while not page.evaluate("() => document.getElementById('photo').src.startsWith('blob:')"):
        assert time.monotonic() < end, "no preview shown"
        page.wait_for_timeout(50)


def manual_box(page: Page) -> tuple[float, float, float, float]:
    """The added region's box in image pixels, as the page holds it."""
    r = page.evaluate("""() => { const S = window.unseenReview; const f = S.files[S.index];
        return S.edits[f.id].regions.filter((r) => r.kind === 'manual').map((r) => [r.x, r.y, r.w, r.h]); }""")
    assert len(r) == 1, r
    x, y, w, h = r[0]
    return x, y, x + w, y + h


def overlaps(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


# -- review work is never lost -------------------------------------------------------------------
def test_added_region_survives_a_reload_and_the_next_save_keeps_it(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        page.key("a", "Enter")
        manual = page.locator("#overlay .region.manual")
        expect(manual).to_have_count(1)
        box = manual_box(page)
        assert press_save(srv, page)["state"] == "done"
        assert sidecar_kinds(tmp_path / "photo.unseen.json") == ["face", "manual"]
        page.reload()
        wait_loaded(page)
        expect(manual).to_have_count(1)  # what was saved, not the bare detections
        page.key("Escape")
        assert press_save(srv, page)["state"] == "done"
        assert sidecar_kinds(tmp_path / "photo.unseen.json") == ["face", "manual"]
        assert filled(tmp_path / "photo.unseen.jpg", box)


def test_added_region_survives_a_restart_and_saves_again_without_a_flag(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        page.key("a", "Enter")
        assert press_save(srv, page)["state"] == "done"
    with review(browser, [photo]) as (srv, page):  # the next day: a new `unseen review`
        wait_loaded(page)
        expect(page.locator("#overlay .region.manual")).to_have_count(1)
        expect(page.locator("#status")).not_to_contain_text("Saved earlier in this session")
        page.key("Escape")
        sv = press_save(srv, page)
        assert sv["state"] == "done", sv  # the page proves it wrote the file: no "--force"
        expect(page.locator("#status")).to_have_text(re.compile("^Saved"))
        assert "--" not in page.locator(".panel").inner_text()
        assert sidecar_kinds(tmp_path / "photo.unseen.json") == ["face", "manual"]


def test_unsaved_work_survives_a_reload(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        page.key("a", "Enter")
        expect(page.locator("#overlay .region.manual")).to_have_count(1)
        item = srv.items[srv.order[0]]
        end = time.monotonic() + 5
        while getattr(item, "draft", None) is None and time.monotonic() < end:
            page.wait_for_timeout(50)  # the page keeps a draft on the server, debounced
        page.reload()
        wait_loaded(page)
        expect(page.locator("#overlay .region.manual")).to_have_count(1)
        expect(page.locator("#file-list .badge")).to_have_text("not saved")


def test_a_save_that_would_uncover_a_saved_region_asks_first(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    side = tmp_path / "photo.unseen.json"
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        page.key("a", "Enter")
        assert press_save(srv, page)["state"] == "done"
        page.locator("#overlay .region.manual").click()
        page.key("Delete")
        expect(page.locator("#overlay .region.manual")).to_have_count(0)
        before = side.read_bytes()
        page.key("s")
        dialog = page.locator("#confirm")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("uncover")
        page.key("Escape")
        expect(dialog).to_be_hidden()
        page.wait_for_timeout(300)
        assert side.read_bytes() == before  # nothing was saved
        page.key("s")
        expect(dialog).to_be_visible()
        before_save = srv.items[srv.order[0]].save
        page.locator("#confirm-ok").click()
        assert wait_saved(srv, 0, before_save)["state"] == "done"
        assert sidecar_kinds(side) == ["face"]


# -- keyboard only -------------------------------------------------------------------------------
def _tab_walk(page: Page, presses: int) -> list[str]:
    seen = []
    for _ in range(presses):
        page.key("Tab")
        seen.append(page.evaluate("""() => { const a = document.activeElement;
            return [a.id, a.className, a.dataset ? (a.dataset.uid || '') : '', a.tagName,
                    a.getAttribute('href') || ''].join('|'); }"""))
    return seen


def test_tab_leaves_the_regions_and_reaches_the_list_and_the_downloads(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    faces = Stub([(60, 60, 100, 110, 0.9), (150, 160, 190, 210, 0.8), (300, 100, 340, 150, 0.7),
                  (400, 200, 440, 250, 0.6)])
    with review(browser, [photo], faces) as (srv, page):
        wait_loaded(page)
        assert press_save(srv, page)["state"] == "done"
        expect(page.locator("#result a[download]").first).to_be_visible()
        page.locator("#overlay .region").first.click()
        seen = _tab_walk(page, 40)
        assert len(set(seen)) > 6, seen  # not a loop between two regions
        assert any("region-row" in s for s in seen), seen
        assert any("/download" in s for s in seen), seen
        # In the list, the arrow keys walk every region (one tab stop for the whole list).
        page.locator("#region-list [role=option]").first.focus()
        for _ in range(3):
            page.key("ArrowDown")
        assert page.evaluate("document.activeElement.dataset.index") == "3"
        expect(page.locator("#overlay .region.selected")).to_have_count(1)


def test_tab_reaches_the_time_range_of_a_video_region(browser, tmp_path):
    clip = copy(CLIP, tmp_path / "clip.mp4")
    with review(browser, [clip], Stub([(200, 60, 240, 110, 0.9)])) as (srv, page):
        page.locator("#thumbs .thumb").first.wait_for()
        page.key("a", "Enter")
        manual = page.locator("#overlay .region.manual")
        expect(manual).to_have_count(1)
        page.key("Escape")
        manual.click()  # a reviewer picks the region with the mouse, then goes on with Tab
        seen = _tab_walk(page, 30)
        assert len(set(seen)) > 6, seen
        assert any(s.startswith("t0|") for s in seen), seen
        assert any(s.startswith("t1|") for s in seen), seen


def test_arrow_after_preview_moves_the_region_not_the_file(browser, tmp_path):
    a, b = copy(PHOTO, tmp_path / "a.jpg"), copy(PHOTO2, tmp_path / "b.jpg")
    with review(browser, [a, b]) as (srv, page):
        wait_loaded(page)
        page.key("n")
        expect(page.locator("#position")).to_have_text("2 / 2")
        wait_loaded(page)
        page.key("a", "Enter")
        x0 = manual_box(page)[0]
        page.key("m")
        expect(page.locator("#preview")).to_be_checked()
        page.key("ArrowLeft")
        expect(page.locator("#position")).to_have_text("2 / 2")
        assert manual_box(page)[0] < x0
        page.key("m", "ArrowLeft")
        expect(page.locator("#position")).to_have_text("2 / 2")


def test_whole_photo_flow_with_the_keyboard_alone(browser, tmp_path):
    a, b = copy(PHOTO, tmp_path / "a.jpg"), copy(PHOTO2, tmp_path / "b.jpg")
    with review(browser, [a, b]) as (srv, page):
        wait_loaded(page)
        page.key("a", "Enter", "ArrowRight", "Shift+ArrowDown")  # add, move, grow
        x0 = manual_box(page)[0]
        page.key("m")  # preview as saved
        expect(page.locator("#preview")).to_be_checked()
        wait_preview(page)
        page.key("ArrowRight", "ArrowRight")  # still moves the region, seen masked
        page.key("m")
        expect(page.locator("#position")).to_have_text("1 / 2")
        assert manual_box(page)[0] > x0
        assert press_save(srv, page)["state"] == "done"
        expect(page.locator("#status")).to_have_text(re.compile("^Saved"))
        page.key("n")
        expect(page.locator("#position")).to_have_text("2 / 2")
        wait_loaded(page)
        assert press_save(srv, page, 1)["state"] == "done"
        assert (tmp_path / "a.unseen.jpg").is_file() and (tmp_path / "b.unseen.jpg").is_file()
        assert sidecar_kinds(tmp_path / "a.unseen.json") == ["face", "manual"]


def test_whole_video_flow_with_the_keyboard_alone(browser, tmp_path):
    clip = copy(CLIP, tmp_path / "clip.mp4")
    with review(browser, [clip], Stub([(200, 60, 240, 110, 0.9)])) as (srv, page):
        page.locator("#thumbs .thumb").first.wait_for()
        page.key(".", "a", "Enter")  # next sampled frame, add a region there
        expect(page.locator("#overlay .region.manual")).to_have_count(1)
        x0 = manual_box(page)[0]
        page.key("m")  # the frame as it will be saved
        wait_preview(page)
        page.key("ArrowRight", "m")
        assert manual_box(page)[0] > x0
        for _ in range(30):
            page.key("Tab")
            if page.evaluate("document.activeElement.id") == "t0":
                break
        page.keyboard.press("Control+a")
        page.keyboard.type("0.5")
        page.key("Tab")
        assert page.evaluate("document.activeElement.id") == "t1"
        page.keyboard.press("Control+a")
        page.keyboard.type("3")
        page.key("Tab", "Escape")
        sv = press_save(srv, page)
        assert sv["state"] == "done", sv
        (entry,) = boxes_file.load(tmp_path / "clip.unseen.json")
        assert entry.mode == "add" and entry.times == ((0.5, 3.0),)


# -- what the page says -----------------------------------------------------------------------------
def test_saved_status_belongs_to_its_own_file(browser, tmp_path):
    a, b = copy(PHOTO, tmp_path / "a.jpg"), copy(PHOTO2, tmp_path / "b.jpg")
    with review(browser, [a, b]) as (srv, page):
        wait_loaded(page)
        assert press_save(srv, page)["state"] == "done"
        expect(page.locator("#status")).to_have_text(re.compile("^Saved"))
        page.key("n")
        wait_loaded(page)
        expect(page.locator("#position")).to_have_text("2 / 2")
        page.wait_for_timeout(300)
        assert "Saved" not in page.status()
        assert "a.unseen.jpg" not in page.locator(".panel").inner_text()
        page.key("p")
        wait_loaded(page)
        expect(page.locator("#status")).to_contain_text("Saved")
        expect(page.locator("#file-list li").nth(0)).to_contain_text("saved")
        expect(page.locator("#file-list li").nth(1)).not_to_contain_text("saved")


def test_a_face_the_self_check_covers_again_is_shown_covered(browser, tmp_path, detector):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    with review(browser, [photo], detector) as (srv, page):
        wait_loaded(page)
        regions = page.locator("#overlay .region")
        detected = regions.count()
        biggest = max(range(detected), key=lambda i: regions.nth(i).bounding_box()["width"])
        regions.nth(biggest).click()
        page.key("Delete")
        expect(regions).to_have_count(detected - 1)
        sv = press_save(srv, page)
        assert sv["state"] == "done", sv
        assert sv["report"]["self_check_extra"] >= 1
        # The page shows what the file shows: the face is covered again, and says why in plain words.
        expect(regions).to_have_count(detected)
        expect(page.locator("#overlay .region.self-check")).to_have_count(1)
        text = page.locator(".panel").inner_text()
        assert re.search(r"self-check found 1 face", text), text
        (entry,) = boxes_file.load(tmp_path / "photo.unseen.json")
        assert len(entry.regions) == detected


def test_crowd_clean_preview_labels_and_places_to_check(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    crowd = [(20 + 40 * c, 20 + 45 * r, 50 + 40 * c, 55 + 45 * r, 0.3 if (r + c) % 7 == 0 else 0.95)
             for r in range(5) for c in range(11)]
    maybe = [(460, 280, 490, 320, 0.05)]
    with review(browser, [photo], Stub(crowd, maybe)) as (srv, page):
        wait_loaded(page)
        regions = page.locator("#overlay .region")
        expect(regions).to_have_count(len(crowd))
        # The list says where each region is and shows it.
        row = page.locator("#region-list [role=option]").first
        expect(row.locator(".crop")).to_have_count(1)
        expect(row).to_contain_text(re.compile("top|middle|bottom"))
        # Labels can be hidden; the preview shows the picture as it will be published: no boxes.
        page.key("l")
        expect(page.locator("#overlay .tag:visible")).to_have_count(0)
        expect(regions.first).to_be_visible()
        page.key("m")
        expect(page.locator("#overlay .region:visible")).to_have_count(0)
        page.key("m")
        # Walk the places most likely missed: low scores first, then what a wider search found.
        low = sum(1 for b in crowd if b[4] < 0.5)
        page.key("c")
        info = page.locator("#check-info")
        expect(info).to_contain_text(f"1 of {low + len(maybe)}")
        for _ in range(low):
            page.key("c")
        expect(info).to_contain_text("possible face")
        expect(page.locator("#overlay .candidate")).to_have_count(1)
        page.key("Enter")  # cover it
        expect(regions).to_have_count(len(crowd) + 1)
        assert press_save(srv, page)["state"] == "done"
        assert len(boxes_file.load(tmp_path / "photo.unseen.json")[0].regions) == len(crowd) + 1


def _contrast(page: Page, selector: str) -> float:
    return page.evaluate("""(sel) => {
        const el = document.querySelector(sel);
        const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
        let bg = null;
        for (let n = el; n && !bg; n = n.parentElement) {
            const c = rgb(getComputedStyle(n).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) bg = c;
        }
        bg = bg || [255, 255, 255];
        const fg = rgb(getComputedStyle(el).color);
        const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05); }""", selector)


def test_status_is_readable_and_nothing_overlaps(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        page.locator("#style").select_option("blur")
        expect(page.locator("#status")).to_contain_text("blur")
        header = page.locator("header").bounding_box()
        picture = page.locator("#viewport").bounding_box()
        for what in ("#status", "#activity"):  # messages and progress: in the layout, readable
            box = page.locator(what).bounding_box()
            assert box and not overlaps(header, box) and not overlaps(picture, box), what
            assert _contrast(page, what) >= 4.5, what
        assert press_save(srv, page)["state"] == "done"
        expect(page.locator("#result")).to_contain_text("Output")
        blocks = [b for b in page.locator("#status, #result dt, #result dd, #result p, .panel .warning").all()
                  if b.is_visible()]
        boxes = [b.bounding_box() for b in blocks]
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                assert not overlaps(boxes[i], boxes[j]), (blocks[i].inner_text(), blocks[j].inner_text())
        for b in page.locator("#result dd, #result p").all():
            assert b.evaluate("(e) => getComputedStyle(e).wordBreak") != "break-all"


def test_a_stopped_server_is_said_in_plain_words(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        srv.stop()
        page.key("s")
        expect(page.locator("#status")).to_contain_text("stopped")
        assert "fetch" not in page.status().lower()


def test_a_bad_upload_is_named_once_and_not_under_another_photo(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        assert press_save(srv, page)["state"] == "done"
        page.set_input_files("#file-input", files=[{"name": "notes.jpg", "mimeType": "image/jpeg",
                                                    "buffer": b"shopping list, not a photo\n"}])
        messages = page.locator("#file-messages")
        expect(messages).to_contain_text("notes.jpg")
        assert messages.inner_text().count("notes.jpg") == 1, messages.inner_text()
        assert "notes.jpg" not in page.locator(".panel").inner_text()


def test_notes_and_results_are_in_plain_words(browser, tmp_path):
    photo = tmp_path / "photo.jpg"
    with Image.open(PHOTO) as im:
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        im.convert("RGB").save(photo, "JPEG", quality=92, icc_profile=icc)
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        expect(page.locator("#note")).to_contain_text("colour profile")
        assert press_save(srv, page)["state"] == "done"
        expect(page.locator("#result")).to_contain_text("Output")
        text = page.locator(".panel").inner_text()
        for jargon in ("ICC", "EXIF", "sRGB", "--"):
            assert jargon not in text, (jargon, text)


def test_video_sound_choice_is_offered_from_the_session(browser, tmp_path, monkeypatch):
    monkeypatch.setattr(unseen_options, "AUDIO_CHOICES", ("drop", "keep", "mute-speech"))
    clip = copy(CLIP, tmp_path / "clip.mp4")
    with review(browser, [clip], Stub([(200, 60, 240, 110, 0.9)])) as (srv, page):
        page.locator("#thumbs .thumb").first.wait_for()
        audio = page.locator("#audio")
        expect(audio).to_be_visible()
        values = audio.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
        assert values == ["drop", "keep", "mute-speech"]
        expect(page.locator("#audio-row")).to_contain_text("sound")
        audio.select_option("keep")
        page.locator("#audio").press("Escape")
        sv = press_save(srv, page)
        assert sv["state"] == "done", sv
    import av

    with av.open(str(tmp_path / "clip.unseen.mp4")) as c:
        assert len(c.streams.audio) == 1


def test_output_name_is_shown_before_saving_and_matches_with_o(browser, tmp_path, capsys):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    out = tmp_path / "out"
    with review(browser, [photo], output=out) as (srv, page):
        wait_loaded(page)
        dest = page.locator("#destination")
        expect(dest).to_contain_text("photo.jpg")
        expect(dest).to_contain_text(str(out))
        assert press_save(srv, page)["state"] == "done"
    assert (out / "photo.jpg").is_file() and (out / "photo.unseen.json").is_file()
    from unseen.cli.review import main as review_main

    with pytest.raises(SystemExit):
        review_main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "NAME.unseen.EXT" in help_text and "keeps the input's own name" in help_text, help_text


def test_an_output_the_page_did_not_write_is_replaced_only_when_confirmed(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    theirs = copy(PHOTO2, tmp_path / "photo.unseen.jpg")  # some other program's file, no regions file
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        page.key("s")
        dialog = page.locator("#confirm")
        expect(dialog).to_be_visible()
        text = dialog.inner_text()
        assert "photo.unseen.jpg" in text and "--" not in text and "Replace" in text, text
        panel = page.locator("#confirm").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= VIEWPORT["width"]
        page.key("Escape")
        page.wait_for_timeout(300)
        assert theirs.read_bytes() == PHOTO2.read_bytes()
        page.key("s")
        before = srv.items[srv.order[0]].save
        page.locator("#confirm-ok").click()
        assert wait_saved(srv, 0, before)["state"] == "done"
        assert theirs.read_bytes() != PHOTO2.read_bytes()
        panel = page.locator(".panel")
        assert panel.evaluate("(p) => p.scrollWidth <= p.clientWidth"), "a path runs off the panel"


def test_first_visit_has_a_legend_and_a_one_line_guide(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    with review(browser, [photo]) as (srv, page):
        wait_loaded(page)
        expect(page.locator("#guide")).to_contain_text("Check every face")
        legend = page.locator("#legend")
        expect(legend).to_contain_text(KINDS["face"].label)
        expect(legend).to_contain_text(KINDS["manual"].label)


def _css_colour(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))


def test_every_kind_has_its_colour_a_switch_and_can_be_drawn(browser, tmp_path):
    photo = copy(PHOTO, tmp_path / "photo.jpg")
    stub = Stub([(150, 160, 190, 210, 0.9), (300, 250, 380, 280, 0.8, "plate")])
    with review(browser, [photo], stub) as (srv, page):
        wait_loaded(page)
        legend = page.locator("#legend")
        for kind in ("face", "plate"):
            expect(legend).to_contain_text(KINDS[kind].label)
            region = page.locator(f"#overlay .region[data-kind={kind}]")
            colour = region.evaluate("(e) => getComputedStyle(e).borderTopColor")
            assert colour == _css_colour(KINDS[kind].colour), (kind, colour)
        assert KINDS["text"].label not in legend.inner_text()  # only kinds present (and the one drawn)
        legend.get_by_label(KINDS["plate"].label).uncheck()
        expect(page.locator("#overlay .region[data-kind=plate]")).to_have_count(0)
        legend.get_by_label(KINDS["plate"].label).check()
        page.locator("#draw-kind").select_option("text")
        page.locator("#viewport").focus()
        page.key("a", "Enter")
        expect(page.locator("#overlay .region[data-kind=text]")).to_have_count(1)
        expect(legend).to_contain_text(KINDS["text"].label)
        page.key("Escape")
        assert press_save(srv, page)["state"] == "done"
        assert sidecar_kinds(tmp_path / "photo.unseen.json") == ["face", "plate", "text"]
    doc = json.loads((tmp_path / "photo.unseen.json").read_text())
    assert doc["mode"] == "only"
