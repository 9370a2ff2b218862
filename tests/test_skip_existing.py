"""``--skip-existing`` (resume an interrupted run) and the engine switch, on the local engine.

"Output exists" means: the planned output name exists (decided from the input's name, before the
file is read), or, for a file whose content turns out to be another format than its name says, its
real output name exists (checked as soon as the file is decoded, before detection).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from unseen.cli import main

PHOTO = FIXTURES / "2008_002470.jpg"
HOPPER = FIXTURES / "hopper" / "hopper.jpg"


@pytest.fixture
def folder(tmp_path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jpg").write_bytes(PHOTO.read_bytes())
    (src / "b.jpg").write_bytes(HOPPER.read_bytes())
    (src / "c.png").write_bytes(HOPPER.read_bytes())  # a JPEG named .png: its output is c.jpg
    return src


def _reports(out: str) -> dict[str, dict]:
    return {Path(r["input"]).name: r for r in map(json.loads, out.splitlines())}


def test_skip_existing_resumes_a_run(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([str(folder), "-o", str(out), "-q"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["a.jpg", "b.jpg", "c.jpg"]
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "b.jpg").unlink()  # the run was interrupted before b
    capsys.readouterr()

    assert main([str(folder), "-o", str(out), "--skip-existing", "--json"]) == 0
    captured = capsys.readouterr()
    reports = _reports(captured.out)
    assert reports["a.jpg"]["status"] == "skipped" and reports["a.jpg"]["output"] == str(out / "a.jpg")
    assert reports["b.jpg"]["status"] == "ok"
    # c.png holds a JPEG: its planned name (c.png) does not exist, its real one (c.jpg) does.
    assert reports["c.png"]["status"] == "skipped" and reports["c.png"]["output"] == str(out / "c.jpg")
    assert "unseen: 1 written, 2 skipped (output exists), 0 failed" in captured.err.splitlines()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first  # b rewritten identically, a and c untouched


def test_a_video_skipped_or_failed_unread_is_reported_as_a_video(tmp_path, capsys):
    """Reports made before a file is decoded said ``"kind": "image"`` for a video."""
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    for name in ("done.mp4", "bad.mp4"):
        (tmp_path / "in" / name).write_bytes(b"not a video at all" * 10)
    (tmp_path / "out" / "done.mp4").write_bytes(b"an earlier output")
    assert main([str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--skip-existing", "--json", "-q"]) == 1
    reports = _reports(capsys.readouterr().out)
    assert reports["done.mp4"]["status"] == "skipped" and reports["bad.mp4"]["status"] == "error"
    assert reports["done.mp4"]["kind"] == reports["bad.mp4"]["kind"] == "video"


def test_without_skip_existing_an_existing_output_fails(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([str(folder / "a.jpg"), "-o", str(out), "-q"]) == 0
    assert main([str(folder / "a.jpg"), "-o", str(out), "--json"]) == 1
    captured = capsys.readouterr()
    (report,) = _reports(captured.out).values()
    assert report["status"] == "error" and "exists (use --force to replace it)" in report["error"]
    assert captured.err.strip().splitlines()[-1].startswith("unseen: ")


def test_skip_existing_one_file_says_so(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([str(folder / "a.jpg"), "-o", str(out), "-q"]) == 0
    capsys.readouterr()
    assert main([str(folder / "a.jpg"), "-o", str(out), "--skip-existing"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{folder / 'a.jpg'}: skipped, {out / 'a.jpg'} exists",
                   "unseen: 0 written, 1 skipped (output exists), 0 failed"]


def test_force_and_skip_existing_is_a_usage_error(folder, capsys):
    with pytest.raises(SystemExit) as info:
        main([str(folder), "--force", "--skip-existing"])
    assert info.value.code == 2
    assert "choose one" in capsys.readouterr().err


def _run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)


def test_local_engine_never_imports_ray(folder, tmp_path):
    code = ("import sys\nfrom unseen.cli import main\nrc = main(sys.argv[1:])\n"
            "print('ray' in sys.modules, any(m.startswith('ray.') for m in sys.modules))\nsys.exit(rc)")
    proc = _run_python(code, str(folder / "a.jpg"), "-o", str(tmp_path / "out"), "-q", "--engine", "local")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False"]


def test_engine_ray_without_ray_is_a_usage_error(folder, tmp_path):
    code = ("import sys\nsys.modules['ray'] = None  # as if unseen[ray] were not installed\n"
            "from unseen.cli import main\nsys.exit(main(sys.argv[1:]))")
    proc = _run_python(code, str(folder / "a.jpg"), "-o", str(tmp_path / "out"), "--engine", "ray")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["unseen: --engine ray needs Ray: pip install 'unseen[ray]'"]
    assert not (tmp_path / "out").exists()


def test_a_hard_link_of_the_input_is_not_its_finished_output(tmp_path, capsys):
    """``--skip-existing`` took a hard link of the input under its output's name for the finished output:
    "skipped", exit 0, the faces left as they were (a hunt, 2026-12-05). A symbolic link was refused already;
    a hard link is refused now in the same words as without the flag."""
    src = tmp_path / "a.jpg"
    src.write_bytes(PHOTO.read_bytes())
    (tmp_path / "a.unseen.jpg").hardlink_to(src)
    for flags in ([], ["--skip-existing"]):
        assert main([str(src), "-q", *flags]) == 1
        assert capsys.readouterr().err.strip() == f"unseen: {src}: output would overwrite the input"
    assert src.read_bytes() == PHOTO.read_bytes()


def test_an_output_folder_swapped_for_the_inputs_folder_mid_run_leaves_the_original(tmp_path, capsys, monkeypatch):
    """The ``-o`` folder replaced by a link to the input's folder while a photo is covered: with ``--force``
    the output replaced the original, reported ok (a hunt, 2026-12-05). The name is checked against the
    input again as it is given (``atomic_output(source=...)``)."""
    from unseen.engine import image as engine_image

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.jpg").write_bytes(PHOTO.read_bytes())
    encode = engine_image.encode_checked

    def swap_then_encode(*args, **kwargs):
        if not out.is_symlink():
            if out.exists():
                out.rename(tmp_path / "out.old")
            out.symlink_to(src, target_is_directory=True)
        return encode(*args, **kwargs)

    monkeypatch.setattr(engine_image, "encode_checked", swap_then_encode)
    assert main([str(src), "-o", str(out), "--force", "-q", "--cover", "faces"]) == 1
    assert capsys.readouterr().err.strip().endswith("a.jpg: output would overwrite the input")
    assert (src / "a.jpg").read_bytes() == PHOTO.read_bytes()
    assert sorted(p.name for p in src.iterdir()) == ["a.jpg"]


def test_an_output_older_than_its_input_is_not_taken_for_it(folder, tmp_path, capsys):
    """A camera's counter starts again: day2/IMG_0001.JPG (another photo) run into the folder that holds
    day1's IMG_0001.JPG output was counted as done with ``--skip-existing``, never covered, exit 0 (a hunt,
    2026-12-06). An output written before its input last changed is another's, or stale: the file fails in
    one line, nothing is replaced; by its planned name and by its real one (c.png holds a JPEG)."""
    import os

    out = tmp_path / "out"
    assert main([str(folder), "-o", str(out), "-q"]) == 0
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    import time

    for name, output in (("a.jpg", "a.jpg"), ("c.png", "c.jpg")):  # the next card's photos of the same names
        now = time.time()
        os.utime(out / output, (now - 10.5, now - 10.5))  # to the nanosecond here: no slack for FAT's 2 s
        os.utime(folder / name, (now - 10, now - 10))
    capsys.readouterr()
    assert main([str(folder), "-o", str(out), "--skip-existing", "--json"]) == 1
    captured = capsys.readouterr()
    reports = _reports(captured.out)
    assert reports["b.jpg"]["status"] == "skipped"
    for name, output in (("a.jpg", "a.jpg"), ("c.png", "c.jpg")):
        assert reports[name]["status"] == "error" and reports[name].get("output") is None, reports[name]
        assert f"output {out / output} exists but was written before this file was last changed" in \
            reports[name]["error"]
    assert "unseen: 0 written, 1 skipped (output exists), 2 failed" in captured.err.splitlines()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


def test_an_input_dated_in_the_future_is_kept_and_new_boxes_are_not(folder, tmp_path, capsys):
    """A camera's clock set ahead dates its photos in the future: no output could ever be newer, and every
    resume failed them (``--force`` did not help). Such a time says nothing: the output is kept. A boxes file
    changed after the output (a reviewer's region added) was ignored for a skipped file, exit 0: the file
    fails, naming the boxes file; one older than the output is in it (the run that wrote it)."""
    import os
    import time

    out = tmp_path / "out"
    ahead = time.time() + 1.5  # kept while ahead, and once that time has passed (it failed then)
    os.utime(folder / "a.jpg", (ahead, ahead))
    boxes = tmp_path / "b.json"
    boxes.write_text(json.dumps({"files": [{"image": "b.jpg", "regions": [
        {"x": 10, "y": 10, "w": 40, "h": 40, "kind": "manual"}]}]}))
    old = time.time() - 3600
    os.utime(boxes, (old, old))
    assert main([str(folder), "-o", str(out), "-q", "--boxes", str(boxes)]) == 0
    capsys.readouterr()
    for wait in (0, max(0.0, ahead - time.time()) + 0.5):
        time.sleep(wait)
        assert main([str(folder), "-o", str(out), "--skip-existing", "--json", "--boxes", str(boxes)]) == 0
        assert {n: r["status"] for n, r in _reports(capsys.readouterr().out).items()} == {
            "a.jpg": "skipped", "b.jpg": "skipped", "c.png": "skipped"}
    now = time.time()
    os.utime(folder / "b.jpg", (now - 20, now - 20))
    os.utime(out / "b.jpg", (now - 10, now - 10))
    os.utime(boxes, (now - 5, now - 5))  # then the reviewer adds a region
    assert main([str(folder), "-o", str(out), "--skip-existing", "--json", "--boxes", str(boxes)]) == 1
    reports = _reports(capsys.readouterr().out)
    assert reports["a.jpg"]["status"] == reports["c.png"]["status"] == "skipped"
    assert reports["b.jpg"]["status"] == "error"
    assert "written before the boxes file naming this file last changed" in reports["b.jpg"]["error"]
