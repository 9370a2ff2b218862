"""Which files a run takes and the names their outputs get (``engine/plan.py``), on the paths a user gives.

Each case was found by trying the command on odd but plausible paths (2026-12-05): two inputs that ended
in one output with every report saying "written", an output folder inside the input folder that left its
photos out, photos skipped without a word, tracebacks on names too long for the file system.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, GROUP, SHARED
from PIL import Image

from unseen.engine.plan import OUTPUT_FOLDER_MARK

HOPPER = FIXTURES / "hopper" / "hopper.jpg"


def _rgb(p: Path) -> np.ndarray:
    with Image.open(p) as im:
        return np.asarray(im.convert("RGB"))


def _reports(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_files_of_one_name_from_two_folders_get_two_outputs(tmp_path, cli):
    """x/a.jpg and y/a.jpg into one -o folder both became a.jpg.jpg: with --force the second replaced the
    first and both reports said "ok"."""
    for sub, src in (("x", HOPPER), ("y", GROUP)):
        (tmp_path / sub).mkdir()
        shutil.copy(src, tmp_path / sub / "a.jpg")
    out = tmp_path / "out"
    rc, stdout, err = cli(tmp_path / "x" / "a.jpg", tmp_path / "y" / "a.jpg", "-o", out, "--force", "--json", "-q")
    assert rc == 0, err
    outputs = [Path(r["output"]) for r in _reports(stdout)]
    assert len(set(outputs)) == 2 and all(p.is_file() for p in outputs)
    assert [_rgb(p).shape for p in outputs] == [_rgb(HOPPER).shape, _rgb(GROUP).shape]
    # Which output came from which folder is said without --json too, naming the other input by its path
    # (only the JSON said it, "because a.jpg would also become a.jpg"; a hunt, 2026-12-06).
    rc, _stdout, err = cli(tmp_path / "x" / "a.jpg", tmp_path / "y" / "a.jpg", "-o", out, "--force")
    assert rc == 0, err
    note = [line for line in err.splitlines() if "note: named" in line]
    assert note == [f"unseen: {tmp_path}/y/a.jpg: note: named a.jpg.jpg because {tmp_path}/x/a.jpg would also "
                    "become a.jpg"], err


def test_a_renamed_output_s_note_names_the_other_output_as_written(tmp_path, cli):
    """IMG_8.JPG keeps its own name in -o (its case too); IMG_8.jpeg's note said IMG_8.JPG "would also become
    IMG_8.jpg", a name no file got (a hunt, 2026-12-06)."""
    shutil.copy(HOPPER, tmp_path / "IMG_8.JPG")
    shutil.copy(HOPPER, tmp_path / "IMG_8.jpeg")
    out = tmp_path / "out"
    rc, stdout, err = cli(tmp_path / "IMG_8.JPG", tmp_path / "IMG_8.jpeg", "-o", out, "--json", "-q")
    assert rc == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["IMG_8.JPG", "IMG_8.jpeg.jpg"]
    assert _reports(stdout)[1]["notes"] == [f"named IMG_8.jpeg.jpg because {tmp_path}/IMG_8.JPG would also become "
                                            "IMG_8.JPG"]


def test_two_mislabelled_files_of_one_stem_get_two_outputs(tmp_path, cli):
    """x.png and x.webp both holding JPEG both became x.unseen.jpg once decoded."""
    for name, colour in (("x.png", (200, 0, 0)), ("x.webp", (0, 200, 0))):
        Image.new("RGB", (64, 64), colour).save(tmp_path / name, "JPEG")
    rc, stdout, err = cli(tmp_path / "x.png", tmp_path / "x.webp", "--force", "--json", "-q")
    assert rc == 0, err
    outputs = [Path(r["output"]) for r in _reports(stdout)]
    assert len(set(outputs)) == 2 and all(p.is_file() for p in outputs)
    assert _rgb(outputs[0])[32, 32, 0] > 150 and _rgb(outputs[1])[32, 32, 1] > 150
    # Each report says why its name is not the one its file's name promised (the notes were empty).
    assert [r["notes"] for r in _reports(stdout)] == [
        [f"named {p.name} because {src} holds a JPEG picture, and another input of the run would also become "
         "x.unseen.jpg"] for p, src in zip(outputs, ("x.png", "x.webp"), strict=True)]


def test_a_file_given_twice_is_one_job(tmp_path, cli):
    src = tmp_path / "a.jpg"
    shutil.copy(HOPPER, src)
    rc, _, err = cli(src, src, tmp_path, "-q")
    assert rc == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg", "a.unseen.jpg"]


def test_an_output_folder_inside_the_input_folder_holding_other_photos_is_refused(tmp_path, cli):
    """`unseen d -o d/sub` left d/sub out of the walk: its own photos were neither anonymised nor named,
    and with --force d/a.jpg's output replaced the photo d/sub/a.jpg."""
    (tmp_path / "d" / "sub").mkdir(parents=True)
    shutil.copy(HOPPER, tmp_path / "d" / "a.jpg")
    shutil.copy(GROUP, tmp_path / "d" / "sub" / "a.jpg")
    shutil.copy(GROUP, tmp_path / "d" / "sub" / "only_in_sub.jpg")
    before = (tmp_path / "d" / "sub" / "a.jpg").read_bytes()
    rc, _, err = cli(tmp_path / "d", "-o", tmp_path / "d" / "sub", "--force")
    assert rc == 1 and "only_in_sub.jpg" in err and len(err.strip().splitlines()) == 1, err
    assert (tmp_path / "d" / "sub" / "a.jpg").read_bytes() == before
    # an output folder of its own inside the input folder still works, and again on a second run
    for _ in range(2):
        rc, _, err = cli(tmp_path / "d" / "sub", "-o", tmp_path / "d" / "sub" / "out", "--force", "-q")
        assert rc == 0, err
    assert sorted(p.name for p in (tmp_path / "d" / "sub" / "out").iterdir()) == [".unseen-outputs", "a.jpg",
                                                                              "only_in_sub.jpg"]


def test_an_output_folder_inside_the_input_folder_never_replaces_an_original_of_the_same_name(tmp_path, cli):
    """`unseen d -o d/sub --force` with d/sub holding only a photo named like d's: d/a.jpg's output
    replaced the original d/sub/a.jpg (exit 0); --skip-existing took that original for d/a.jpg's
    output and left d/a.jpg unanonymised. A folder unseen made for its outputs is still re-run."""
    (tmp_path / "d" / "sub").mkdir(parents=True)
    shutil.copy(HOPPER, tmp_path / "d" / "a.jpg")
    shutil.copy(GROUP, tmp_path / "d" / "sub" / "a.jpg")
    before = (tmp_path / "d" / "sub" / "a.jpg").read_bytes()
    for how in ("--force", "--skip-existing"):
        rc, _, err = cli(tmp_path / "d", "-o", tmp_path / "d" / "sub", how)
        assert rc == 1 and "sub" in err and "a.jpg" in err and len(err.strip().splitlines()) == 1, err
        assert (tmp_path / "d" / "sub" / "a.jpg").read_bytes() == before
    for _ in range(2):  # unseen's own folder: written, then replaced on a second run
        rc, _, err = cli(tmp_path / "d", "-o", tmp_path / "d" / "out", "--force", "-q")
        assert rc == 0, err
    assert sorted(p.name for p in (tmp_path / "d" / "out").iterdir()) == [".unseen-outputs", "a.jpg", "sub"]
    rc, _, err = cli(tmp_path / "d", "-o", tmp_path / "d" / "out", "--skip-existing", "-q")
    assert rc == 0, err


def test_folders_say_what_they_leave_out_and_take_photos_named_like_outputs(tmp_path, cli):
    """A photo named holiday.unseen.trip.jpg was taken for an earlier output; hidden photos, hidden folders
    (.thumbnails hold faces too) and linked folders were passed over without a word."""
    d = tmp_path / "d"
    (d / ".thumbs").mkdir(parents=True)
    shutil.copy(HOPPER, d / "holiday.unseen.trip.jpg")
    shutil.copy(HOPPER, d / "unseen-0001.jpg")  # named as --rename names: passed over, but said so
    # An earlier version's output, to be run again through a newer one: passed over in silence (a hunt).
    shutil.copy(HOPPER, d / "old.unseen.jpg")
    shutil.copy(HOPPER, d / ".hidden.jpg")
    (d / "._holiday.unseen.trip.jpg").write_bytes(b"\0\x05\x16\x07")  # a Mac's AppleDouble: no photo, unsaid
    shutil.copy(HOPPER, d / ".thumbs" / "t.jpg")
    (tmp_path / "other").mkdir()
    shutil.copy(HOPPER, tmp_path / "other" / "o.jpg")
    (d / "linked").symlink_to(tmp_path / "other")
    rc, _, err = cli(d, "-o", tmp_path / "out")
    assert rc == 0, err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["holiday.unseen.trip.jpg"]
    note = [line for line in err.splitlines() if "alone, hidden, linked" in line]
    assert len(note) == 1 and "left 5 " in note[0] and "name one alone to run it again" in note[0], err
    assert all(n in note[0] for n in (".hidden.jpg", ".thumbs", "linked")) and "._holiday" not in err, err
    rc, _, err = cli(d / "old.unseen.jpg", "-o", tmp_path / "again", "-q")  # named: run again
    assert rc == 0 and (tmp_path / "again" / "old.unseen.jpg").is_file(), err


def test_usage_errors_for_paths_and_settings_that_name_nothing(tmp_path, cli, monkeypatch):
    """An empty PATH is the current folder to pathlib: `unseen "$UNSET"` anonymised everything below it.
    --max-pixels 0.5 became 0, "no limit". --rename with --skip-existing counted a new photo as done
    (its number was an older photo's output)."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(HOPPER, tmp_path / "a.jpg")
    for args in (("",), ("a.jpg", "-o", ""), ("a.jpg", "--max-pixels", "0.5"),
                 ("a.jpg", "--rename", "--skip-existing", "-o", "out")):
        with pytest.raises(SystemExit) as usage:
            cli(*args)
        assert usage.value.code == 2, args
    assert sorted(os.listdir(tmp_path)) == ["a.jpg"]


def test_a_fifo_named_like_an_output_beside_its_input_is_refused_not_read(tmp_path):
    """Whether a file named like an output beside its input is one unseen wrote is asked of regular files
    only: a FIFO named so was opened and read, and the run hung (a review, 2026-12-06)."""
    import subprocess
    import sys

    shutil.copy(HOPPER, tmp_path / "c.jpg")
    os.mkfifo(tmp_path / "c.unseen.jpg")
    proc = subprocess.run([sys.executable, "-m", "unseen", "c.jpg", "c.unseen.jpg", "-q",
                           "--cover", "faces"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stderr.strip() == "unseen: c.unseen.jpg: not a regular file", proc.stderr


def test_a_photo_named_like_an_option_is_refused_not_read_as_one(tmp_path, cli, monkeypatch):
    """`unseen *.jpg` in a folder holding "-o.jpg" read it as `-o .jpg`: that photo was left uncovered and
    never mentioned, the others written into a hidden folder ".jpg", exit 0 (a hunt, 2026-12-06)."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(HOPPER, "-o.jpg")
    shutil.copy(HOPPER, "a.jpg")
    with pytest.raises(SystemExit) as stop:
        cli("-o.jpg", "a.jpg")
    assert stop.value.code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["-o.jpg", "a.jpg"]
    rc, _out, err = cli("./-o.jpg", "a.jpg")
    assert rc == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["-o.jpg", "-o.unseen.jpg", "a.jpg", "a.unseen.jpg"]


def test_an_output_named_with_a_trailing_slash_is_a_folder(tmp_path, cli):
    src = tmp_path / "a.jpg"
    shutil.copy(HOPPER, src)
    rc, _, err = cli(src, "-o", f"{tmp_path / 'new.jpg'}/", "-q")
    assert rc == 0, err
    assert (tmp_path / "new.jpg" / "a.jpg").is_file()


def test_skip_existing_counts_only_a_file_as_done(tmp_path, cli):
    """A folder (or a link to the original) at the output's name was counted as "skipped, output exists"."""
    src = tmp_path / "a.jpg"
    shutil.copy(HOPPER, src)
    (tmp_path / "a.unseen.jpg").mkdir()
    rc, _, err = cli(src, "--skip-existing")
    assert rc == 1 and "is a folder" in err, err


def test_names_too_long_for_the_file_system_are_one_line(tmp_path, cli, capsys):
    from unseen.cli import main

    src = tmp_path / "a.jpg"
    shutil.copy(HOPPER, src)
    long = tmp_path / ("n" * 300 + ".jpg")
    for args in ((long,), (src, "-o", long), (src, "-o", tmp_path / ("n" * 300)), ("inspect", "--no-faces", long),
                 ("verify", src, long), ("verify", long, src)):
        capsys.readouterr()
        rc = main([str(a) for a in args])
        err = capsys.readouterr().err
        assert rc == 1 and "Traceback" not in err and "internal error" not in err, (args, err)
        assert len(err.strip().splitlines()) == 1 and "too long" in err, (args, err)


def test_a_video_checked_more_often_than_its_frames_checks_every_frame():
    """`unseen verify --every 1e-320` made the count of frames to check infinite: a traceback."""
    from types import SimpleNamespace

    from unseen.verify_video import _to_check

    stream = SimpleNamespace(frames=20, average_rate=10)
    assert _to_check(stream, 1e-320) == 20 and _to_check(stream, 0) == 20 and _to_check(stream, 1.0) == 3


def test_a_photo_with_nothing_to_cover_says_so_in_words(tmp_path, cli):
    src = tmp_path / "flat.png"
    Image.new("RGB", (64, 48), (90, 120, 150)).save(src)
    rc, _, err = cli(src)
    assert rc == 0 and "nothing found to cover" in err and "to covered" not in err, err


def test_every_input_of_a_run_keeps_its_own_review_sidecar(tmp_path):
    """The review page keeps each input's reviewed regions in a sidecar: one shared by two inputs let each
    save replace the other's (IMG_1.jpg and IMG_1.png beside each other; a.jpg of two folders into one
    -o folder)."""
    from unseen.engine.plan import plan

    for sub in ("x", "y"):
        (tmp_path / sub).mkdir()
        shutil.copy(HOPPER, tmp_path / sub / "a.jpg")
        Image.open(HOPPER).save(tmp_path / sub / "a.png")
    for paths, out in (([tmp_path / "x"], None), ([tmp_path / "x", tmp_path / "y"], tmp_path / "out"),
                       ([tmp_path / "x" / "a.jpg", tmp_path / "y" / "a.jpg"], tmp_path / "out")):
        jobs, errors = plan(paths, out)
        assert not errors and len(jobs) == len({j.src for j in jobs}) >= 2
        assert len({j.sidecar for j in jobs}) == len(jobs), [j.sidecar.name for j in jobs]
        assert len({j.destination(j.planned_ext) for j in jobs}) == len(jobs)
    alone, _ = plan([tmp_path / "x" / "a.jpg"], None)
    assert alone[0].sidecar.name == "a.unseen.json"  # no twin: the name earlier versions wrote


def test_a_folder_takes_every_format_unseen_reads(tmp_path, cli):
    """JPEG 2000, PSD and PCX photos and an MPEG-TS clip named .ts were read when named on the command
    line, but a folder walk left them out as "not photos or videos" (a photo desk's folder of PSDs:
    "no photos or videos found"). A TypeScript file named .ts is still no video."""
    from bad_inputs import make_clip

    d = tmp_path / "d"
    d.mkdir()
    with Image.open(HOPPER) as im:
        im.save(d / "a.jp2")
        im.save(d / "b.pcx")
    psd = SHARED / "pillow_test_images/Tests/images/hopper.psd"  # Pillow writes no PSD
    if psd.is_file():
        shutil.copy(psd, d / "c.psd")
    make_clip(d / "e.ts", frames=5, fmt="mpegts")
    (d / "app.ts").write_text("export const x: number = 1;\n")
    rc, _, err = cli(d, "-o", tmp_path / "out")
    assert rc == 0, err
    made = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert made == sorted(["a.png", "b.png", "e.mp4"] + (["c.png"] if psd.is_file() else [])), err
    assert f"left 1 file(s) alone that are not photos or videos: {d / 'app.ts'}" in err


def test_a_video_container_unseen_does_not_read_is_not_called_a_corrupt_image(tmp_path, cli):
    """An MPEG-PS clip named .mpg, given by name, was refused as "not an image format ... (unknown or
    corrupt file)": a user would think the video broken."""
    from bad_inputs import make_clip

    make_clip(tmp_path / "a.mpg", frames=3, fmt="mpeg")
    rc, _, err = cli(tmp_path / "a.mpg", "-o", tmp_path / "out")
    assert rc == 1 and err.count("\n") == 1, err
    assert "not a photo or video unseen reads" in err and "corrupt" not in err, err


def test_force_never_replaces_another_input_of_the_run(tmp_path, cli):
    """`unseen A/a/p.jpg A/b/p.jpg -o A/b/ --force` wrote a/p.jpg's output over the original b/p.jpg, and
    `unseen x.jpg x.unseen.jpg --force` wrote x.jpg's over the input x.unseen.jpg, both exit 0 (a hunt,
    2026-12-05). An input's name is taken: the output is numbered instead, and its report says why."""
    (tmp_path / "A" / "a").mkdir(parents=True)
    (tmp_path / "A" / "b").mkdir()
    shutil.copy(HOPPER, tmp_path / "A" / "a" / "p.jpg")
    shutil.copy(GROUP, tmp_path / "A" / "b" / "p.jpg")
    shutil.copy(HOPPER, tmp_path / "x.jpg")
    shutil.copy(GROUP, tmp_path / "x.unseen.jpg")
    originals = {p: p.read_bytes() for p in (tmp_path / "A" / "b" / "p.jpg", tmp_path / "x.unseen.jpg")}
    rc, out, err = cli(tmp_path / "A" / "a" / "p.jpg", tmp_path / "A" / "b" / "p.jpg", "-o", f"{tmp_path}/A/./b/",
                       "--force", "--json")
    assert rc == 0, err
    first = _reports(out)[0]
    assert first["output"].endswith("p-2.jpg") and "p.jpg is an input of this run" in " ".join(first["notes"])
    rc, out, err = cli(tmp_path / "x.jpg", tmp_path / "x.unseen.jpg", "--force", "--json")
    assert rc == 0, err
    assert [Path(r["output"]).name for r in _reports(out)] == ["x.unseen-2.jpg", "x.unseen.unseen.jpg"]
    assert all(p.read_bytes() == b for p, b in originals.items())


def test_a_glob_run_again_takes_the_earlier_outputs_for_outputs(tmp_path, cli):
    """`unseen *.jpg *.mp4` run a second time names a.jpg and its output a.unseen.jpg: the output was taken
    for an input, a.jpg's output numbered a.unseen-2.jpg beside it, and a.unseen.unseen.jpg written; the
    files doubled with every run and --skip-existing skipped nothing (a hunt, 2026-12-06). An earlier output
    named with its input is left alone, said in the note, as a folder's walk leaves it."""
    from synth import grey_clip

    shutil.copy(HOPPER, tmp_path / "a.jpg")
    grey_clip(tmp_path / "b.mp4")
    rc, _out, err = cli(tmp_path / "a.jpg", tmp_path / "b.mp4")
    assert rc == 0, err
    first = sorted(p.name for p in tmp_path.iterdir())
    assert first == ["a.jpg", "a.unseen.jpg", "b.mp4", "b.unseen.mp4"]
    glob = [tmp_path / n for n in first]
    rc, out, err = cli(*glob, "--skip-existing", "--json")
    assert rc == 0, err
    assert {Path(r["input"]).name: r["status"] for r in _reports(out)} == {"a.jpg": "skipped", "b.mp4": "skipped"}
    assert "left 2 " in err and "a.unseen.jpg" in err and "name one alone to run it again" in err, err
    rc, out, err = cli(*glob)
    assert rc == 1 and "a.unseen.jpg exists" in err, err
    before = (tmp_path / "a.unseen.jpg").read_bytes()
    rc, out, err = cli(*glob, "--force", "--json")  # a file named on the command line is never replaced
    assert rc == 1 and (tmp_path / "a.unseen.jpg").read_bytes() == before, err
    assert [r["error"] for r in _reports(out)] == [
        f"its output {n}.unseen.{e} was named as an input of this run too (an earlier output?), and --force does "
        f"not replace a file named on the command line: name {n}.{e} without it to replace it"
        for n, e in (("a", "jpg"), ("b", "mp4"))]
    rc, out, err = cli(tmp_path / "a.jpg", tmp_path / "b.mp4", "--force", "--json")
    assert rc == 0, err
    assert [Path(r["output"]).name for r in _reports(out)] == ["a.unseen.jpg", "b.unseen.mp4"]
    assert sorted(p.name for p in tmp_path.iterdir()) == first
    # Only beside the inputs, only the exact name, only what unseen could have written: with -o, a clean
    # d.unseen.png beside d.jpg, someone's photo under an output's name with its metadata, all are inputs.
    shutil.copy(GROUP, tmp_path / "g.jpg")
    shutil.copy(GROUP, tmp_path / "g.unseen.jpg")  # an ICC profile: no output of unseen's
    Image.open(HOPPER).save(tmp_path / "a.unseen.png")
    rc, out, err = cli(tmp_path / "a.jpg", tmp_path / "a.unseen.png", tmp_path / "g.jpg", tmp_path / "g.unseen.jpg",
                       "-o", tmp_path / "pub", "--json")
    assert rc == 0 and len(_reports(out)) == 4, err
    rc, out, err = cli(tmp_path / "a.jpg", tmp_path / "a.unseen.png", tmp_path / "g.jpg", tmp_path / "g.unseen.jpg",
                       "--json", "--skip-existing")
    assert {Path(r["input"]).name: r["status"] for r in _reports(out)} == {
        "a.jpg": "skipped", "a.unseen.png": "ok", "g.jpg": "ok", "g.unseen.jpg": "ok"}, err
    rc, out, err = cli(tmp_path / "a.unseen.jpg", "--json")  # named alone: run again, as the note says
    assert rc == 0 and _reports(out)[0]["output"].endswith("a.unseen.unseen.jpg"), err


def test_force_never_replaces_a_file_beside_the_input_under_a_name_unseen_does_not_give(tmp_path, cli):
    """`unseen pic.jpeg -o ./` plans pic.jpg, the name of another photo there: refused as existing, with
    "(use --force to replace it)", --force replaced that original, and --skip-existing took it for pic.jpeg's
    output (pic.jpeg never covered, counted as done; a hunt, 2026-12-05). Now one line says why, whatever the
    flags; unseen's own names beside the input (pic.unseen.jpg) and an output the user named (-o pic.jpg)
    are still replaced."""
    shutil.copy(HOPPER, tmp_path / "pic.jpeg")
    shutil.copy(GROUP, tmp_path / "pic.jpg")
    before = (tmp_path / "pic.jpg").read_bytes()
    for how in ("--force", "--skip-existing", None):
        rc, _, err = cli(tmp_path / "pic.jpeg", "-o", f"{tmp_path}/", *([how] if how else []))
        assert rc == 1 and err.strip().splitlines() == [
            f"unseen: {tmp_path / 'pic.jpeg'}: output {tmp_path / 'pic.jpg'} exists beside the input under a name "
            "unseen does not give its outputs: it may be an original, so it is neither replaced (even with --force) "
            "nor taken for this file's output (--skip-existing); give another -o folder"], (how, err)
        assert (tmp_path / "pic.jpg").read_bytes() == before
    for _ in range(2):
        assert cli(tmp_path / "pic.jpeg", "--force", "-q")[0] == 0
    assert (tmp_path / "pic.unseen.jpg").is_file()
    assert cli(tmp_path / "pic.jpeg", "-o", tmp_path / "pic.jpg", "--force", "-q")[0] == 0
    assert (tmp_path / "pic.jpg").read_bytes() != before


def test_a_folder_that_cannot_be_listed_is_an_error_not_a_silent_skip(tmp_path, cli, monkeypatch):
    """A sub-folder without read permission was passed over without a word and the run exited 0, its photos
    never covered; named alone, it gave "no photos or videos found" (a hunt, 2026-12-05, as a user who cannot
    list it: root here can, so the listing is refused by os.scandir's stand-in)."""
    (tmp_path / "tree" / "pub").mkdir(parents=True)
    (tmp_path / "tree" / "secret").mkdir()
    shutil.copy(HOPPER, tmp_path / "tree" / "pub" / "a.jpg")
    shutil.copy(GROUP, tmp_path / "tree" / "secret" / "b.jpg")
    real = os.scandir

    def scandir(path="."):
        if Path(path).name == "secret":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    for given in ((tmp_path / "tree",), (tmp_path / "tree" / "secret", tmp_path / "tree" / "pub"),
                  (tmp_path / "tree" / "secret",)):
        rc, _, err = cli(*given, "-o", tmp_path / f"out{len(given)}", "-q", "--force")
        assert rc == 1, err
        assert f"unseen: {tmp_path / 'tree' / 'secret'}: cannot list this folder: permission denied" in err, err


def test_an_output_folder_under_a_file_names_the_file(tmp_path, cli):
    """`-o afile/x.jpg` with afile a file said "cannot write to afile: File exists" (a hunt, 2026-12-05)."""
    (tmp_path / "afile").write_bytes(b"not a folder")
    for out in (tmp_path / "afile" / "x.jpg", f"{tmp_path / 'afile' / 'sub'}/"):
        rc, _, err = cli(HOPPER, "-o", out, "-q")
        assert rc == 1 and f"{tmp_path / 'afile'} is a file, not a folder" in err, err
    assert (tmp_path / "afile").read_bytes() == b"not a folder"


def test_an_output_folder_holding_the_input_folder_never_takes_its_photos_for_outputs(tmp_path, cli):
    """`unseen d/s -o d --force` replaced the original d/x.jpg with d/s/x.jpg's output, and with
    --skip-existing reported that untouched original (16 faces) as d/s/x.jpg's output, exit 0; a file of
    d/s named alone did the same."""
    (tmp_path / "d" / "s").mkdir(parents=True)
    shutil.copy(GROUP, tmp_path / "d" / "x.jpg")
    shutil.copy(HOPPER, tmp_path / "d" / "s" / "x.jpg")
    before = GROUP.read_bytes()
    for given, out in (([tmp_path / "d" / "s"], tmp_path / "d"), ([tmp_path / "d" / "s" / "x.jpg"], tmp_path / "d")):
        for how in ("--force", "--skip-existing"):
            rc, stdout, err = cli(*given, "-o", out, how, "--json")
            assert rc == 1 and "x.jpg" in err and len(err.strip().splitlines()) == 1, err
            assert all(r["status"] == "error" for r in _reports(stdout))
            assert (out / "x.jpg").read_bytes() == before
    # Photos elsewhere in such a folder are no matter (`unseen raw/x.jpg -o .` beside static/img/logo.jpg);
    # the folder is not marked as unseen's (a later walk of it left the originals below out, exit 0), so
    # an output there from an earlier run is someone's photo as far as a rerun can tell.
    (tmp_path / "f" / "static").mkdir(parents=True)
    shutil.copy(GROUP, tmp_path / "f" / "static" / "logo.jpg")
    shutil.move(tmp_path / "d" / "s", tmp_path / "f" / "s")
    rc, _, err = cli(tmp_path / "f" / "s", "-o", tmp_path / "f", "-q")
    assert rc == 0, err
    assert not (tmp_path / "f" / OUTPUT_FOLDER_MARK).exists()
    written = (tmp_path / "f" / "x.jpg").read_bytes()
    rc, _, err = cli(tmp_path / "f" / "s", "-o", tmp_path / "f", "--force", "-q")
    assert rc == 1 and "may be an original" in err and len(err.strip().splitlines()) == 1, err
    assert (tmp_path / "f" / "x.jpg").read_bytes() == written
    rc, stdout, err = cli(tmp_path / "f", "-o", tmp_path / "out", "--json", "-q")  # the originals below: taken
    assert rc == 0 and {"s/x.jpg", "static/logo.jpg"} <= {
        Path(r["input"]).relative_to(tmp_path / "f").as_posix() for r in _reports(stdout)}, err


def test_a_linked_input_folder_inside_the_output_folder_never_takes_its_photos_for_outputs(tmp_path, cli):
    """d/s linking to r/s: `unseen d/s -o d --force` replaced the original d/x.jpg (the check compared the
    resolved r/s with d), and through a file of it (`unseen d/s/x.jpg -o d`) too."""
    (tmp_path / "r" / "s").mkdir(parents=True)
    (tmp_path / "d").mkdir()
    shutil.copy(HOPPER, tmp_path / "r" / "s" / "x.jpg")
    shutil.copy(GROUP, tmp_path / "d" / "x.jpg")
    (tmp_path / "d" / "s").symlink_to(tmp_path / "r" / "s")
    for given in (tmp_path / "d" / "s", tmp_path / "d" / "s" / "x.jpg"):
        for how in ("--force", "--skip-existing"):
            rc, _, err = cli(given, "-o", tmp_path / "d", how)
            assert rc == 1 and "may be an original" in err and len(err.strip().splitlines()) == 1, err
            assert (tmp_path / "d" / "x.jpg").read_bytes() == GROUP.read_bytes()


def test_a_linked_folder_in_the_output_tree_never_leads_an_output_onto_an_input(tmp_path, cli):
    """out/q linked to the input folder A/p: A/q/x.jpg's output went to out/q/x.jpg, which is the input
    A/p/x.jpg, and --force replaced it (exit 0, both reports "ok")."""
    for sub, src in (("p", GROUP), ("q", HOPPER)):
        (tmp_path / "A" / sub).mkdir(parents=True)
        shutil.copy(src, tmp_path / "A" / sub / "x.jpg")
    (tmp_path / "out" / "p").mkdir(parents=True)
    (tmp_path / "out" / "q").symlink_to(tmp_path / "A" / "p")
    rc, stdout, err = cli(tmp_path / "A", "-o", tmp_path / "out", "--force", "--json", "-q")
    assert rc == 0, err
    assert (tmp_path / "A" / "p" / "x.jpg").read_bytes() == GROUP.read_bytes()
    assert (tmp_path / "A" / "q" / "x.jpg").read_bytes() == HOPPER.read_bytes()
    assert len({Path(r["output"]).resolve() for r in _reports(stdout)}) == 2


def test_an_output_folder_inside_the_input_folder_is_run_again_and_left_out_of_later_walks(tmp_path, cli):
    """A run into d/pub wrote b.png (holding a JPEG) as pub/b.jpg; every later run into d/pub refused the
    folder as holding a photo unseen did not write there, and a run of d without -o took pub's outputs
    for photos."""
    (tmp_path / "d").mkdir()
    shutil.copy(HOPPER, tmp_path / "d" / "a.jpg")
    shutil.copy(GROUP, tmp_path / "d" / "b.png")
    for how in ("-q", "--skip-existing", "--force"):
        rc, _, err = cli(tmp_path / "d", "-o", tmp_path / "d" / "pub", how)
        assert rc == 0, err
    assert sorted(p.name for p in (tmp_path / "d" / "pub").iterdir()) == [".unseen-outputs", "a.jpg", "b.jpg"]
    rc, stdout, err = cli(tmp_path / "d", "--json", "-q")
    assert rc == 0, err
    assert sorted(Path(r["input"]).name for r in _reports(stdout)) == ["a.jpg", "b.png"]


def test_videos_and_photos_unseen_does_not_read_fail_in_a_folder(tmp_path, cli):
    """A folder of .mpg, .wmv and .flv clips was passed over as "not photos or videos" behind a "...",
    exit 0: the folder looked done while its videos still showed every face. They fail one by one, as raw
    files do; a .jxl holding a JPEG is read."""
    (tmp_path / "d").mkdir()
    shutil.copy(HOPPER, tmp_path / "d" / "a.jpg")
    shutil.copy(HOPPER, tmp_path / "d" / "b.jxl")
    for name in ("c.mpg", "d.wmv", "e.flv", "h.tod"):
        (tmp_path / "d" / name).write_bytes(b"\x00\x00\x01\xba" + bytes(2000))
    (tmp_path / "d" / "f.xmp").write_text("<x/>")
    (tmp_path / "d" / "go.mod").write_text("module example.org/x\n")  # a camcorder's .mod is MPEG: by its bytes
    (tmp_path / "d" / "g.mod").write_bytes(b"\x00\x00\x01\xba" + bytes(2000))
    rc, stdout, err = cli(tmp_path / "d", "-o", tmp_path / "out", "--json")
    assert rc == 1, err
    assert {Path(r["input"]).name: r["status"] for r in _reports(stdout)} == {
        "a.jpg": "ok", "b.jxl": "ok", "c.mpg": "error", "d.wmv": "error", "e.flv": "error", "g.mod": "error",
        "h.tod": "error"}
    lines = [line for line in err.splitlines() if "not a photo or video unseen reads" in line]
    assert [line.split(":")[2].strip() for line in lines] == ["MPEG video (.mpg)", "Windows Media video (.wmv)",
                                                              "Flash video (.flv)", "MPEG video (.mod)",
                                                              "MPEG video (.tod)"], err
    assert "1 file(s) alone that are not photos or videos: " in err and "go.mod" in err
    sidecar = [line for line in err.splitlines() if "sidecar file(s)" in line]  # the .xmp, named apart since
    assert len(sidecar) == 1 and "left 1 " in sidecar[0] and "f.xmp" in sidecar[0], err  # 2026-12-06


def test_outputs_beside_their_inputs_are_not_listed_on_a_rerun(tmp_path, cli):
    """Outputs beside their inputs (the default, no -o) were listed as "left alone" on every rerun, inviting
    a user to run unseen on them again; only an output-like name no input beside it would be given is."""
    d = tmp_path / "d"
    d.mkdir()
    shutil.copy(HOPPER, d / "p1.jpg")
    shutil.copy(HOPPER, d / "IMG_2.HEIC")  # its output: IMG_2.HEIC.unseen.jpg when a JPEG of its stem is beside
    for name in ("p1.unseen.jpg", "IMG_2.HEIC.unseen.jpg", "IMG_2.unseen.jpg", "old.unseen.jpg"):
        shutil.copy(HOPPER, d / name)
    rc, _, err = cli(d, "-o", tmp_path / "out")
    note = [line for line in err.splitlines() if "alone, hidden, linked" in line]
    assert len(note) == 1 and "left 1 " in note[0] and "old.unseen.jpg" in note[0], err


def test_a_cameras_companion_files_are_photos_and_videos(tmp_path, cli):
    """A camera's .THM (a JPEG still of each clip) and a GoPro's .LRV (a low-resolution MP4 of each clip)
    were left alone as "not photos or videos", exit 0: a card's folder looked done (a hunt, 2026-12-06).
    A .thm that is no JPEG (a theme file) is still no photo."""
    from synth import grey_clip

    d = tmp_path / "card"
    d.mkdir()
    shutil.copy(HOPPER, d / "GOPR0001.THM")
    grey_clip(d / "GOPR0001.MP4")
    grey_clip(tmp_path / "low.mp4")
    (tmp_path / "low.mp4").rename(d / "GOPR0001.LRV")
    (d / "dark.thm").write_text("[theme]\nbackground=black\n")
    rc, stdout, err = cli(d, "-o", tmp_path / "pub", "--json")
    assert rc == 0, err
    assert {Path(r["input"]).name: r["status"] for r in _reports(stdout)} == {
        "GOPR0001.THM": "ok", "GOPR0001.MP4": "ok", "GOPR0001.LRV": "ok"}, stdout
    assert sorted(p.name for p in (tmp_path / "pub").iterdir()) == ["GOPR0001.LRV.mp4", "GOPR0001.MP4",
                                                                    "GOPR0001.jpg"]
    assert "1 file(s) alone that are not photos or videos: " in err and "dark.thm" in err


def test_drone_and_360_camera_files_are_photos_and_videos(tmp_path, cli):
    """A DJI drone's .LRF (a low-resolution MP4 of each clip), an Insta360's .insv clip and .insp photo (a
    JPEG) and a GoPro MAX's .360 clip (an MP4) were left alone as "not photos or videos", exit 0 (with -q
    no line at all), faces and GPS in them (a hunt, 2026-12-06). A Sony Reader book (.lrf) is no video."""
    from synth import grey_clip

    d = tmp_path / "card"
    d.mkdir()
    for name in ("DJI_0001.LRF", "VID_0001.insv", "GS010001.360"):
        grey_clip(tmp_path / "clip.mp4")
        (tmp_path / "clip.mp4").rename(d / name)
    shutil.copy(HOPPER, d / "IMG_0001.insp")
    shutil.copy(HOPPER, d / "STEREO_0001.JPS")  # a stereo camera's JPEG (a later hunt, the same day)
    (d / "book.lrf").write_bytes(b"L\x00R\x00F\x00\x00" + bytes(64))
    rc, stdout, err = cli(d, "-o", tmp_path / "pub", "--json")
    assert rc == 0, err
    assert {Path(r["input"]).name: r["status"] for r in _reports(stdout)} == {
        "DJI_0001.LRF": "ok", "VID_0001.insv": "ok", "GS010001.360": "ok", "IMG_0001.insp": "ok",
        "STEREO_0001.JPS": "ok"}, stdout
    assert sorted(p.name for p in (tmp_path / "pub").iterdir()) == ["DJI_0001.mp4", "GS010001.mp4",
                                                                    "IMG_0001.jpg", "STEREO_0001.jpg",
                                                                    "VID_0001.mp4"]
    assert "1 file(s) alone that are not photos or videos: " in err and "book.lrf" in err


def test_cinema_and_action_camera_raws_fail_one_by_one_and_quicktime_is_read(tmp_path, cli):
    """A GoPro's raw photo (.GPR, beside its JPEG), RED and Blackmagic raw clips (.R3D, .braw) were "not photos
    or videos" in a folder run, exit 0, and a QuickTime .qt clip too (a hunt, 2026-12-06)."""
    from synth import grey_clip

    d = tmp_path / "card"
    d.mkdir()
    shutil.copy(HOPPER, d / "GOPR0005.JPG")
    (d / "GOPR0005.GPR").write_bytes(b"II*\0" + bytes(64))
    (d / "A001_C001.R3D").write_bytes(b"RED2" + bytes(64))
    (d / "A002.braw").write_bytes(bytes(64))
    grey_clip(tmp_path / "clip.mp4")
    (tmp_path / "clip.mp4").rename(d / "clip.qt")
    rc, stdout, err = cli(d, "-o", tmp_path / "pub", "--json")
    assert rc == 1, err
    got = {Path(r["input"]).name: (r["status"], r.get("error") or "") for r in _reports(stdout)}
    assert got["GOPR0005.JPG"][0] == got["clip.qt"][0] == "ok", got
    assert got["GOPR0005.GPR"] == ("error", "raw camera file (GPR): unseen does not develop raw photos; export it as "
                                   "JPEG or TIFF first and run unseen on that"), got
    assert all(got[n][0] == "error" and got[n][1].startswith("raw video") for n in ("A001_C001.R3D", "A002.braw"))
    assert "not photos or videos" not in err, err


def test_pdf_scans_fail_one_by_one_and_say_what_to_do(tmp_path, cli, capsys):
    """An archive's PDF scans were "not photos or videos" in a folder run, exit 0 (the run looked done, the
    photos in them never were); named, the line spoke of video containers only (a hunt, 2026-12-06)."""
    d = tmp_path / "scans"
    d.mkdir()
    shutil.copy(HOPPER, d / "print_001.jpg")
    (d / "print_002.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    rc, stdout, err = cli(d, "-o", tmp_path / "pub", "--json")
    assert rc == 1, err
    got = {Path(r["input"]).name: (r["status"], r.get("error") or "") for r in _reports(stdout)}
    assert got["print_001.jpg"][0] == "ok", got
    status, why = got["print_002.pdf"]
    assert status == "error" and why.startswith("PDF document (.pdf): not a photo or video unseen reads"), got
    assert why.endswith("export its pages or the photos in it as PNG or TIFF first"), why
    assert "not photos or videos" not in err, err
    assert not (tmp_path / "pub" / "print_002.pdf").exists()
    from unseen.cli import main

    capsys.readouterr()
    assert main(["inspect", str(d / "print_002.pdf")]) == 1  # inspect said Pillow's "cannot identify image file"
    assert capsys.readouterr().err.strip().endswith(why), why


def test_sidecars_that_tell_where_are_named_apart_by_the_run_and_by_review(tmp_path, cli):
    """A card's .xmp and Takeout .json sidecars, a drone's GPS subtitles (.SRT) and Windows' thumbnail cache
    were among "N file(s) alone that are not photos or videos: a, b, c, ...", three named; nothing said they
    hold locations or that -o did not copy them, and `unseen review` said nothing of what its walk left out
    (a hunt, 2026-12-06)."""
    from web_helpers import StubDetector

    from unseen.cli.common import left_alone
    from unseen.web.server import ReviewServer

    d = tmp_path / "card"
    (d / ".thumbnails").mkdir(parents=True)
    shutil.copy(HOPPER, d / "IMG_0001.JPG")
    shutil.copy(HOPPER, d / ".thumbnails" / "t.jpg")
    sidecars = ["DJI_0001.SRT", "IMG_0001.JPG.json", "IMG_0001.xmp", "Thumbs.db"] + [f"x{i}.xmp" for i in range(6)]
    for name in sidecars + ["notes.txt"]:
        (d / name).write_text("GPS 22.5432 114.0578")
    out = tmp_path / "pub"
    rc, _stdout, err = cli(d, "-o", out)
    assert rc == 0, err
    lines = [line for line in err.splitlines() if "note: left" in line]
    assert len(lines) == 3, err
    assert "left 1 photo(s), video(s) or folder(s) alone" in lines[0] and ".thumbnails" in lines[0]
    assert lines[1].startswith("unseen: note: left 10 sidecar file(s) alone that can tell where, when or who "
                               "(GPS, dates, thumbnails; never publish them beside the outputs): ")
    assert lines[1].endswith(f", and 2 more (none copied into {out})")
    assert all(n in lines[1] for n in ("DJI_0001.SRT", "IMG_0001.JPG.json", "Thumbs.db"))
    assert lines[2] == f"unseen: note: left 1 file(s) alone that are not photos or videos: {d / 'notes.txt'} (none " \
                       f"copied into {out})"
    assert sorted(p.name for p in out.iterdir()) == ["IMG_0001.JPG"]
    srv = ReviewServer([d], detector=StubDetector())
    try:
        assert left_alone(srv.passed, srv.skipped, None)[:2] == [line.replace(f" (none copied into {out})", "")
                                                                 for line in lines[:2]]
    finally:
        srv.stop()


def test_a_path_through_a_link_and_dotdot_names_what_the_system_names(tmp_path, cli, monkeypatch):
    """s/o/link -> ../r/deep, so s/o/link/.. is s/r. A path joined by text took it for s/o: `-o
    s/o/link/../OUT` failed after making s/r/OUT (the temporary file went to s/o/OUT), a video given as
    s/o/link/../v.mp4 was read from s/o, and the Ray engine anonymised s/o/x.jpg for s/o/link/../x.jpg."""
    from kill_helpers import make_clip

    from unseen.engine import cluster
    from unseen.engine.plan import plan
    from unseen.media import ffmpeg

    (tmp_path / "s" / "r" / "deep").mkdir(parents=True)
    (tmp_path / "s" / "o").mkdir()
    (tmp_path / "s" / "o" / "link").symlink_to("../r/deep")
    shutil.copy(GROUP, tmp_path / "s" / "r" / "x.jpg")
    shutil.copy(HOPPER, tmp_path / "s" / "o" / "x.jpg")
    make_clip(tmp_path / "s" / "r" / "v.mp4", 2, (96, 64))
    make_clip(tmp_path / "s" / "o" / "v.mp4", 2, (64, 48))
    monkeypatch.chdir(tmp_path)
    via = Path("s/o/link/..")
    rc, _, err = cli(via / "x.jpg", "-o", via / "OUT", "-q")
    assert rc == 0, err
    assert _rgb(tmp_path / "s" / "r" / "OUT" / "x.jpg").shape == _rgb(GROUP).shape
    assert not (tmp_path / "s" / "o" / "OUT").exists()
    with ffmpeg.open_input(via / "v.mp4") as box:
        assert box.streams.video[0].width == 96
    (job,), _ = plan([via / "x.jpg"], None)
    assert os.path.samefile(cluster._absolute(job).src, tmp_path / "s" / "r" / "x.jpg")


def test_a_video_named_by_its_absolute_path_is_read_when_the_current_folder_is_gone(tmp_path, monkeypatch):
    """FFmpeg's file URL was made by joining the current folder even to an absolute path: with that
    folder deleted, a video failed with "cannot read video: No such file or directory"."""
    from kill_helpers import make_clip

    from unseen.media import ffmpeg

    make_clip(tmp_path / "v.mp4", 2, (64, 48))
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with ffmpeg.open_input(tmp_path / "v.mp4") as box:
        assert box.streams.video[0].width == 64


def test_a_mark_that_could_not_be_written_is_not_left_empty(tmp_path, cli, monkeypatch):
    """On a full disk the output folder's mark was created and not written: the empty file left behind
    made a later run take the folder for one holding earlier outputs."""
    (tmp_path / "d").mkdir()
    shutil.copy(HOPPER, tmp_path / "d" / "x.jpg")
    write_text = Path.write_text

    def full(self, *args, **kwargs):
        if self.name != OUTPUT_FOLDER_MARK:
            return write_text(self, *args, **kwargs)
        self.touch()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    rc, _, err = cli(tmp_path / "d", "-o", tmp_path / "d" / "pub")
    assert rc == 1 and "no space left on device" in err, err
    assert not (tmp_path / "d" / "pub" / OUTPUT_FOLDER_MARK).exists()


def test_a_dvrs_raw_streams_fail_in_a_folder_and_by_name(tmp_path, cli):
    """What a DVR or dashcam exports (a bare .h264/.hevc stream, Dahua's .dav) was passed over as "not
    photos or videos", exit 0, its faces untouched; named with ``-o x.mp4`` it was told "unseen writes
    this photo as .png" (a hunt, 2026-12-06). Each fails in one line, as .mpg clips do."""
    d = tmp_path / "dvr"
    d.mkdir()
    shutil.copy(HOPPER, d / "a.jpg")
    for name in ("ch01.h264", "ch02.hevc", "ch03.dav", "ch04.mjpeg"):
        (d / name).write_bytes(b"\x00\x00\x00\x01\x67" + bytes(2000))
    rc, stdout, err = cli(d, "-o", tmp_path / "out", "--json")
    assert rc == 1, err
    assert {Path(r["input"]).name: r["status"] for r in _reports(stdout)} == {
        "a.jpg": "ok", "ch01.h264": "error", "ch02.hevc": "error", "ch03.dav": "error", "ch04.mjpeg": "error"}
    lines = sorted(line.split(":")[2].strip() for line in err.splitlines() if "not a photo or video" in line)
    assert lines == ["Dahua DVR video (.dav)", "raw H.264 video stream (.h264)", "raw H.265 video stream (.hevc)",
                     "raw MJPEG video stream (.mjpeg)"], err
    assert all("(videos: MP4" in line for line in err.splitlines() if "not a photo or video" in line), err
    rc, _, err = cli(d / "ch01.h264", "-o", tmp_path / "ch01.mp4")
    assert rc == 1 and "raw H.264 video stream (.h264): not a photo or video" in err and ".png" not in err, err
    (tmp_path / "notes.txt").write_text("minutes\n")
    rc, _, err = cli(tmp_path / "notes.txt", "-o", tmp_path / "notes.mp4")
    assert rc == 1 and "not a photo or video unseen reads" in err and ".png" not in err, err


def test_a_sound_recording_and_a_pdf_under_another_name_are_said_for_what_they_are(tmp_path, cli, capsys):
    """A voice memo was told "convert it first" (an MP3 with a cover picture: "GBR image"), though no
    conversion makes it something unseen reads; a PDF a scanner named .tif was "unknown or corrupt" where
    one named .pdf is told to export its pages (a hunt, 2026-12-06). A folder run still leaves sound alone."""
    (tmp_path / "memo.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x01\x20\x00" + bytes(20000))
    (tmp_path / "memo.m4a").write_bytes(bytes(4) + b"ftypM4A " + bytes(2000))
    (tmp_path / "scan.tif").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(2000))
    for name in ("memo.mp3", "memo.m4a"):
        rc, _, err = cli(tmp_path / name, "-o", tmp_path / "out.mp4")
        assert rc == 1 and f"sound recording (.{name[5:]}): not a photo or video" in err, err
        assert "GBR" not in err and "convert it first" not in err and ".png" not in err, err
        from unseen.cli import main

        assert main(["inspect", str(tmp_path / name)]) == 1
        err = capsys.readouterr().err
        assert "sound recording" in err and "cannot read image" not in err, err
    rc, _, err = cli(tmp_path / "scan.tif")
    assert rc == 1 and "PDF document (.tif)" in err and "export its pages" in err, err
    (tmp_path / "d").mkdir()
    shutil.copy(HOPPER, tmp_path / "d" / "a.jpg")
    (tmp_path / "memo.mp3").rename(tmp_path / "d" / "memo.mp3")
    rc, _, err = cli(tmp_path / "d", "-o", tmp_path / "pub")
    assert rc == 0 and "memo.mp3" in err and "sound recording" not in err, err


def test_a_dvrs_mjpeg_stream_is_no_photo_of_its_first_frame(tmp_path, cli):
    """A bare MJPEG stream is JPEGs one after another: Pillow opens the first, and a folder run wrote one
    photo of it, exit 0, the clip reported done (an adversarial review, 2026-12-06). Refused by its name."""
    d = tmp_path / "dvr"
    d.mkdir()
    jpeg = HOPPER.read_bytes()
    (d / "cam.mjpeg").write_bytes(jpeg * 3)
    rc, stdout, err = cli(d, "-o", tmp_path / "out", "--json")
    assert rc == 1 and {Path(r["input"]).name: r["status"] for r in _reports(stdout)} == {"cam.mjpeg": "error"}
    assert "raw MJPEG video stream (.mjpeg): not a photo or video" in err, err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_folder_reads_apng_and_fails_other_picture_forms_one_line_each(tmp_path, cli):
    """A folder's animated PNG named .apng was passed over as "not photos or videos" although unseen reads
    it by name, and so were a TGA, an OpenEXR and an EPS it cannot read: exit 0, a run that looked done
    (a hunt, 2026-12-06). Named alone, the TGA was called a "CUR image". The refused TGA also claimed the
    name face.png, so the APNG's output became face.apng.png."""
    d = tmp_path / "in"
    d.mkdir()
    hopper = Image.open(HOPPER).convert("RGB")
    hopper.save(d / "face.apng", format="PNG", save_all=True, append_images=[hopper.rotate(180)])
    hopper.save(d / "face.tga")
    (d / "scan.exr").write_bytes(b"\x76\x2f\x31\x01" + bytes(400))
    (d / "poster.eps").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n" + bytes(400))
    rc, stdout, err = cli(d, "-o", tmp_path / "out", "--json")
    assert rc == 1, err
    assert {Path(r["input"]).name: r["status"] for r in _reports(stdout)} == {
        "face.apng": "ok", "face.tga": "error", "scan.exr": "error", "poster.eps": "error"}, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["face.png"]
    said = sorted(line.split(": ", 2)[2] for line in err.splitlines() if "not a photo or video" in line)
    assert [s.split(":")[0] for s in said] == ["OpenEXR image (.exr)", "PostScript document (.eps)",
                                              "TGA image (.tga)"], err
    assert "(photos: JPEG" in said[2] and "CUR" not in err, err
