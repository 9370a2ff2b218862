"""Helpers for the real-browser review tests (test_review_browser.py, test_review_browser_page.py):
the fixture files, a stub detector, a page wrapper and the waits a reviewer's actions need."""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from unseen import boxes as boxes_file
from unseen.mask import MaskSpec
from unseen.regions import Regions
from unseen.web.server import ReviewServer

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


def launch_browser():
    """Debian's Chromium through playwright, or a skip saying what is missing (a generator: the
    ``browser`` fixture in conftest.py yields from it)."""
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
