"""Killing unseen never leaves a half-written file under a final name.

* SIGKILL (or SIGTERM, power loss) in the middle of a video or a folder: nothing appears under the
  output's final name that is not complete. The only thing that may remain is a *hidden*
  ``.unseen-tmp-*`` file in the output folder (a killed process cannot clean up); unseen skips such
  names when walking folders, and a later run in that folder deletes them once they are
  ``files.STALE_TEMP_SECONDS`` old.
* Ctrl-C (SIGINT): unseen stops, removes its temporary file, prints one line and exits 130.
  Outputs finished before the interrupt stay, complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest
from kill_helpers import PHOTO, TMP_PREFIX, finals, make_clip, temps, wait_for
from PIL import Image

needs_video = pytest.mark.skipif(find_spec("unseen.engine.video") is None,
                                 reason="video support (unseen.engine.video) not in this tree yet")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(*args: str | Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "unseen.cli", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clip") / "walk.mp4"
    make_clip(path, frames=100)
    return path


@pytest.fixture
def photo_folder(tmp_path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(5):
        (folder / f"p{i}.jpg").write_bytes(PHOTO.read_bytes())
    return folder


# ------------------------------------------------------------------------------------------------
# video
# ------------------------------------------------------------------------------------------------

@needs_video
@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_kill_mid_video_leaves_nothing_under_the_final_name(tmp_path, clip, sig):
    out = tmp_path / "out"
    before = sha(clip)
    proc = start(clip, "-o", out, "-q")
    wait_for(lambda: _writing(out), proc)  # frames are being encoded into the temporary file
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    if sig == signal.SIGTERM:  # handled like Ctrl-C: exit 130 and the temporary file is removed
        assert proc.returncode == 130
        assert temps(out) == []
    else:
        assert proc.returncode == -sig
        # What a killed run leaves was never checked: only its owner may read it (it was made 0644 before
        # a frame was written: a hunt, 2026-12-05); an output gets its usual mode when it is put in place.
        assert temps(out) and all(p.stat().st_mode & 0o077 == 0 for p in temps(out))
    assert finals(out) == []  # nothing under walk.mp4, complete or not
    assert all(p.name.startswith(TMP_PREFIX) for p in out.iterdir())  # at most a hidden temp file
    assert sha(clip) == before
    # A folder run over the output folder ignores the hidden leftover.
    from unseen.engine.plan import plan

    jobs, _ = plan([out], None)
    assert jobs == []


def _writing(out: Path) -> bool:
    """The second pass has started: the temporary file holds encoded frames."""
    for p in temps(out):
        try:
            if p.stat().st_size > 0:
                return True
        except FileNotFoundError:  # renamed or removed between listing and stat
            pass
    return False


@needs_video
@pytest.mark.slow
@pytest.mark.parametrize("phase", ["analysing", "writing"])
def test_ctrl_c_mid_video_removes_the_temp_file(tmp_path, clip, phase):
    out = tmp_path / "out"
    before = sha(clip)
    proc = start(clip, "-o", out, "-q")
    if phase == "analysing":
        wait_for(lambda: bool(temps(out)), proc)
        time.sleep(0.5)
    else:
        wait_for(lambda: _writing(out), proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    err = err.decode("utf-8", "replace")
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("unseen: interrupted")
    assert list(out.iterdir()) == []  # no output, no temporary file
    assert sha(clip) == before


# ------------------------------------------------------------------------------------------------
# a folder of photos (no video support needed)
# ------------------------------------------------------------------------------------------------

def _complete(path: Path) -> bool:
    try:
        with Image.open(path) as im:
            im.load()
        return path.read_bytes().endswith(b"\xff\xd9")
    except Exception:
        return False


@pytest.mark.slow
def test_ctrl_c_in_a_folder_keeps_finished_outputs_only(tmp_path, photo_folder):
    out = tmp_path / "out"
    hashes = {p: sha(p) for p in photo_folder.iterdir()}
    proc = start(photo_folder, "-o", out, "-q")
    wait_for(lambda: len(finals(out)) >= 1, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    err = err.decode("utf-8", "replace")
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines() == ["unseen: interrupted; no partial outputs were left"]
    done = finals(out)
    assert 1 <= len(done) < 5
    assert all(_complete(p) for p in done)
    assert temps(out) == []
    assert {p: sha(p) for p in photo_folder.iterdir()} == hashes


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_no_output_is_put_in_place_after_an_interrupt(tmp_path, photo_folder, sig):
    """Photos run two at a time: after Ctrl-C the photo the other thread was finishing was still given its
    name, after "interrupted; no partial outputs were left", and no report named it (a hunt, 2026-12-05:
    4 reports, 6 outputs). Every output there was given its name before the signal (a name given changes
    the file's ctime; 50 ms of slack for the kernel's coarse clock), and every report names one of them."""
    out = tmp_path / "out"
    proc = start(photo_folder, "-o", out, "-q", "--json")
    wait_for(lambda: len(finals(out)) >= 1, proc)
    signalled = time.time()
    proc.send_signal(sig)
    stdout, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    late = [(p.name, round(p.stat().st_ctime - signalled, 3)) for p in finals(out)
            if p.stat().st_ctime > signalled + 0.05]
    assert not late
    reported = {Path(json.loads(line)["output"]).name for line in stdout.decode().splitlines()}
    assert reported <= {p.name for p in finals(out)}
    assert temps(out) == []


def test_signals_in_a_row_end_the_run_like_one_and_leave_no_core(tmp_path, photo_folder):
    """Three SIGTERMs 0.1 s apart: the third raised KeyboardInterrupt inside the interpreter's shutdown,
    which ended in an abort (exit 134) with a traceback, and with core files allowed a core of 838 MB
    holding the photos' uncovered pixels (a hunt, 2026-12-05). The first signal stops the run, later ones
    only keep outputs from their names; and the command allows no core file (``cli.no_core_dumps``)."""
    import resource

    for i in range(5, 12):
        (photo_folder / f"p{i}.jpg").write_bytes(PHOTO.read_bytes())
    out = tmp_path / "out"

    def allow_cores() -> None:
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    proc = subprocess.Popen([sys.executable, "-m", "unseen.cli", str(photo_folder), "-o", str(out), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, preexec_fn=allow_cores)
    wait_for(lambda: len(finals(out)) >= 1, proc)
    limits = Path(f"/proc/{proc.pid}/limits").read_text()
    assert [line.split()[4:6] for line in limits.splitlines() if line.startswith("Max core file size")] == [["0", "0"]]
    for _ in range(3):
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.1)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()[-2000:]
    assert err.decode().strip().splitlines() == ["unseen: interrupted; no partial outputs were left"]
    assert not list(tmp_path.glob("core*"))
    assert temps(out) == []


_BUSY_MAIN = """
import hashlib, os, signal, sys, threading, time
from pathlib import Path
from unseen.cli.common import handle_signals
from unseen.engine.output import atomic_output
handle_signals()
dst = Path(sys.argv[1])
go, seen = threading.Event(), {}
def finishing():  # another thread finishing a photo, as the engine's writer does
    try:
        with atomic_output(dst, force=False) as tmp:
            tmp.write_bytes(b"finished")
            go.wait()
            time.sleep(0.2)  # the main thread is inside the long call by now
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.1)
    except Exception as exc:
        seen["error"] = str(exc)
    seen["named"], seen["at"] = dst.exists(), time.monotonic()
t = threading.Thread(target=finishing)
t.start()
try:
    go.set()
    hashlib.pbkdf2_hmac("sha256", b"x", b"y", 10_000_000)  # one long call (~2 s): the handler waits for its end
except KeyboardInterrupt:
    pass
ended = time.monotonic()
t.join()
print(seen["named"], seen.get("error"), seen["at"] < ended)
"""


def test_a_signal_stops_outputs_while_the_main_thread_is_inside_a_long_call(tmp_path):
    """A photo another thread was finishing got its name 0.4 s after SIGTERM: Python runs the handler that
    stops writing only when the main thread returns from what it is inside (a detector's pass). The
    signal is seen as it arrives (``interrupt.watch_signals``), while the main thread is still inside."""
    proc = subprocess.run([sys.executable, "-c", _BUSY_MAIN, str(tmp_path / "a.jpg")], capture_output=True,
                          text=True, timeout=120)
    assert proc.stdout.split() == ["False", "interrupted", "True"], proc.stdout + proc.stderr
    assert not (tmp_path / "a.jpg").exists() and list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_sigkill_in_a_folder_leaves_only_complete_outputs(tmp_path, photo_folder):
    out = tmp_path / "out"
    proc = start(photo_folder, "-o", out, "-q")
    wait_for(lambda: len(finals(out)) >= 1, proc)
    proc.kill()
    proc.communicate(timeout=60)
    done = finals(out)
    assert done and all(_complete(p) for p in done)
    # A photo being written when the kill came leaves its hidden temporary file (a killed process
    # cannot clean up; a later run deletes it once it is STALE_TEMP_SECONDS old): one per photo in
    # flight at most, nothing else.
    from unseen.engine.local import IN_FLIGHT

    left = set(temps(out))
    assert len(left) <= IN_FLIGHT
    # Rerunning finishes the rest and refuses to overwrite the finished ones, one line each.
    proc = subprocess.run([sys.executable, "-m", "unseen.cli", photo_folder, "-o", out, "-q"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == len(done)
    assert all("exists (use --force to replace it)" in ln for ln in proc.stderr.strip().splitlines())
    assert len(finals(out)) == 5 and all(_complete(p) for p in finals(out))
    assert set(temps(out)) == left  # the rerun leaves no temporary file of its own


def test_the_temporary_file_goes_with_a_folder_moved_mid_write(tmp_path):
    """The ``-o`` folder renamed while a video was written: the writing failed, and the temporary file, a
    whole unchecked output, stayed in the moved folder (removed by its path, which named nothing any more;
    a hunt, 2026-12-05). It is removed from the folder it was made in."""
    from unseen.engine.output import atomic_output
    from unseen.errors import UnseenError

    out, moved = tmp_path / "out", tmp_path / "moved"
    with pytest.raises(UnseenError), atomic_output(out / "clip.mp4", force=False) as tmp:
        tmp.write_bytes(b"an output, not yet checked")
        out.rename(moved)
    assert list(moved.iterdir()) == []
    assert not out.exists()


def test_a_library_caller_keeps_its_signal_handlers_and_can_run_again(tmp_path, monkeypatch):
    """``cli.main`` called from a script, interrupted by a Ctrl-C: it left the caller ignoring SIGINT,
    SIGTERM and SIGHUP (and every process the caller started after), and a second run failed every file
    with "interrupted" (a hunt, 2026-12-05). The caller's handlers are back when it returns, and the next
    run starts uninterrupted."""
    from unseen.cli import main
    from unseen.engine import image as engine_image

    def mine(signum, frame):  # the caller's own handler
        pass

    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = {sig: signal.signal(sig, mine) for sig in stops}
    try:
        encode = engine_image.encode_checked

        def interrupted(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGINT)  # a Ctrl-C while the photo is being finished
            time.sleep(0.5)
            return encode(*args, **kwargs)

        monkeypatch.setattr(engine_image, "encode_checked", interrupted)
        assert main([str(PHOTO), "-o", str(tmp_path / "first"), "-q", "--cover", "faces"]) == 130
        assert [signal.getsignal(sig) for sig in stops] == [mine] * 3
        monkeypatch.undo()
        assert main([str(PHOTO), "-o", str(tmp_path / "again"), "-q", "--cover", "faces"]) == 0
        assert [signal.getsignal(sig) for sig in stops] == [mine] * 3
        assert [p.name for p in (tmp_path / "again").iterdir()] == [PHOTO.name]
        # The caller's own Ctrl-C later, handled by the caller (a notebook): the library goes on working. The
        # signal was read from the pipe ``cli.main`` had left behind, and every ``anonymize_image`` after it
        # failed "interrupted" (a review, 2026-12-06).
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)
        from unseen import anonymize_image

        _, regions = anonymize_image(np.asarray(Image.open(PHOTO).convert("RGB")))
        assert len(regions) >= 5
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads a process's CPU time from /proc (Linux)")
def test_ctrl_c_during_a_big_photos_detection_ends_at_the_next_tile(tmp_path):
    """After the first Ctrl-C a 9000 x 6000 photo went on with its detection for the ~20 s it takes, and
    further signals no longer hurried it (a diff review, 2026-12-05). The detector's tiles ask whether the
    run was interrupted (``interrupt.check``) and the run ends at the next one."""
    big = tmp_path / "big.jpg"
    Image.open(PHOTO).convert("RGB").resize((9000, 6000)).save(big, quality=85)
    out = tmp_path / "out"
    proc = start(big, "-o", out, "-q", "--cover", "faces")
    wait_for(lambda: _cpu_seconds(proc.pid) > 6, proc)  # well into the detection (~40 s of CPU here)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    took = time.monotonic() - t0
    err = err.decode("utf-8", "replace")
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert took < 8, f"the run went on for {took:.1f} s after Ctrl-C"
    assert not out.exists() or list(out.iterdir()) == []


def _review_save(proc: subprocess.Popen, clip: Path) -> None:
    """Start the review page's save of ``clip`` (the page's own requests) and wait until frames are written."""
    from types import SimpleNamespace
    from urllib.parse import parse_qs, urlparse

    from web_helpers import _json, _ready

    url = urlparse(proc.stdout.readline().decode().split()[-1])
    srv = SimpleNamespace(port=url.port, token=parse_qs(url.query)["token"][0])  # what the helpers use of a server
    item = _json(srv, "GET", "/api/session")[1]["files"][0]["id"]
    found = _ready(srv, item, timeout=120)
    assert found["state"] == "ready", found
    _json(srv, "POST", f"/api/files/{item}/save", {"style": "fill", "regions": found.get("regions", [])})
    out = clip.parent / "out"
    wait_for(lambda: any(p.suffix == ".mp4" and p.stat().st_size for p in temps(out)), proc)


@needs_video
@pytest.mark.slow
def test_ctrl_c_while_the_review_page_saves_a_video_leaves_no_temporary_file(tmp_path):
    """Ctrl-C while the review page saved a video: the save thread went on encoding past the server's
    10 s wait, the command took its quick exit with 0, and the hidden temporary file (an unchecked output)
    stayed in the output folder, though the banner promises temporary files are removed (a diff review,
    2026-12-05). The video's frame loop ends at the signal (``interrupt.check``); the command names the
    file that was not saved and exits 1."""
    clip = tmp_path / "long.mp4"
    make_clip(clip, frames=1500)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONFAULTHANDLER="1")
    proc = subprocess.Popen([sys.executable, "-m", "unseen.cli", "review", str(clip), "-o", str(out), "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        _review_save(proc, clip)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    err = err.decode("utf-8", "replace")
    assert time.monotonic() - t0 < 8
    assert "Traceback" not in err, err
    assert proc.returncode == 1, err
    assert temps(out) == []
    assert finals(out) == [out / "long.unseen.json"]  # the reviewed regions, written before the video
    assert err.strip().splitlines()[-1] == (f"unseen: {clip}: stopped while it was being saved: "
                                            "no output written for it")


def test_a_destination_that_takes_no_more_is_named_not_the_video(tmp_path):
    """A full disk while a video was written said "video processing failed: No space left on device",
    which reads as the input's fault, and named no destination (a hunt, 2026-12-06). A file size limit
    (EFBIG, as a full disk's ENOSPC or a quota's EDQUOT) stands in for it here: no mount needed."""
    import resource

    src, out = tmp_path / "clip.mp4", tmp_path / "pub"
    make_clip(src, 40)
    out.mkdir()
    limit = src.stat().st_size // 4

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run([sys.executable, "-m", "unseen", str(src), "-o", str(out), "-q", "--cover", "faces"],
                          capture_output=True, text=True, timeout=300, preexec_fn=small_files)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip() == f"unseen: {src}: cannot write the output into {out}: File too large", proc.stderr
    assert list(out.iterdir()) == []
