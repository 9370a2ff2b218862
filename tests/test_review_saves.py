"""The review server's side of issue 15, without a browser: what a save may replace or uncover, what
a file opens with (an earlier save's sidecar, this session's save, an unsaved draft), and the words
the page gets. The page's side is in tests/test_review_browser.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from PIL import Image
from web_helpers import ADDED, FACE, PHOTO, StubDetector, _first_id, _json, _ready, _serve, _tiny_video

from unseen import boxes as boxes_file
from unseen import options as unseen_options
from unseen.engine.file import anonymize_file
from unseen.engine.plan import plan
from unseen.options import Options
from unseen.regions import Regions
from unseen.web import items as web_items
from unseen.web import saving, words
from unseen.web.server import ReviewServer


def _save(srv: ReviewServer, body: dict, timeout: float = 60) -> tuple[int, dict]:
    item_id = _first_id(srv)
    _ready(srv, item_id)
    status, answer = _json(srv, "POST", f"/api/files/{item_id}/save", body)
    if status != 202:
        return status, answer
    return status, _ready(srv, item_id, timeout)["save"]


def test_a_save_that_drops_a_saved_region_needs_confirmation(photo):
    srv = _serve([photo])
    try:
        assert _save(srv, {"regions": [FACE, ADDED]})[1]["state"] == "done"
        side = photo.with_name("photo.unseen.json")
        before = side.read_bytes()
        status, body = _save(srv, {"regions": [FACE]})
        assert status == 409 and body["code"] == "uncover"
        assert [r["kind"] for r in body["regions"]] == ["manual"] and "uncover 1 region" in body["error"]
        assert side.read_bytes() == before  # refused before anything was written
        # A region moved a little still covers what was saved; one moved away does not.
        nudged = dict(ADDED, x=ADDED["x"] + 8, y=ADDED["y"] - 5)
        assert _save(srv, {"regions": [FACE, nudged]})[1]["state"] == "done"
        away = dict(ADDED, x=ADDED["x"] + 60)
        assert _save(srv, {"regions": [FACE, away]})[0] == 409
        assert _save(srv, {"regions": [FACE], "confirm_uncover": True})[1]["state"] == "done"
        assert boxes_file.load(side)[0].regions.kinds.tolist() == ["face"]
    finally:
        srv.stop()


def test_kept_means_covered_by_one_new_region():
    prior = [{"x": 0, "y": 0, "w": 100, "h": 100, "kind": "face"}]

    def lost(boxes, times=None, prior_times=None):
        items = [dict(p, **(prior_times or {})) for p in prior]
        regions = Regions.from_boxes(boxes) if boxes else Regions.empty()
        return saving.uncovered(items, regions, times or [(None, None)] * len(boxes), times is not None)
    assert lost([(0, 0, 100, 70)]) == []  # 70 %
    assert len(lost([(0, 0, 100, 69)])) == 1
    assert len(lost([(0, 0, 100, 50), (0, 50, 100, 100)])) == 1  # halves: no one region keeps it
    assert lost([]) == prior
    # Video: the new range must hold the old one (a little slack for the sampled frames).
    assert lost([(0, 0, 100, 100)], [(0.5, 3.0)], {"t0": 0.5, "t1": 2.0}) == []
    assert len(lost([(0, 0, 100, 100)], [(0.5, 1.5)], {"t0": 0.5, "t1": 2.0})) == 1
    assert len(lost([(0, 0, 100, 100)], [(1.0, 3.0)], {"t0": 0.5, "t1": 2.0})) == 1
    assert lost([(0, 0, 100, 100)], [(None, None)], {"t0": 0.5, "t1": 2.0}) == []


def test_a_face_saved_again_as_a_drawn_box_needs_confirmation(photo):
    """The same box saved as a face, then as a box a person drew (``manual``): a face is masked padded out to
    the head and a drawn box as drawn, so the second output showed 25,483 pixels of heads the first covered,
    with no question asked (a hunt, 2026-12-05). What each region's mask spans is compared now."""
    srv = _serve([photo])
    try:
        assert _save(srv, {"regions": [FACE]})[1]["state"] == "done"
        status, body = _save(srv, {"regions": [dict(FACE, kind="manual")]})
        assert status == 409 and body["code"] == "uncover", body
        # drawn out to where the face's mask reached, the same box keeps it covered
        w, h = FACE["w"], FACE["h"]
        grown = dict(FACE, kind="manual", x=FACE["x"] - w / 4, y=FACE["y"] - h * 0.3375, w=w * 1.5, h=h * 1.5875)
        assert _save(srv, {"regions": [grown]})[1]["state"] == "done"
    finally:
        srv.stop()


def test_a_save_that_would_blur_the_picture_many_times_over_is_refused(photo):
    """5000 full-picture regions in blur style: the preview refused them (413), a save took them and kept the
    one save worker busy for a minute (a hunt, 2026-12-05). Refused the same way; with fill they are cheap."""
    srv = _serve([photo])
    try:
        whole = {"x": 0, "y": 0, "w": 10000, "h": 10000, "kind": "manual"}
        status, body = _save(srv, {"regions": [whole] * 40, "style": "blur"})
        assert status == 413 and "save with fill" in body["error"], body
        assert _save(srv, {"regions": [whole] * 40, "style": "fill"})[1]["state"] == "done"
    finally:
        srv.stop()


def test_video_range_shortened_needs_confirmation(tmp_path):
    clip = _tiny_video(tmp_path / "clip.mp4")
    srv = _serve([clip])
    try:
        timed = dict(ADDED, x=200, y=20, w=60, h=60, t0=0.5, t1=2.0)
        assert _save(srv, {"regions": [timed]}, 120)[1]["state"] == "done"
        status, body = _save(srv, {"regions": [dict(timed, t1=1.0)]})
        assert status == 409 and body["code"] == "uncover"
        assert _save(srv, {"regions": [dict(timed, t0=0.0, t1=3.0)]}, 120)[1]["state"] == "done"
    finally:
        srv.stop()


def test_a_restart_opens_the_saved_regions_and_replaces_only_its_own_output(photo):
    srv = _serve([photo])
    try:
        sv = _save(srv, {"regions": [FACE, ADDED]})[1]
        assert sv["state"] == "done"
    finally:
        srv.stop()
    doc = json.loads(photo.with_name("photo.unseen.json").read_text())
    assert doc["output"]["name"] == "photo.unseen.jpg" and len(doc["output"]["sha256"]) == 64
    srv = _serve([photo])
    try:
        d = _ready(srv, _first_id(srv))
        assert d["review"]["source"] == "earlier" and "sha256" not in d["review"]
        assert [r["kind"] for r in d["review"]["regions"]] == ["face", "manual"]
        assert d["saved_earlier"] and not d["saved"] and d["draft"] is None
        assert _save(srv, {"regions": [FACE, ADDED]})[1]["state"] == "done"  # provably ours: no question
    finally:
        srv.stop()
    # Another program's output (no sidecar of ours) is only replaced when the reviewer says so.
    photo.with_name("photo.unseen.json").unlink()
    srv = _serve([photo])
    try:
        status, body = _save(srv, {"regions": [FACE]})
        assert status == 409 and body["code"] == "exists" and body["files"] == ["photo.unseen.jpg"]
        assert "--" not in body["error"] and "Replace it?" in body["error"]
        assert _save(srv, {"regions": [FACE], "replace": True})[1]["state"] == "done"
    finally:
        srv.stop()


def test_a_sidecar_of_another_file_is_left_alone(photo):
    side = photo.with_name("photo.unseen.json")
    side.write_text(json.dumps({"version": 1, "image": "other.jpg", "mode": "only", "regions": [ADDED]}))
    srv = _serve([photo])
    try:
        d = _ready(srv, _first_id(srv))
        assert d["review"] is None and any("another file" in n for n in d["notes"])
        status, body = _save(srv, {"regions": [FACE]})
        assert status == 409 and body["files"] == ["photo.unseen.json"]
    finally:
        srv.stop()


def test_drafts_survive_a_reload_until_saved(photo):
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        status, _ = _json(srv, "POST", f"/api/files/{item_id}/draft", {"regions": [FACE, ADDED]})
        assert status == 200
        d = _ready(srv, item_id)
        assert [r["kind"] for r in d["draft"]] == ["face", "manual"] and d["draft"]
        _, session = _json(srv, "GET", "/api/session")
        assert session["files"][0]["draft"] is True
        assert _json(srv, "POST", f"/api/files/{item_id}/draft", {"regions": [{"x": "a"}]})[0] == 400
        assert _save(srv, {"regions": [FACE, ADDED]})[1]["state"] == "done"
        assert _ready(srv, item_id)["draft"] is None
    finally:
        srv.stop()


def test_unsaved_work_survives_the_server_stopping(photo):
    """The page's unsaved regions were kept in the server's memory only: a crash, a closed laptop or
    Ctrl-C lost a reviewer's work. They are on disk until saved, and open again for this very file."""
    draft = photo.with_name("photo.jpg.unseen-draft.json")
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        assert _json(srv, "POST", f"/api/files/{item_id}/draft", {"regions": [FACE, ADDED]})[0] == 200
        assert [r["kind"] for r in json.loads(draft.read_text())["regions"]] == ["face", "manual"]
    finally:
        srv.stop()
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        assert _json(srv, "GET", "/api/session")[1]["files"][0]["draft"] is True  # shown before it is opened too
        d = _ready(srv, item_id)
        assert [r["kind"] for r in d["draft"]] == ["face", "manual"] and d["review"] is None
        assert any("earlier review" in n for n in d["notes"])
        assert _json(srv, "GET", "/api/session")[1]["files"][0]["draft"] is True
        assert _save(srv, {"regions": d["draft"]})[1]["state"] == "done"
        assert not draft.exists() and _ready(srv, item_id)["draft"] is None
        # Dropped by the page: gone from the disk too.
        assert _json(srv, "POST", f"/api/files/{item_id}/draft", {"regions": [ADDED]})[0] == 200
        assert draft.exists()
        assert _json(srv, "POST", f"/api/files/{item_id}/draft", {"regions": None})[0] == 200
        assert not draft.exists()
    finally:
        srv.stop()


def _draft_in_a_session(src: Path, regions: list[dict]) -> None:
    """One review session of ``src`` that leaves ``regions`` unsaved, then stops."""
    srv = _serve([src])
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        assert _json(srv, "POST", f"/api/files/{item_id}/draft", {"regions": regions})[0] == 200
    finally:
        srv.stop()


def test_unsaved_work_on_another_version_of_the_file_is_not_opened(photo):
    """Regions drawn on another picture of the same name would cover the wrong places."""
    draft = photo.with_name("photo.jpg.unseen-draft.json")
    _draft_in_a_session(photo, [ADDED])
    st = photo.stat()
    os.utime(photo, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # the file changed since
    srv = _serve([photo])
    try:
        d = _ready(srv, _first_id(srv))
        assert d["draft"] is None and any("another version" in n for n in d["notes"])
        assert draft.exists()  # left as it is until the next change replaces it
    finally:
        srv.stop()


def test_inputs_of_one_stem_keep_their_own_unsaved_work(photo):
    """a.jpg and a.png shared the draft a sidecar's name gives (``a``), and a session of both looked for
    a.jpg's under another name: one file's unsaved regions replaced the other's, or were not found."""
    other = photo.with_name("photo.png")
    Image.open(photo).save(other)
    _draft_in_a_session(photo, [FACE])
    _draft_in_a_session(other, [ADDED])
    srv = _serve([photo, other])
    try:
        kinds = [[r["kind"] for r in _ready(srv, item_id)["draft"]] for item_id in srv.order]
        assert kinds == [["face"], ["manual"]]
    finally:
        srv.stop()


def test_a_draft_path_that_is_no_regular_file_is_not_read(photo):
    """A FIFO there would hang the file's detection for ever."""
    os.mkfifo(photo.with_name("photo.jpg.unseen-draft.json"))
    srv = _serve([photo])
    try:
        d = _ready(srv, _first_id(srv), timeout=20)
        assert d["state"] == "ready" and d["draft"] is None and any("cannot read" in n for n in d["notes"])
    finally:
        srv.stop()


def test_unsaved_work_that_cannot_be_written_stays_in_memory_and_says_so(photo):
    photo.with_name("photo.jpg.unseen-draft.json").mkdir()  # in the way: not a file unseen can replace
    srv = _serve([photo])
    try:
        item_id = _first_id(srv)
        _ready(srv, item_id)
        assert _json(srv, "POST", f"/api/files/{item_id}/draft", {"regions": [ADDED]})[0] == 200
        d = _ready(srv, item_id)
        assert [r["kind"] for r in d["draft"]] == ["manual"]
        assert any("cannot be kept on disk" in n for n in d["notes"])
    finally:
        srv.stop()


class OnceMore(StubDetector):
    """The self-check finds a face the reviewer removed (at the stub's own place)."""

    def check(self, rgb: np.ndarray) -> Regions:
        return Regions.from_boxes([self.box], [0.8])


def test_what_the_self_check_covered_is_returned_and_kept_in_the_sidecar(photo):
    srv = _serve([photo], OnceMore())
    try:
        sv = _save(srv, {"regions": [ADDED]})[1]
        assert sv["state"] == "done" and sv["report"]["self_check_extra"] == 1
        (found,) = sv["self_check"]
        assert found["found_by"] == "self-check" and found["kind"] == "face"
        (entry,) = boxes_file.load(photo.with_name("photo.unseen.json"))
        assert sorted(entry.regions.kinds.tolist()) == ["face", "manual"]
        d = _ready(srv, _first_id(srv))
        assert [r.get("found_by") for r in d["review"]["regions"]] == [None, "self-check"]
    finally:
        srv.stop()


def test_audio_choice_comes_from_the_options_list(tmp_path, monkeypatch):
    clip = _tiny_video(tmp_path / "clip.mp4")
    srv = _serve([clip])
    try:
        assert _json(srv, "GET", "/api/session")[1]["audio_choices"] == list(unseen_options.AUDIO_CHOICES)
        assert _save(srv, {"regions": [], "audio": "loud"})[0] == 400
        monkeypatch.setattr(unseen_options, "AUDIO_CHOICES", ("drop", "keep", "mute-speech"))
        assert _json(srv, "GET", "/api/session")[1]["audio_choices"][-1] == "mute-speech"
        d = _ready(srv, _first_id(srv))
        assert d["audio"] is False  # this clip has no sound track
    finally:
        srv.stop()


def test_the_page_is_told_where_the_output_goes(photo, tmp_path):
    out = tmp_path / "out"
    for output, name in ((None, "photo.unseen.jpg"), (out, "photo.jpg")):
        srv = _serve([photo], output=output)
        try:
            d = _ready(srv, _first_id(srv))
            assert d["destination"] == {"name": name, "folder": str(output or photo.parent)}
            job = plan([photo], output)[0][0]
            assert anonymize_file(job, Options(force=True), StubDetector()).output == str(
                Path(d["destination"]["folder"]) / name)
        finally:
            srv.stop()


def test_likely_missed_leaves_out_what_detection_covers():
    class Wide:
        def candidates(self, rgb):
            return Regions.from_boxes([(10, 10, 30, 30), (100, 100, 120, 120), (12, 12, 29, 31)], [0.05, 0.2, 0.04])

    found = [{"x": 8, "y": 8, "w": 25, "h": 25, "kind": "face"}]
    maybe = web_items.likely_missed(Wide(), np.zeros((200, 200, 3), np.uint8), found)
    assert [(m["x"], m["y"]) for m in maybe] == [(100, 100)]
    assert web_items.likely_missed(object(), np.zeros((20, 20, 3), np.uint8), []) == []


def test_page_words_have_no_flags_or_jargon():
    assert words.error("output /a/b/photo.unseen.jpg exists (use --force to replace it)") == (
        "photo.unseen.jpg already exists in /a/b, and nothing was replaced")
    assert words.note("colour converted to sRGB; ICC profile dropped").startswith("colours converted")
    assert words.note("EXIF orientation 6 applied to pixels") == "turned upright, as the camera recorded it"
    assert words.note("57 frames in 1.2 s (40 fps, two reads)") is None
    assert words.metadata(["GPS", "EXIF", "ICC profile", "EXIF thumbnail"]) == [
        "location (GPS)", "camera details and date", "colour profile", "hidden preview picture"]
    assert words.metadata(["preview in the EXIF block"]) == ["hidden preview picture"]  # a maker notes' preview
    # what inspect lists beyond Pillow's reading (a motion photo's video, makers' segments, GIF blocks)
    listed = ["a video after the picture (2411585 bytes; a phone's motion photo)",
              "24 bytes after the end of the picture", "APP6 segment (GoPro)", "JFXX extension thumbnail",
              "GIF application block (FOO 1.0)", "GIF plain-text block (text drawn over the picture)",
              "PNG chunk tIME (last-modified time)", "WebP chunk gPsT"]
    assert words.metadata(listed) == [
        "a short video of the moment (motion photo)", "hidden data after the picture", "camera maker's data (GoPro)",
        "hidden preview picture", "application data (FOO 1.0)", "text drawn over the picture",
        "time the picture was last changed", "application data (gPsT)"]


def test_a_signal_after_the_output_is_written_does_not_say_it_was_not(photo, monkeypatch):
    """A signal between the output given its name and the sidecar's second write: the save fails
    ("interrupted"), but the output is there, so the command must not say "no output written for it" of it
    (``ReviewServer.unsaved``; a review, 2026-12-06)."""
    from unseen import interrupt

    write = saving.atomic_output
    calls = []

    def signalled_before_the_second_sidecar(dst, force, *args, **kwargs):
        calls.append(dst)
        if len(calls) == 2:  # the output is written; a Ctrl-C now
            interrupt.STOP_WRITING.set()
        return write(dst, force, *args, **kwargs)

    monkeypatch.setattr(saving, "atomic_output", signalled_before_the_second_sidecar)
    srv = _serve([photo])
    try:
        answer = _save(srv, {"regions": [FACE]})[1]
        assert answer["state"] == "error" and not answer["interrupted"]
        assert photo.with_name("photo.unseen.jpg").is_file()
    finally:
        srv.stop()
        interrupt.start_writing()
    assert srv.unsaved == []


def test_an_output_whose_record_could_not_be_written_is_still_this_session_s(photo, monkeypatch):
    """The output written, then the sidecar's second write failed (a full disk): the page said only
    "error" while the output sat there, and the next save, space freed, asked whether to replace it as
    another program's (a hunt, 2026-12-06). The page is told the output is there; the next save replaces it
    as this session's own."""
    from unseen.errors import UnseenError

    write = saving.atomic_output
    calls = []

    def disk_full_at_the_second_sidecar(dst, force, *args, **kwargs):
        calls.append(dst)
        if len(calls) == 2:  # the first sidecar and the output are written
            raise UnseenError(f"cannot write {dst}: No space left on device")
        return write(dst, force, *args, **kwargs)

    monkeypatch.setattr(saving, "atomic_output", disk_full_at_the_second_sidecar)
    srv = _serve([photo])
    try:
        answer = _save(srv, {"regions": [FACE]})[1]
        out = photo.with_name("photo.unseen.jpg")
        assert answer["state"] == "error" and out.is_file()
        assert "No space left on device" in answer["error"] and "photo.unseen.jpg, was written" in answer["error"]
        monkeypatch.setattr(saving, "atomic_output", write)
        status, answer = _save(srv, {"regions": [FACE, ADDED]})
        assert status == 202 and answer["state"] == "done", answer
    finally:
        srv.stop()


def test_a_photo_saved_from_the_page_is_not_said_to_have_had_no_detector(photo):
    """The page saves a photo as the reviewer left it (the boxes file's "only" mode, the self-check behind
    it); its result said "no detector ran: the boxes file gives the regions to cover (mode only)" after
    every save, to a reviewer who had just watched detection run (a hunt, 2026-12-06)."""
    srv = _serve([photo])
    try:
        status, sv = _save(srv, {"regions": [FACE]})
        assert sv["state"] == "done", sv
        assert not any("detector" in n or "mode only" in n or "boxes file" in n for n in sv["notes"]), sv["notes"]
    finally:
        srv.stop()


def test_a_multi_page_tiff_says_before_saving_that_only_its_first_page_is_saved(tmp_path):
    """The page said a TIFF's other pages are dropped only in the save's result (a hunt, 2026-12-06): a
    reviewer deciding what to publish should know before."""
    tif = tmp_path / "pages.tif"
    first = Image.open(PHOTO).convert("RGB")
    first.save(tif, save_all=True, append_images=[first.rotate(90), first.rotate(180)])
    srv = _serve([tif])
    try:
        d = _ready(srv, _first_id(srv))
        assert d["state"] == "ready", d.get("error")
        assert any("3 pictures" in n and "only the first" in n for n in d["notes"]), d["notes"]
    finally:
        srv.stop()
