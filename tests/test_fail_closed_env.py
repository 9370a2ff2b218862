"""Fail closed when the world around a run misbehaves: a FIFO among the inputs, unseen's own output
streams failing, a boxes file that never ends, an input rewritten while a video is read twice.

Found by a hunt (2026-12-05), each reproduced: a FIFO named like a photo hung a run of several files
for ever; `--json | head` and stdout on a full disk stopped the run with a traceback, a closed stdout
gave a traceback and exit 1 after every file was written, stderr on a full disk stopped the run before
its first file; `--boxes /dev/zero` read until the kernel killed the process; and a video overwritten
in place between its two reads came out with the first read's masks on the new pictures, exit 0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, GROUP

HOPPER = FIXTURES / "hopper" / "hopper.jpg"
UNSEEN = [sys.executable, "-m", "unseen"]


def _shell(cmd: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _photos(folder: Path, n: int = 3) -> Path:
    folder.mkdir()
    for i in range(n):
        shutil.copy(HOPPER if i % 2 else GROUP, folder / f"p{i}.jpg")
    return folder


def test_a_fifo_among_several_inputs_is_refused_and_the_run_goes_on(tmp_path: Path):
    d = _photos(tmp_path / "in")
    os.mkfifo(d / "p1b.jpg")  # sorts between p1 and p2
    proc = subprocess.run([*UNSEEN, str(d), "-o", str(tmp_path / "out"), "-q"], capture_output=True, text=True,
                          timeout=60)  # hung for ever
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == f"unseen: {d / 'p1b.jpg'}: not a regular file", proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p0.jpg", "p1.jpg", "p2.jpg"]


def test_json_into_a_pipe_whose_reader_went_away_finishes_the_run_and_says_so(tmp_path: Path):
    """``--json | head``: the reader gone before the first report (its end of the pipe closed here, so
    the race of ``head`` against unseen's first line is not run)."""
    _photos(tmp_path / "in")
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([*UNSEEN, "in", "-o", "out", "-q", "--json"], cwd=tmp_path, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert len(list((tmp_path / "out").iterdir())) == 3  # every file still made
    assert proc.stderr.count("\n") == 1 and "standard output" in proc.stderr, proc.stderr


def test_json_to_a_full_disk_finishes_the_run_and_says_so(tmp_path: Path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    _photos(tmp_path / "in")
    proc = _shell(" ".join(UNSEEN) + " in -o out -q --json >/dev/full", tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert len(list((tmp_path / "out").iterdir())) == 3
    assert proc.stderr.count("\n") == 1 and "standard output" in proc.stderr, proc.stderr


def test_a_closed_stdout_is_no_failure_when_nothing_is_printed_there(tmp_path: Path):
    _photos(tmp_path / "in")
    proc = _shell(" ".join(UNSEEN) + " in -o out -q >&-", tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert len(list((tmp_path / "out").iterdir())) == 3


def test_stderr_on_a_full_disk_does_not_stop_the_run(tmp_path: Path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    _photos(tmp_path / "in")
    proc = _shell(" ".join(UNSEEN) + " in -o out 2>/dev/full", tmp_path)
    assert proc.returncode == 0
    assert len(list((tmp_path / "out").iterdir())) == 3


@pytest.mark.parametrize("source", ["/dev/zero", "fifo"])
def test_a_boxes_file_that_is_no_regular_file_is_a_usage_error(tmp_path: Path, source: str):
    shutil.copy(HOPPER, tmp_path / "a.jpg")
    boxes = tmp_path / "boxes.json"
    if source == "fifo":
        os.mkfifo(boxes)
    else:
        boxes = Path(source)
    proc = subprocess.run([*UNSEEN, str(tmp_path / "a.jpg"), "-o", str(tmp_path / "out"), "--boxes", str(boxes)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1 and "not a regular file" in proc.stderr, proc.stderr  # no usage above it
    assert not (tmp_path / "out").exists()


def _rewrites(src: Path, detector):
    """The real detector, which writes ``src`` over with its own bytes on its first picture: a file
    written to once the work on it has started."""
    data = src.read_bytes()

    class Rewrites:
        done = False

        def __getattr__(self, name: str):
            return getattr(detector, name)

        def detect(self, rgb):
            if not self.done:
                self.done = True
                with open(src, "r+b") as f:
                    f.write(data)
            return detector.detect(rgb)

    return Rewrites()


def test_a_video_rewritten_while_it_is_read_is_refused(tmp_path: Path, detector):
    """A video is read twice (to find the faces, then to write). Overwritten in place in between with
    pictures of the same layout (``rsync --inplace``), it came out with the first read's masks on the
    second read's faces, exit 0. Here the file is rewritten with its own bytes during the first read:
    any write in that window now fails the file."""
    from bad_inputs import make_clip

    from unseen.engine import video as engine_video
    from unseen.errors import UnseenError
    from unseen.options import Options

    src = tmp_path / "clip.mp4"
    make_clip(src, frames=20)
    with pytest.raises(UnseenError, match="changed while it was read"):
        engine_video.anonymize_video(src, tmp_path / "out.mp4", Options(cover=("face",)), _rewrites(src, detector))


def test_an_animation_rewritten_while_it_is_read_is_refused(tmp_path: Path, detector):
    """An animation's frames are decoded again as they are covered. `cat other.gif > it.gif` during
    the run gave an output of the first file's length with frames of both mixed, reported "ok". Here
    the file is rewritten with its own bytes once covering has started: any write then fails the file."""
    from PIL import Image

    from unseen.engine.file import anonymize_file
    from unseen.engine.plan import plan
    from unseen.options import Options

    src = tmp_path / "it.gif"
    base = Image.open(GROUP).convert("RGB").resize((240, 180))
    base.save(src, save_all=True, append_images=[base.rotate(5), base.rotate(10)], duration=100, loop=0)
    (job,), _ = plan([src], tmp_path / "out")
    report = anonymize_file(job, Options(cover=("face",)), _rewrites(src, detector))
    assert report.status == "error" and "changed while it was read" in report.error, report
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_closed_stderr_is_no_failure(tmp_path: Path):
    """Started with stderr closed (`2>&-`), a run of several files drew its progress bar on nothing:
    a traceback, no output, and a video failed with "'NoneType' object has no attribute 'write'"."""
    from bad_inputs import make_clip

    _photos(tmp_path / "in")
    make_clip(tmp_path / "in" / "v.mp4", frames=8)
    proc = _shell(" ".join(UNSEEN) + " in -o out --json 2>&-", tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert len(list((tmp_path / "out").iterdir())) == 4 and proc.stdout.count('"status": "ok"') == 4


def test_a_usage_error_with_stderr_closed_leaves_stdout_to_json(tmp_path: Path):
    """With stderr closed, argparse printed the usage of a mistyped command on stdout, where a --json
    reader takes each line for a report (a hunt, 2026-12-06)."""
    for command in (" --json --bogus x", " inspect --json --bogus x", " verify --json --bogus x y"):
        proc = _shell(" ".join(UNSEEN) + command + " 2>&-", tmp_path)
        assert proc.returncode == 2 and proc.stdout == "", (command, proc.stdout)
