"""The review page in a real browser, continued (issue 15): what the page says and shows (crowd previews,
status, plain-word notes, output names, the legend, every kind's colour). Same set-up as
test_review_browser.py."""

from __future__ import annotations

import json
import re

import pytest
from PIL import Image, ImageCms
from review_browser_helpers import (
    CLIP,
    PHOTO,
    PHOTO2,
    VIEWPORT,
    Page,
    Stub,
    copy,
    expect,
    overlaps,
    press_save,
    review,
    sidecar_kinds,
    wait_loaded,
    wait_saved,
)

from unseen import boxes as boxes_file
from unseen import options as unseen_options
from unseen.kinds import KINDS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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
            # A retrying assertion: the overlay is redrawn as the page settles, and a region read while
            # being replaced is detached (its computed style empty), which made a one-shot read flaky.
            region = page.locator(f"#overlay .region[data-kind={kind}]")
            expect(region).to_have_css("border-top-color", _css_colour(KINDS[kind].colour))
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
