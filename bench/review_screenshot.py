"""Regenerate docs/review.png: the review page on samples/group.jpg (real detector, Debian's Chromium
at 1366x768), after a region was added over a missed face and the photo saved.

    .venv/bin/python bench/review_screenshot.py [OUT.png]

Writes into a temporary folder (the sample and its outputs); only the screenshot is kept.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect, sync_playwright

from unseen.web.server import ReviewServer

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "group.jpg"
        shutil.copyfile(ROOT / "samples" / "group.jpg", photo)
        server = ReviewServer([photo]).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.goto(server.url)
                page.locator("#overlay .region").first.wait_for(timeout=60_000)
                page.keyboard.press("a")
                page.keyboard.press("Enter")
                page.keyboard.press("s")
                expect(page.locator("#status")).to_have_text("Saved.", timeout=60_000)
                time.sleep(0.5)
                page.screenshot(path=str(out))
                browser.close()
        finally:
            server.stop()
    im = Image.open(out).convert("RGB")
    im = im.resize((im.width * 3 // 4, im.height * 3 // 4), Image.LANCZOS)
    im.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, optimize=True)
    print(out, out.stat().st_size, "bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "review.png")
