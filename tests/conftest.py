"""Shared test fixtures.

Real media comes from two places: small licensed files committed under tests/fixtures, and the
larger third-party corpus in ../shared/data (or $UNSEEN_SHARED), which tests skip with a reason
when it is absent.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from unseen.media import video_read

# Ctrl-C tests (test_kill_safety, test_engine_ray) send SIGINT to unseen and to Ray workers, as a
# terminal does to a foreground program. A test run started in the background (``make test &`` in a
# script) inherits SIGINT *ignored*, which children keep across exec, and Python then never raises
# KeyboardInterrupt: the tests would measure how they were launched. Python's own handler is reset
# to the default in every child, as in a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
GROUP = FIXTURES / "2008_002470.jpg"  # dlib example photo (public domain), 6 labelled faces
SHARED = Path(os.environ.get("UNSEEN_SHARED", ROOT.parent / "shared" / "data"))


def shared_path(rel: str) -> Path:
    """A file or folder in the shared corpus, or skip the test saying what is missing."""
    p = SHARED / rel
    if not p.exists():
        pytest.skip(f"needs ../shared/data/{rel} (shared corpus not present)")
    return p


@pytest.fixture(scope="module")
def dlib_installed():
    """Skip, with the install command, when the recognizer extra (``unseen verify``'s adversary) is missing."""
    pytest.importorskip("dlib", reason="needs the recognizer extra: pip install -e '.[verify]'")
    pytest.importorskip("face_recognition_models", reason="needs the recognizer extra: pip install -e '.[verify]'")
    from unseen import verify

    if not verify.available():
        pytest.skip("dlib is installed but its models do not load: reinstall '.[verify]'")


@pytest.fixture(scope="session")
def detector():
    from unseen.detect import Detector

    return Detector()


def system_tool(name: str, package: str) -> str:
    """Path of a system program the tests read outputs with, or skip (``make sysdeps`` installs it)."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (apt-get install {package}; .ci/run does it)")
    return path


@pytest.fixture
def exiftool() -> str:
    return system_tool("exiftool", "libimage-exiftool-perl")


@pytest.fixture
def ffprobe() -> str:
    """FFmpeg's own prober from the system: a second reader, independent of the FFmpeg that PyAV bundles."""
    return system_tool("ffprobe", "ffmpeg")


def changed_fraction(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int], tol: int = 24) -> float:
    """Share of ``box`` (x, y, w, h) whose pixels differ between ``a`` and ``b`` by more than ``tol``."""
    x, y, w, h = box
    diff = np.abs(a[y : y + h, x : x + w].astype(int) - b[y : y + h, x : x + w].astype(int)).max(-1)
    return float((diff > tol).mean())


def filled_share(shown: np.ndarray, box: tuple[int, int, int, int], grey: int = 128) -> float:
    """Share of ``box`` (x, y, w, h) shown as the default fill (grey 128): on a grey picture a face can be
    near the fill's grey in places, where ``changed_fraction`` would undercount its cover."""
    x, y, w, h = box
    patch = shown[y : y + h, x : x + w].astype(int)
    return float((np.abs(patch - grey).reshape(h, w, -1).max(-1) <= 1).mean())


def covered_fraction(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int], tol: int = 24,
                     grey: int = 128) -> float:
    """Share of ``box`` (x, y, w, h) changed by more than ``tol`` between ``a`` and ``b``, or at the fill in
    ``b`` (within 8): a dark dot or a grey patch under the grey fill changes by less."""
    x, y, w, h = box
    pa, pb = a[y : y + h, x : x + w].astype(int), b[y : y + h, x : x + w].astype(int)
    return float(((np.abs(pa - pb).max(-1) > tol) | (np.abs(pb - grey).max(-1) <= 8)).mean())


def dlib_boxes(name: str) -> list[tuple[int, int, int, int]]:
    """Hand-labelled face boxes (x, y, w, h) from dlib's public-domain training.xml."""
    import xml.etree.ElementTree as ET

    for xml in ("dlib_faces_training.xml", "dlib_faces_testing.xml"):
        for image in ET.parse(FIXTURES / xml).getroot().iter("image"):
            if image.get("file") == name:
                return [(int(b.get("left")), int(b.get("top")), int(b.get("width")), int(b.get("height")))
                        for b in image.iter("box")]
    raise KeyError(name)


def repeating_apng(path: Path) -> list:
    """A 4-frame APNG whose frames 1 and 2 are the same picture (the dlib photo flipped). Pillow folds
    repeated frames when it writes, so frame 2 gets another disposal to keep it; played, the four
    frames show the photo, the flipped photo for 500 ms, then the photo. Returns the frames."""
    import numpy as np
    from PIL import Image

    base = Image.open(GROUP).convert("RGB")
    flipped = base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    base.save(path, save_all=True, append_images=[flipped, flipped, base], duration=[100, 200, 300, 400],
              loop=0, disposal=[0, 0, 1, 0])
    assert Image.open(path).n_frames == 4
    return [np.asarray(f) for f in (base, flipped, flipped, base)]


def run(*args: str | Path) -> int:
    """Run ``unseen ARGS`` in-process with the real detector; returns the exit code (the photo tests)."""
    from unseen.cli import main

    return main([str(a) for a in args])


def frames(path: Path) -> list[video_read.DecodedFrame]:
    """Every frame of a video as unseen's reader decodes it (the video tests)."""
    from unseen.media import video_read

    with video_read.open_input(path) as c:
        return list(video_read.Reader(c, video_read.video_stream(c)).video_frames())


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A copy of the dlib group photo named photo.jpg, for the review page's tests."""
    dst = tmp_path / "photo.jpg"
    shutil.copyfile(GROUP, dst)
    return dst


@pytest.fixture
def group(tmp_path: Path) -> Path:
    """A copy of the dlib group photo in the test's own folder (outputs land beside it)."""
    p = tmp_path / "group.jpg"
    shutil.copy(GROUP, p)
    return p


@pytest.fixture
def cli(monkeypatch, capsys, detector):
    """Run ``unseen ARGS`` in-process; returns (exit code, stdout, stderr)."""
    import unseen.detect

    monkeypatch.setattr(unseen.detect, "Detector", lambda *a, **k: detector)
    from unseen.cli import main

    def run(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        # Detecting twice (the self-check) is tested elsewhere; here it would only cost time.
        rc = main([os.fspath(a) for a in args] + ["--no-self-check"])
        out, err = capsys.readouterr()
        # ... and the warning it prints is this fixture's, not the command's under test
        own = "unseen: warning: less protection than the default: --no-self-check leaves faces found again on the " \
              "result uncovered\n"
        return rc, out, err.replace(own, "", 1)

    return run


@pytest.fixture
def photo_rgb():
    """The labelled fixture photo (500x332, 6 faces) as RGB pixels."""
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(FIXTURES / "2008_002470.jpg").convert("RGB"))


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven through playwright, one per test module (the review-page browser tests)."""
    from review_browser_helpers import launch_browser

    yield from launch_browser()


def spy_passes(vdet, monkeypatch) -> list[tuple[int, str, float]]:
    """(frame index, backend, scale) of every pass a ``VideoDetector`` runs, appended as they run."""
    ran: list[tuple[int, str, float]] = []
    run_frame = vdet.run_frame

    def spy(f, job):
        ran.append((f.index, job[0], job[1]))
        return run_frame(f, job)

    monkeypatch.setattr(vdet, "run_frame", spy)
    return ran
