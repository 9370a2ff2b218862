"""``--boxes`` regions a person marked are never dropped without a word, and what a run's options give up is
in its JSON reports too (options hunt of 2026-12-06)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, GROUP, ROOT, filled_share, frames, run
from PIL import Image

CORNER = (0, 0, 200, 100)  # x, y, w, h: no face there


def _boxes(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps({"version": 1, **doc}))
    return path


def _region() -> dict:
    x, y, w, h = CORNER
    return {"x": x, "y": y, "w": w, "h": h}


def test_a_boxes_file_naming_no_input_is_refused(group: Path, capsys):
    """An entry for "GROUP.JPG" on a run over group.jpg (a sidecar kept after a rename, a name typed in
    another case) covered nothing: exit 0, "manual_regions": 0, no warning."""
    boxes = _boxes(group.with_name("b.json"), {"image": "GROUP.JPG", "regions": [_region()]})
    with pytest.raises(SystemExit) as stop:
        run(group, "--boxes", boxes, "-q")
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "no input of this run is named GROUP.JPG (names must match exactly: this run has group.jpg)" in err
    assert not group.with_name("group.unseen.jpg").exists()


def test_a_boxes_file_for_more_files_than_the_run_warns_and_covers(tmp_path: Path, capsys):
    """A folder's boxes file used on part of the folder: its entry for this photo is used, the others said."""
    src = tmp_path / "a.jpg"
    shutil.copy(GROUP, src)
    boxes = _boxes(tmp_path / "b.json", {"files": [{"image": "a.jpg", "regions": [_region()]},
                                                   {"image": "b.jpg", "regions": [_region()]}]})
    assert run(src, "--boxes", boxes, "--cover", "faces") == 0
    assert "warning: boxes file" in capsys.readouterr().err
    assert filled_share(np.asarray(Image.open(tmp_path / "a.unseen.jpg").convert("RGB")), CORNER) > 0.9


def test_top_level_regions_beside_a_files_list_are_refused(group: Path, capsys):
    """With a "files" list, regions at the top of the file were dropped unsaid."""
    boxes = _boxes(group.with_name("b.json"), {"files": [{"image": "other.jpg", "regions": [_region()]}],
                                               "regions": [_region()]})
    with pytest.raises(SystemExit) as stop:
        run(group, "--boxes", boxes, "-q")
    assert stop.value.code == 2
    assert "has a 'files' list and regions or an image of its own at the top" in capsys.readouterr().err


def test_a_video_region_timed_where_the_clip_has_no_frame_fails_the_file(tmp_path: Path, capsys):
    """A region timed 50-60 s on a clip of ~1 s was counted ("manual_regions": 1) and covered nothing, as a
    region outside the picture did before it was refused."""
    src = tmp_path / "clip.mp4"
    shutil.copy(FIXTURES / "video" / "head_pose.mp4", src)
    late = _boxes(tmp_path / "late.json", {"regions": [{**_region(), "t0": 50, "t1": 60}]})
    assert run(src, "--boxes", late, "--cover", "faces", "-q") == 1
    assert "region(s) of the boxes file are timed where the clip has no frame (the first: 50-60 s" in \
        capsys.readouterr().err
    assert not (tmp_path / "clip.unseen.mp4").exists()
    last = frames(src)[-1].time
    inside = _boxes(tmp_path / "in.json", {"regions": [{**_region(), "t0": 0, "t1": last}]})
    assert run(src, "--boxes", inside, "--cover", "faces", "-q") == 0


def test_the_json_report_says_what_the_options_give_up(group: Path, capsys):
    """``--cover plates --json`` said "faces": 0 and "warnings": [] for a photo of six people: a pipeline
    reading the JSON could not tell it from a photo without faces."""
    capsys.readouterr()
    assert run(group, "--cover", "plates", "--pad", "0", "--json", "-q") == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert "--cover without faces: faces are left visible" in warnings
    assert any(w.startswith("less protection than the default: --pad") for w in warnings)


def test_an_ascii_terminal_gets_escapes_not_a_lost_report(tmp_path: Path):
    """With stdout in ASCII (PYTHONIOENCODING=ascii, an old terminal) an Artist "José" ended the report at
    its first line: "standard output failed", exit 1."""
    src = tmp_path / "jose.jpg"
    exif = Image.Exif()
    exif[0x013B] = "JosXX"
    Image.new("RGB", (64, 48), (90, 120, 150)).save(src, exif=exif.tobytes())
    src.write_bytes(src.read_bytes().replace(b"JosXX", "José".encode() + b"X"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sys.executable, "-m", "unseen", "inspect", str(src), "--no-faces"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Artist=Jos\\xe9X" in done.stdout


def test_a_region_saved_to_the_millisecond_covers_the_frame_it_was_marked_on():
    """The review page stores times to the millisecond: a region ending at 0.033 s left out the frame at
    0.0333667 s of a 29.97 fps clip, the frame the reviewer had marked as its end."""
    from unseen.boxes import BoxSet
    from unseen.regions import Regions

    box = BoxSet(image=None, regions=Regions.from_boxes([[0, 0, 10, 10]], kind="manual"), times=((0.033, 0.033),))
    assert box.active(0.0333667).all() and not box.active(0.0667).any()


def test_mode_only_says_no_detector_ran_and_warns_when_it_names_no_file(tmp_path: Path, capsys):
    """`{"mode": "only", "regions": []}` turned detection off for every input of the run, plates included, with
    nothing in the report (a hunt, 2026-12-06). A review's sidecar (it names its file) gets a note; an entry
    naming no file, a hand-made line, a warning under the file's line."""
    src = tmp_path / "a.jpg"
    shutil.copy(GROUP, src)
    nameless = _boxes(tmp_path / "all.json", {"mode": "only", "regions": []})
    assert run(src, "--boxes", nameless, "--json") == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert "no detector ran: the boxes file gives the regions to cover (mode only), in an entry that names no " \
           "file, so for every input" in report["warnings"]
    assert run(src, "--boxes", nameless, "--force") == 0
    assert "warning: no detector ran" in capsys.readouterr().err
    named = _boxes(tmp_path / "a.unseen.json", {"image": "a.jpg", "mode": "only", "regions": [_region()]})
    assert run(src, "--boxes", named, "--json", "--force", "--no-self-check") == 0
    report = json.loads(capsys.readouterr().out)
    assert "no detector ran: the boxes file gives the regions to cover (mode only), and --no-self-check leaves no " \
           "check behind them" in report["notes"]


def test_the_region_limit_counts_every_entry_of_a_boxes_file(tmp_path: Path, capsys):
    """The 100,000-region limit was an entry's: a `files` list of 20 such entries took 3.4 GB of memory for a
    640x480 photo (a hunt, 2026-12-06). It counts the whole file now."""
    from unseen.regions import MAX_ITEMS

    src = tmp_path / "a.jpg"
    shutil.copy(GROUP, src)
    half = [_region()] * (MAX_ITEMS // 2 + 1)
    boxes = _boxes(tmp_path / "b.json", {"files": [{"image": "a.jpg", "regions": half},
                                                   {"image": "a.jpg", "regions": half}]})
    with pytest.raises(SystemExit) as stop:
        run(src, "--boxes", boxes, "-q")
    assert stop.value.code == 2
    assert f"too many regions ({2 * len(half)}, max {MAX_ITEMS} in all its entries)" in capsys.readouterr().err
