"""The video benchmark's caches are checked before they feed a table (bench/video_common.py).

The slip table and the schedule simulation read cached detections (markers, 1x heads, per-pass
boxes) and, with ``slips --reuse``, outputs made earlier. A cache made by other code or other model
files used to be scored as if it were this code's; now a cache is recomputed on three frames and made
again when they differ, and a reused output must carry a record of the code that made it.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

CLIP = FIXTURES / "video" / "head_pose.mp4"  # 56 frames of a face turning (tests/fixtures/video)


@pytest.fixture
def vc(monkeypatch):
    """bench/video_common.py, imported from the bench folder (not a package)."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    return importlib.import_module("video_common")


def test_rows_agree_compares_boxes_clear_of_the_floor(vc):
    a = [[3, 10.0, 10.0, 50.0, 60.0, 0.91], [3, 200.0, 20.0, 220.0, 45.0, 0.21]]
    assert vc.rows_agree(a, [[3, 10.4, 9.6, 50.3, 60.0, 0.905]], floor=0.2)  # the 0.21 box is at the floor
    assert not vc.rows_agree(a, [[3, 12.0, 10.0, 50.0, 60.0, 0.91]], floor=0.2)  # moved by 2 px
    assert not vc.rows_agree(a, [], floor=0.2)  # a face lost
    assert not vc.rows_agree([], a, floor=0.2)  # a face found that the cache lacks
    assert not vc.rows_agree(a, [[3, 10.0, 10.0, 50.0, 60.0, 0.7]], floor=0.2)  # another score


@pytest.fixture
def clip(vc, monkeypatch):
    monkeypatch.setitem(vc.CLIPS, "fixture", str(CLIP))
    monkeypatch.setattr(vc, "clip_path", lambda name: CLIP if name == "fixture" else Path("/nonexistent"))
    return "fixture"


def test_a_cache_of_other_detections_is_found_stale(vc, clip):
    """The real markers' detector on a real clip: its own rows match; rows with one face shifted, or
    made at another scale (as other code would make them), do not."""
    det = vc.heads_detector()
    rows, n = [], 0
    for f in vc.frames(CLIP):
        rows += vc.box_rows(f.index, det.detect(f.rgb))
        n += 1
    assert rows and vc.stale(clip, n, rows, det.detect, vc.MARKER_THRESHOLD) is None
    shifted = [r[:1] + [v + 3 for v in r[1:5]] + r[5:] if int(r[0]) == n // 2 else r for r in rows]
    assert "frame 28" in vc.stale(clip, n, shifted, det.detect, vc.MARKER_THRESHOLD)
    marker = vc.marker_detector()  # the 2x markers are not the 1x heads
    assert vc.stale(clip, n, rows, marker.detect, vc.MARKER_THRESHOLD) is not None


def test_a_reused_output_needs_the_record_of_what_made_it(vc, tmp_path, monkeypatch):
    vb = importlib.import_module("video_bench")

    monkeypatch.setattr(vb, "OUT", tmp_path)
    monkeypatch.setattr(vb, "tool_output", lambda tool, name: tmp_path / tool / f"{name}.mp4")
    out = vb.tool_output("unseen", "clip")
    out.parent.mkdir(parents=True)
    assert vb.reusable("unseen", "clip") == "no output yet"
    out.write_bytes(b"an earlier output")
    assert "no record" in vb.reusable("unseen", "clip")
    vb.stamp_file("unseen", "clip").write_text(json.dumps(vb.made_by("unseen")))
    assert vb.reusable("unseen", "clip") is None
    vb.source_stamp.cache_clear()
    monkeypatch.setattr(vb, "REPO", tmp_path)  # other code: another source tree
    (tmp_path / "src" / "unseen").mkdir(parents=True)
    (tmp_path / "src" / "unseen" / "x.py").write_text("pass\n")
    assert "other code" in vb.reusable("unseen", "clip")
    vb.source_stamp.cache_clear()


def test_a_second_look_cache_of_other_findings_is_found_stale(vc, clip, tmp_path, monkeypatch):
    """The second look's cache (bench/video_tune.py) is checked like the others: made again on three
    frames with the real RetinaFace on a real clip, it matches itself; moved findings, a look the code
    would not make, or other targets do not."""
    from unseen.detect import second_look

    vt = importlib.import_module("video_tune")
    monkeypatch.setattr(vt, "OUT", tmp_path)
    monkeypatch.setattr(vt, "clip_path", vc.clip_path)
    monkeypatch.setattr(second_look, "CONFIRMED_SCORE", 1.01)  # the fixture's face is confident: look at every box
    vt.compute_passes(clip)
    cached = vt.compute_looks(clip)
    assert cached["looks"] and vt.looks_stale(clip, cached) is None
    first = min(int(k.split(":")[0]) for k in cached["looks"])
    key, target = next((k, t) for k, v in cached["looks"].items() if int(k.split(":")[0]) == first
                       for t, found in enumerate(v) if found)
    moved = json.loads(json.dumps(cached))
    moved["looks"][key][target][0][0] += 0.3
    assert f"frame {first}" in vt.looks_stale(clip, moved)
    extra = json.loads(json.dumps(cached))
    extra["looks"][f"{first}:1.0:1.0"] = [[] for _ in second_look.TARGETS]
    assert f"frame {first}" in vt.looks_stale(clip, extra)
    assert "other targets" in vt.looks_stale(clip, {**cached, "targets": [40]})
    assert "differs" in vt.looks_stale(clip, {**cached, "looks": {}})  # the code would look: an empty cache is stale
    vt._looks_checked.clear()
    assert vt.looks_ready(clip)["looks"].keys() == cached["looks"].keys()  # the file on disk is the one made
    # Another schedule's boxes have their own cache (bench/video_rf1.py replays schedules with RetinaFace
    # at 1x): made in its own file, checked against that schedule's boxes, never mistaken for the default's.
    other = [("rf1", 0.1, 0.15, 0)]
    assert vt.look_file(clip, other) != vt.look_file(clip) == vt.look_file(clip, list(vt.LOOK_SCHEDULE))
    mine = vt.looks_ready(clip, other)
    assert vt.look_file(clip, other).exists() and vt.looks_stale(clip, mine, other) is None
    assert mine["looks"].keys() != cached["looks"].keys()  # RetinaFace's boxes are not the default's
    assert "differs" in vt.looks_stale(clip, cached, other)
