"""End-to-end photo tests on real photos: faces covered, styles, no metadata, orientation, fail-closed."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, GROUP, ROOT, changed_fraction, covered_fraction, dlib_boxes, run, shared_path
from PIL import Image, ImageSequence

from unseen import raster
from unseen.media import image as image_io


def rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_every_labelled_face_is_covered(group: Path):
    assert run(group, "-q") == 0
    out = group.with_name("group.unseen.jpg")
    a, b = rgb(group), rgb(out)
    for box in dlib_boxes(GROUP.name):
        assert changed_fraction(a, b, box) >= 0.9, box
    # and the picture is otherwise intact: far less than half the image changed
    assert (np.abs(a.astype(int) - b.astype(int)).max(-1) > 24).mean() < 0.35


@pytest.mark.parametrize(("name", "dither"), [(GROUP.name, "1-bit PNG"), ("2008_007676.jpg", "1-bit PNG"),
                                             (GROUP.name, "2-colour GIF"), (GROUP.name, "4-colour GIF"),
                                             ("2008_007676.jpg", "4-colour GIF")])
def test_every_labelled_face_of_a_dithered_photo_is_covered(tmp_path: Path, name: str, dither: str):
    """A dithered picture's faces are patterns of dots: on dlib's example photos dithered to 1 bit, 2 and 4
    colours, 10, 10 and 13 of 14 labelled faces were covered (found by a hunt, 2026-12-04). Such a picture is
    also searched smoothed (``raster.few_colours``, ``raster.smoothed``). (The dark 2008_007676 in two colours
    is left out: one of its faces comes out a flat silhouette, which no detector is asked to find.)"""
    photo = Image.open(FIXTURES / name).convert("RGB")
    src = tmp_path / ("d.png" if dither == "1-bit PNG" else "d.gif")
    if dither == "1-bit PNG":
        photo.convert("1").save(src)
    else:
        photo.quantize(int(dither[0]), dither=Image.Dither.FLOYDSTEINBERG).save(src)
    assert run(src, "-o", tmp_path / "out", "-q", "--cover", "faces") == 0
    a, b = rgb(src), rgb(next((tmp_path / "out").iterdir()))
    shown = [box for box in dlib_boxes(name) if covered_fraction(a, b, box) < 0.9]
    assert not shown


def _halftone_placard_covered(tmp_path: Path, face: int, width: int, spacing: int, scene_size: tuple[int, int],
                              at: tuple[int, int]) -> float:
    """The group photo's ``face`` printed in halftone (a face ``width`` px wide, a dot every ``spacing`` px) on
    a card over another photo resized to ``scene_size``, at ``at`` (x, y); the share of its face box the
    faces-only output changed."""
    from PIL import ImageOps
    from synth import halftone

    x, y, w, h = dlib_boxes(GROUP.name)[face]
    crop = ImageOps.autocontrast(Image.open(GROUP).convert("RGB").crop((x - w // 2, y - h // 2, x + w + w // 2,
                                                                       y + h + h // 2)), cutoff=1)
    k = width / w
    card = halftone(np.asarray(crop.resize((int(crop.width * k), int(crop.height * k)), Image.Resampling.LANCZOS)),
                    spacing)
    scene = np.asarray(Image.open(FIXTURES / "2008_007676.jpg").convert("RGB").resize(scene_size)).copy()
    scene[at[1] : at[1] + card.shape[0], at[0] : at[0] + card.shape[1]] = card
    src = tmp_path / "placard.png"
    Image.fromarray(scene).save(src)
    assert run(src, "-o", tmp_path / "out.png", "-q", "--cover", "faces") == 0
    box = (at[0] + int(w * k / 2), at[1] + int(h * k / 2), int(w * k), int(h * k))
    return changed_fraction(scene, rgb(tmp_path / "out.png"), box)


@pytest.mark.parametrize("face", [0, 2, 4, 5])
def test_a_portrait_printed_in_halftone_on_a_placard_is_covered(tmp_path: Path, face: int):
    """A newspaper-printed portrait held up in a crowd (the missing, the detained): the detectors saw its
    dots, not its face, and 10 of 12 such placards stayed uncovered in a hunt (the same portraits in plain
    grey: none). The self-check also looks at the picture shrunk and blurred (``ensemble.DOTS``). A face 90
    px wide, printed with a dot every 6 px."""
    assert _halftone_placard_covered(tmp_path, face, 90, 6, (1000, 668), (420, 300)) > 0.8


@pytest.mark.parametrize("face", [0, 2])
def test_a_halftone_portrait_held_close_to_the_camera_is_covered(tmp_path: Path, face: int):
    """The same placard held close: a face 200 px wide printed with a dot every 13 px. At half size and
    blurred the dots still showed, and such faces stayed uncovered (a hunt, 2026-12-05: dots 12-18 px
    apart, faces of 130-260 px); the self-check also looks at a quarter of the size (``ensemble.COARSE_DOTS``)."""
    assert _halftone_placard_covered(tmp_path, face, 200, 13, (1600, 1068), (700, 400)) > 0.8


def test_a_photo_saved_at_the_lowest_jpeg_quality_is_searched_smoothed(tmp_path: Path):
    """The group photo saved at JPEG quality 3, a mosaic of 8 x 8 blocks: 1 of its 6 labelled faces was covered.
    Such a picture is also searched smoothed (``raster.blocky``); the photo as committed is not taken for one."""
    buf = io.BytesIO()
    Image.open(GROUP).convert("RGB").save(buf, "JPEG", quality=3)
    src = tmp_path / "q3.jpg"
    src.write_bytes(buf.getvalue())
    assert run(src, "-o", tmp_path / "out.jpg", "-q", "--cover", "faces") == 0
    a, b = rgb(src), rgb(tmp_path / "out.jpg")
    assert sum(covered_fraction(a, b, box) >= 0.9 for box in dlib_boxes(GROUP.name)) >= 5
    assert raster.blocky(a) and not raster.blocky(rgb(GROUP))


def test_a_photo_in_dense_haze_is_searched_with_its_contrast_stretched(tmp_path: Path):
    """Fog, smoke, tear gas: faces still recognisable under 80-90% of a light grey scored just under the
    detectors' threshold and stayed uncovered (a hunt, 2026-12-05). The group photo under 92% haze: 4 of its
    6 labelled faces were covered. A hazy picture is also searched stretched (``raster.hazy``,
    ``raster.stretched``); the photo as committed is not taken for one."""
    buf = io.BytesIO()
    hazed = np.asarray(Image.open(GROUP).convert("RGB")) * 0.08 + 210 * 0.92
    Image.fromarray(np.rint(hazed).astype(np.uint8)).save(buf, "JPEG", quality=85)
    src = tmp_path / "haze.jpg"
    src.write_bytes(buf.getvalue())
    assert run(src, "-o", tmp_path / "out.jpg", "-q", "--cover", "faces") == 0
    a, b = rgb(src), rgb(tmp_path / "out.jpg")
    assert [covered_fraction(a, b, box) > 0.8 for box in dlib_boxes(GROUP.name)] == [True] * 6
    assert raster.hazy(a) and not raster.hazy(rgb(GROUP))


@pytest.mark.parametrize("levels", [3, 5, 7, 11])
def test_a_photo_held_dark_is_searched_with_its_contrast_stretched(tmp_path: Path, levels: int):
    """A photo in levels 0-7 looks black on a screen, and a levels stretch brings back every face: the group
    photo scaled into 0-5 and 0-7 had none of its faces covered, 0-11 all but one (a hunt, 2026-12-06). A dark
    picture is searched stretched too (``raster.squeezed``); the photo as committed is not taken for one."""
    dark = (np.asarray(Image.open(GROUP).convert("RGB")).astype(np.uint16) * levels + 127) // 255
    src = tmp_path / "dark.png"
    Image.fromarray(dark.astype(np.uint8)).save(src)
    assert run(src, "-o", tmp_path / "out.png", "-q", "--cover", "faces") == 0
    a, b = rgb(src), rgb(tmp_path / "out.png")
    assert [covered_fraction(a, b, box) > 0.8 for box in dlib_boxes(GROUP.name)] == [True] * 6
    assert raster.squeezed(a) and not raster.squeezed(rgb(GROUP))


def test_a_big_face_in_a_jpeg_of_quality_5_is_covered(tmp_path: Path):
    """insightface's blur.jpg (a 228 px face) saved at quality 5: the face came out whole, not one pixel of it
    covered (a hunt, 2026-12-05)."""
    src = tmp_path / "q5.jpg"
    Image.open(shared_path("insightface_deepinsight/cpp-package/inspireface/test_res/data/bulk/blur.jpg")).convert(
        "RGB").save(src, "JPEG", quality=5)
    assert run(src, "-o", tmp_path / "out.jpg", "-q", "--cover", "faces") == 0
    assert covered_fraction(rgb(src), rgb(tmp_path / "out.jpg"), (146, 21, 228, 273)) >= 0.95


@pytest.mark.parametrize("side", [1600, 2000])
def test_a_face_filling_most_of_a_photo_is_covered_whole(tmp_path: Path, side: int):
    """A close-up: the group photo's largest face cut out so it fills 70% of a square photo of 1600 or 2000 px.
    CenterFace at native size returned it in pieces and the mask left the jaw and a cheek (88% and 91% of the
    labelled box); the overview pass (``ensemble.OVERVIEW``) finds it whole."""
    x, y, w, h = max(dlib_boxes(GROUP.name), key=lambda b: b[2] * b[3])
    crop = w / 0.7
    left, top = round(x + w / 2 - crop / 2), round(y + h / 2 - crop / 2)
    src = tmp_path / "close.png"
    Image.open(GROUP).convert("RGB").crop((left, top, left + round(crop), top + round(crop))).resize(
        (side, side), Image.LANCZOS).save(src)
    assert run(src, "-o", tmp_path / "out.png", "-q", "--cover", "faces") == 0
    k = side / round(crop)
    box = (round((x - left) * k), round((y - top) * k), round(w * k), round(h * k))
    assert covered_fraction(rgb(src), rgb(tmp_path / "out.png"), box) >= 0.95


def test_big_faces_of_real_portraits_are_covered_whole():
    """Three real portraits (face_recognition's examples, ../shared/data) cut so the face fills 70% and 100% of
    the frame, enlarged to 2000 px: the middle of each face covered (before the overview pass, eyes and a mouth
    corner came out as grey dots on some, with the jaw and cheeks around them)."""
    from unseen import Options, anonymize_image

    folder = shared_path("face_recognition_ageitgey/examples")
    faces = {"obama.jpg": (384, 109, 594, 406), "biden.jpg": (434, 180, 708, 561),
             "lin-manuel-miranda.png": (266, 152, 533, 484)}  # (x0, y0, x1, y1) of each face, by eye
    shown = []
    for name, (x0, y0, x1, y1) in faces.items():
        photo = Image.open(folder / name).convert("RGB")
        cx, cy, size = (x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0)
        for fill in (0.7, 1.0):
            side = size / fill
            picture = np.asarray(photo.crop((round(cx - side / 2), round(cy - side / 2), round(cx + side / 2),
                                             round(cy + side / 2))).resize((2000, 2000), Image.LANCZOS))
            out, _ = anonymize_image(picture, Options(cover=("face",)))
            m = round(2000 * 0.3 * fill)  # the middle 60% of the face, around the picture's centre
            middle = out[1000 - m : 1000 + m, 1000 - m : 1000 + m].astype(int)
            if ((np.abs(middle - 128).max(-1) <= 8).mean()) < 0.9:
                shown.append((name, fill))
    assert not shown


@pytest.mark.parametrize("style", ["fill", "noise", "pixelate", "blur"])
def test_styles_cover_faces(group: Path, style: str, capsys):
    assert run(group, "--style", style, "-o", group.parent / "out") == 0
    err = capsys.readouterr().err
    if style in ("pixelate", "blur"):
        assert "warning" in err and "reverse" in err
        assert "each plate and text it covers" in err  # the style covers them too (a hunt, 2026-12-06)
    else:
        assert "warning" not in err
    a, b = rgb(group), rgb(group.parent / "out" / "group.jpg")
    fractions = [changed_fraction(a, b, box, tol=8) for box in dlib_boxes(GROUP.name)]
    assert min(fractions) >= 0.6, fractions


def test_noise_is_not_derived_from_the_face(group: Path):
    """Two runs give different noise: the content is random, not a function of the face."""
    run(group, "--style", "noise", "-o", group.parent / "a")
    run(group, "--style", "noise", "-o", group.parent / "b")
    x, y, w, h = dlib_boxes(GROUP.name)[0]
    a = rgb(group.parent / "a" / "group.jpg")[y : y + h, x : x + w]
    b = rgb(group.parent / "b" / "group.jpg")[y : y + h, x : x + w]
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 40


def _tag_file(exiftool: str, path: Path, thumb: Path) -> None:
    subprocess.run(
        [exiftool, "-q", "-overwrite_original", "-GPSLatitude=52.52", "-GPSLatitudeRef=N",
         "-GPSLongitude=13.40", "-GPSLongitudeRef=E", "-Make=TestCam", "-Model=X100",
         "-SerialNumber=SN123456", "-Artist=Jane Reporter", "-Copyright=Jane Reporter",
         "-XMP:Creator=Jane Reporter", "-IPTC:By-line=Jane Reporter", "-Comment=secret note",
         "-DateTimeOriginal=2026:05:01 12:00:00", f"-ThumbnailImage<={thumb}", str(path)],
        check=True,
    )


IDENTIFYING_GROUPS = ("EXIF", "IFD0", "ExifIFD", "GPS", "XMP", "IPTC", "MakerNotes", "ICC_Profile",
                      "Photoshop", "IFD1", "Comment", "PNG", "MPF")


def exif_groups(exiftool: str, path: Path) -> dict:
    out = subprocess.run([exiftool, "-j", "-G1", "-a", str(path)], capture_output=True, text=True, check=True)
    tags = json.loads(out.stdout)[0]
    return {k: v for k, v in tags.items() if k.split(":")[0].startswith(IDENTIFYING_GROUPS)
            or "Thumbnail" in k or "Preview" in k or k.endswith(":Comment")}


def test_metadata_and_face_thumbnail_are_gone(group: Path, exiftool: str, capsys):
    thumb = group.parent / "thumb.jpg"
    Image.open(group).resize((160, 106)).save(thumb)
    _tag_file(exiftool, group, thumb)
    assert exif_groups(exiftool, group)  # the input really leaks
    assert run("inspect", group, "--json") == 0
    found = json.loads(capsys.readouterr().out)
    assert found["gps"]["position"].startswith("52.52")
    assert found["device"]["Make"] == "TestCam"
    assert found["thumbnails"] and found["thumbnails"][0]["face"] is True
    assert run(group, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert "GPS" in report["metadata_dropped"] and "EXIF thumbnail" in report["metadata_dropped"]
    out = Path(report["output"])
    assert exif_groups(exiftool, out) == {}
    raw = out.read_bytes()
    for needle in (b"TestCam", b"Jane Reporter", b"secret note", b"SN123456", b"Exif\0"):
        assert needle not in raw


@pytest.mark.parametrize("orientation", range(2, 9))
def test_exif_orientation_is_applied(orientation: int):
    upright = image_io.read(FIXTURES / "hopper" / "hopper.jpg").frames[0].astype(int)
    rotated = image_io.read(FIXTURES / "hopper" / f"hopper_orientation_{orientation}.jpg").frames[0].astype(int)
    assert rotated.shape == upright.shape
    assert np.abs(rotated - upright).mean() < 6  # same picture, only JPEG noise apart


def test_orientation_baked_into_output(tmp_path: Path, exiftool: str):
    src = tmp_path / "h.jpg"
    shutil.copy(FIXTURES / "hopper" / "hopper_orientation_6.jpg", src)
    assert run(src, "-q") == 0
    out = tmp_path / "h.unseen.jpg"
    stored = Image.open(FIXTURES / "hopper" / "hopper_orientation_6.jpg").size
    assert Image.open(out).size == stored[::-1]
    assert "IFD0:Orientation" not in exif_groups(exiftool, out)


def test_shared_photo_with_thumbnail(tmp_path: Path, exiftool: str):
    src = shared_path("face_recognition_ageitgey/examples/obama.jpg")
    dst = tmp_path / "out"
    assert run(src, "-o", dst, "-q") == 0
    assert exif_groups(exiftool, dst / "obama.jpg") == {}


def test_existing_output_not_overwritten(group: Path, capsys):
    out = group.with_name("group.unseen.jpg")
    out.write_bytes(b"keep me")
    assert run(group) == 1
    assert out.read_bytes() == b"keep me"
    assert "exists" in capsys.readouterr().err
    assert run(group, "--force", "-q") == 0
    assert out.read_bytes() != b"keep me"


def test_input_never_modified(group: Path):
    before = group.read_bytes()
    run(group, "-q")
    assert group.read_bytes() == before


def test_output_dir_keeps_relative_paths(tmp_path: Path):
    src = tmp_path / "in" / "day1"
    src.mkdir(parents=True)
    shutil.copy(GROUP, src / "a.jpg")
    shutil.copy(FIXTURES / "hopper" / "hopper.jpg", tmp_path / "in" / "b.jpg")
    assert run(tmp_path / "in", "-o", tmp_path / "out", "-q") == 0
    assert (tmp_path / "out" / "day1" / "a.jpg").is_file()
    assert (tmp_path / "out" / "b.jpg").is_file()
    # a second run over the same folder skips nothing new and refuses to overwrite
    assert run(tmp_path / "in", "-o", tmp_path / "out", "-q") == 1


def test_one_file_with_an_output_file_name(group: Path, capsys):
    """``unseen in.jpg -o out.jpg`` writes out.jpg (a folder named out.jpg holding in.jpg surprised a
    user); a name with another format's extension is one line saying which, and nothing is written."""
    d = group.parent
    assert run(group, "-o", d / "out.jpg", "-q") == 0
    assert (d / "out.jpg").is_file() and Image.open(d / "out.jpg").format == "JPEG"
    assert run(group, "-o", d / "sub" / "b.JPEG", "-q") == 0 and (d / "sub" / "b.JPEG").is_file()
    capsys.readouterr()
    assert run(group, "-o", d / "c.png", "-q") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "writes this photo as .jpg; name the output c.jpg" in err[0]
    assert not (d / "c.png").exists()
    assert run(group, "-o", d / "out.jpg", "-q") == 1  # exists: kept without --force
    assert run(group, "-o", group, "-q") == 1 and "overwrite the input" in capsys.readouterr().err
    (d / "dir.jpg").mkdir()  # an existing folder stays a folder
    assert run(group, "-o", d / "dir.jpg", "-q") == 0 and (d / "dir.jpg" / group.name).is_file()
    # --rename hides the input's name; a name given with -o is already the user's own: it is the file
    assert run(group, "-o", d / "given.jpg", "--rename", "-q") == 0 and (d / "given.jpg").is_file()


def test_folder_run_skips_own_outputs(tmp_path: Path, capsys):
    shutil.copy(GROUP, tmp_path / "a.jpg")
    assert run(tmp_path, "--json") == 0
    assert run(tmp_path, "--json", "--force") == 0
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["input"]).name for r in reports] == ["a.jpg", "a.jpg"]


def test_failure_is_atomic(group: Path, monkeypatch, capsys):
    from unseen.errors import UnseenError
    from unseen.media import image_write

    def broken(*_a, **_k):
        raise UnseenError("simulated encoder failure")

    monkeypatch.setattr(image_write, "encode_planes", broken)
    assert run(group) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"unseen: {group}: simulated encoder failure"]
    assert sorted(p.name for p in group.parent.iterdir()) == ["group.jpg"]


def test_exit_codes(group: Path, tmp_path: Path, capsys):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"this is not a photo")
    assert run(group, bad, "-q") == 1
    assert group.with_name("group.unseen.jpg").exists() and not (tmp_path / "bad.unseen.jpg").exists()
    assert capsys.readouterr().err.strip() .startswith(f"unseen: {bad}: ")
    with pytest.raises(SystemExit) as e:
        run(group, "--style", "sparkles")
    assert e.value.code == 2
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:  # taken without a word, it read as if a check ran (a hunt, 2026-12-06)
        run(group, "--verify-every", "2")
    assert e.value.code == 2 and "add --verify" in capsys.readouterr().err
    assert run(tmp_path / "missing.jpg") == 1


def test_python_dash_m_unseen_is_the_command(group: Path, tmp_path: Path):
    """``python -m unseen`` runs the command line (exit codes and the one-line error included)."""
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"this is not a photo")
    proc = subprocess.run([sys.executable, "-m", "unseen", str(group), str(bad), "-q"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert group.with_name("group.unseen.jpg").exists()
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"unseen: {bad}: "), proc.stderr


QUICK_EXIT_CHILD = """\
import atexit, sys
atexit.register(print, "exit handler ran")
class Late:
    def __del__(self):
        print("teardown ran")
late = Late()
from unseen.cli import run
sys.argv[1:] = {args!r}
run()
"""


def test_the_command_ends_without_teardown_but_keeps_its_words(group: Path, tmp_path: Path):
    """After a run (exit code 0 or 1) the command skips the interpreter's teardown (``cli.run``, ~35 ms
    of every run). What it printed to a pipe (the JSON reports on stdout, buffered: the child runs without
    PYTHONUNBUFFERED; the error line), the exit handlers (a review page's or a Ray cluster's clean-up), the
    exit code and the outputs survive; no temporary file is left."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    out = tmp_path / "out"
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"this is not a photo")
    for files, rc in (([group], 0), ([group, bad], 1)):
        args = [*map(str, files), "-o", str(out), "--force", "--json"]
        proc = subprocess.run([sys.executable, "-c", QUICK_EXIT_CHILD.format(args=args)], capture_output=True,
                              text=True, timeout=300, env=env)
        assert proc.returncode == rc, proc.stderr
        lines = proc.stdout.splitlines()
        assert [json.loads(x)["input"] for x in lines[:-1]] == [str(f) for f in files], proc.stdout
        assert lines[-1] == "exit handler ran" and "teardown ran" not in lines, proc.stdout
        assert (f"unseen: {bad}: " in proc.stderr) == (rc == 1), proc.stderr
        assert [p.name for p in out.iterdir()] == ["group.jpg"]
        assert rgb(out / "group.jpg").shape == rgb(group).shape
    from importlib.metadata import entry_points

    (command,) = (e for e in entry_points(group="console_scripts") if e.name == "unseen")
    assert command.value == "unseen.cli:run"  # the installed `unseen` ends this way too


BLAS_CHILD = """\
import atexit, ctypes, os, sys
import unseen.cli
before = "numpy" in sys.modules
def blas_threads():
    libs = sorted({{line.split()[-1] for line in open("/proc/self/maps") if "openblas" in line.lower()}})
    for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads", "openblas_get_num_threads"):
        for lib in libs:
            fn = getattr(ctypes.CDLL(lib), name, None)
            if fn is not None:
                return fn()
    return None
atexit.register(lambda: print(before, os.environ.get("OPENBLAS_NUM_THREADS"), blas_threads()))
sys.argv[1:] = {args!r}
unseen.cli.run()
"""


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the loaded libraries from /proc")
def test_the_command_runs_numpy_blas_on_one_thread(group: Path, tmp_path: Path):
    """The command asks numpy's OpenBLAS for one thread (``cli.BLAS_THREADS``: ~0.1 s of CPU per run
    saved), which only works if nothing imports numpy before ``cli.run`` does; a user's own setting
    wins."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS")}
    args = [str(group), "-o", str(tmp_path / "out"), "--force", "-q", "--cover", "faces"]
    for extra, want in (({}, "1"), ({"OPENBLAS_NUM_THREADS": "2"}, "2")):
        proc = subprocess.run([sys.executable, "-c", BLAS_CHILD.format(args=args)], capture_output=True, text=True,
                              timeout=300, env={**env, **extra})
        assert proc.returncode == 0, proc.stderr
        loaded_before, setting, threads = proc.stdout.split()
        assert loaded_before == "False"  # importing unseen.cli (hence unseen) does not load numpy
        assert setting == want
        if threads == "None":
            pytest.skip("numpy's OpenBLAS does not say how many threads it runs")
        assert threads == want


def test_boxes_file_adds_regions(group: Path, tmp_path: Path):
    boxes = tmp_path / "boxes.json"
    boxes.write_text(json.dumps({"version": 1, "regions": [{"x": 5, "y": 5, "w": 40, "h": 30}]}))
    assert run(group, "--boxes", boxes, "-q") == 0
    a, b = rgb(group), rgb(group.with_name("group.unseen.jpg"))
    assert changed_fraction(a, b, (5, 5, 40, 30)) > 0.9
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(SystemExit) as usage:  # a usage error (exit 2) for the whole run, as docs/BOXES.md says
        run(group, "--boxes", bad, "--force")
    assert usage.value.code == 2


def test_boxes_drawn_on_another_size_or_outside_the_picture_fail_the_file(group: Path, tmp_path: Path, capsys):
    """Regions marked on a resized copy landed elsewhere (or nowhere) while the report counted them as
    covered, exit 0: BOXES.md's own example, whose regions lie outside a 500 x 332 photo, said "2 added
    region(s) covered"."""
    w, h = Image.open(group).size
    cases = {"size": ({"width": 4000, "height": 3000}, [{"x": 5, "y": 5, "w": 40, "h": 30}], "drawn on a 4000x3000"),
             "outside": ({}, [{"x": 5, "y": 5, "w": 40, "h": 30}, {"x": 1200, "y": 340, "w": 60, "h": 72}],
                         "lies outside"),
             "fits": ({"width": w, "height": h}, [{"x": 5, "y": 5, "w": 40, "h": 30}, {"x": w - 10, "y": 0, "w": 60,
                                                                                        "h": 40}], None)}
    for name, (size, regions, said) in cases.items():
        boxes = tmp_path / f"{name}.json"
        boxes.write_text(json.dumps({"version": 1, **size, "regions": regions}))
        out = tmp_path / f"{name}.jpg"
        code = run(group, "--boxes", boxes, "-o", out, "-q", "--cover", "faces")
        err = capsys.readouterr().err
        assert (code, out.exists()) == ((0, True) if said is None else (1, False)), name
        assert said is None or (said in err and len(err.strip().splitlines()) == 1), err


def test_a_boxes_region_of_huge_numbers_covers_what_it_spans(tmp_path: Path, capsys):
    """Finite numbers past float32's range (1e39, 1e300) became inf and NaN in the stored box: the region
    covered nothing while the report counted it, and the run exited 0. An integer of 5000 digits was a
    traceback."""
    y, x = np.mgrid[0:150, 0:200]
    src = tmp_path / "grad.png"
    Image.fromarray(np.stack([x, y, (x + y) // 2], 2).astype(np.uint8)).save(src)
    for i, region in enumerate(({"x": 0, "y": 0, "w": 1e300, "h": 1e300}, {"x": -1e39, "y": 0, "w": 2e39, "h": 150})):
        boxes = tmp_path / f"b{i}.json"
        boxes.write_text(json.dumps({"version": 1, "regions": [region]}))
        assert run(src, "--boxes", boxes, "--cover", "faces", "--no-self-check", "-q", "--force") == 0
        assert (rgb(src) != rgb(src.with_name("grad.unseen.png"))).any(2).mean() > 0.99
    assert "RuntimeWarning" not in capsys.readouterr().err
    huge = tmp_path / "huge.json"
    huge.write_text('{"regions": [{"x": 1' + "0" * 5000 + ', "y": 0, "w": 10, "h": 10}]}')
    with pytest.raises(SystemExit) as usage:
        run(src, "--boxes", huge, "--force")
    assert usage.value.code == 2 and "not valid JSON" in capsys.readouterr().err


def test_the_summary_line_counts_what_the_self_check_covered(tmp_path: Path, capsys):
    """With an empty boxes file in mode only, the self-check alone covers the group's faces: the line said
    "nothing found to cover" over a photo whose six faces it had covered."""
    boxes = tmp_path / "b.json"
    boxes.write_text('{"version": 1, "mode": "only", "regions": []}')
    assert run(GROUP, "-o", tmp_path / "o.jpg", "--boxes", boxes) == 0
    line = capsys.readouterr().err
    assert "region(s) found by the self-check covered" in line and "nothing found" not in line, line
    assert all(changed_fraction(rgb(GROUP), rgb(tmp_path / "o.jpg"), box) > 0.9 for box in dlib_boxes(GROUP.name))


def test_formats_round_trip(tmp_path: Path):
    base = Image.open(GROUP)
    for ext, fmt in ((".png", "PNG"), (".webp", "WEBP"), (".tif", "TIFF"), (".bmp", "BMP")):
        p = tmp_path / f"g{ext}"
        base.save(p, fmt)
        assert run(p, "-q") == 0, ext
        out = tmp_path / f"g.unseen{ext}"
        assert Image.open(out).format == fmt
    # HEIC becomes JPEG
    import pillow_heif

    heic = tmp_path / "g.heic"
    pillow_heif.from_pillow(base).save(heic)
    assert run(heic, "-q") == 0
    assert Image.open(tmp_path / "g.unseen.jpg").format == "JPEG"


def test_a_bmp_whose_alpha_is_zero_everywhere_is_taken_as_opaque(tmp_path: Path):
    """A 32-bit BMP (BITMAPV4HEADER, an alpha mask) whose fourth byte its writer left at 0: viewers show the
    picture; unseen took it as fully transparent and wrote a black BMP, faces 0, exit 0 (a hunt, 2026-12-06)."""
    import struct

    base = np.asarray(Image.open(GROUP).convert("RGB"))
    h, w = base.shape[:2]
    bgra = np.zeros((h, w, 4), np.uint8)
    bgra[..., :3] = base[..., ::-1]
    pixels = bgra[::-1].tobytes()  # bottom-up rows
    v4 = struct.pack("<IiiHHIIiiII", 108, w, h, 1, 32, 3, len(pixels), 2835, 2835, 0, 0)
    v4 += struct.pack("<IIII", 0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000) + b"BGRs" + bytes(36 + 12)
    src = tmp_path / "scan.bmp"
    src.write_bytes(b"BM" + struct.pack("<IHHI", 14 + 108 + len(pixels), 0, 0, 14 + 108) + v4 + pixels)
    assert Image.open(src).mode == "RGBA"
    assert run(src, "-o", tmp_path / "o.bmp", "-q") == 0
    out = rgb(tmp_path / "o.bmp")
    assert np.abs(out.astype(int) - base).mean() < 20  # the picture, not black
    assert all(changed_fraction(base, out, box) > 0.9 for box in dlib_boxes(GROUP.name))


def test_png_stays_lossless_outside_masks(tmp_path: Path):
    """Every pixel outside the regions the run covered is the input's, bit for bit. The regions come from
    the same detection in process; the masks are drawn inside their boxes. (Until the self-check looked
    at turned copies this checked the left strip only: its balloon, "I LOVE YOU", beside the plate mask
    is now taken for a face on its side at 0.55 and covered.)"""
    from unseen.engine.image import cover
    from unseen.options import Options

    p = tmp_path / "g.png"
    Image.open(GROUP).save(p)
    assert run(p, "-q") == 0
    a, b = rgb(p), rgb(tmp_path / "g.unseen.png")
    assert ((a != b).any(-1)).mean() < 0.35
    options = Options()
    covered = cover(a, options.make_detector(), options).regions
    outside = np.ones(a.shape[:2], bool)
    for x1, y1, x2, y2 in covered.boxes:
        outside[int(y1) : int(np.ceil(y2)), int(x1) : int(np.ceil(x2))] = False
    assert outside.mean() > 0.5
    assert (a[outside] == b[outside]).all()
    assert (a[:, -10:] == b[:, -10:]).all()  # the right strip: no face, no text


@pytest.mark.parametrize("kind", ["plain", "icc", "animated"])
def test_a_lossless_webp_stays_lossless(tmp_path: Path, kind: str):
    """Its first 64 bytes were searched for the lossless bitstream's tag: behind an ICC profile or an
    animation's headers it was not found, and the file came out lossy."""
    from PIL import ImageCms

    a = Image.open(GROUP).convert("RGB")
    extra = {"icc": {"icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()},
             "animated": {"save_all": True, "append_images": [a.transpose(Image.Transpose.FLIP_LEFT_RIGHT)],
                          "duration": 100},
             "plain": {}}[kind]
    p = tmp_path / "g.webp"
    a.save(p, lossless=True, **extra)
    assert image_io.read(p).lossless
    assert run(p, "-q", "--cover", "faces") == 0
    data = (tmp_path / "g.unseen.webp").read_bytes()
    assert b"VP8L" in data and b"VP8 " not in data
    a.save(tmp_path / "lossy.webp", quality=80)
    assert not image_io.read(tmp_path / "lossy.webp").lossless


def test_a_webp_whose_frames_are_alike_once_masked_is_written_and_verified(tmp_path: Path, detector):
    """WebP gives a frame's duration only once the frame is decoded: the re-read took every frame of
    a folded WebP for 100 ms and refused it ("output is (500, 332) x3, expected (500, 332) x4").
    Frames 1 and 2 differ only inside a face, so they are alike once masked and the writer folds them."""
    from unseen.engine.image import cover_decoded, encode_checked
    from unseen.options import Options
    from unseen.verify import verify_pixels

    pytest.importorskip("dlib", reason="verify needs unseen[verify]")
    a = np.asarray(Image.open(GROUP).convert("RGB"))
    regions = detector.detect(a)
    x0, y0, x1, y1 = regions.boxes[0].astype(int)
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    inside = a.copy()
    inside[cy - 2:cy + 2, cx - 2:cx + 2] ^= 255  # inside the first face: masked away
    corner = a.copy()
    corner[:4, :4] ^= 255  # outside every face: stays a frame of its own
    p = tmp_path / "anim.webp"
    Image.fromarray(a).save(p, save_all=True, append_images=[Image.fromarray(inside), Image.fromarray(corner)],
                            duration=[100, 200, 300], loop=0, lossless=True)
    assert Image.open(p).n_frames == 3
    img = image_io.read(p)
    options = Options(self_check=False)
    masked = cover_decoded(img, detector, options, detected=regions)  # the same regions on every frame
    notes: list[str] = []
    data = encode_checked(img, masked, notes)
    assert notes == ["1 of 3 frames the same as the frame before them once masked: written as that frame, "
                     "shown as long"]
    out = Image.open(io.BytesIO(data))
    assert out.n_frames == 2
    assert [image_io.frame_ms(f) for f in ImageSequence.Iterator(out)] == [300, 300]
    assert verify_pixels(img.frames, data, img.output_format, ("face",), img.durations)["verdict"] == "pass"


def test_decompression_bomb_refused(tmp_path: Path, capsys):
    p = tmp_path / "big.png"
    Image.new("L", (12000, 12000)).save(p)
    assert run(p, "--max-pixels", "1e8") == 1
    assert "limit" in capsys.readouterr().err
    assert not (tmp_path / "big.unseen.png").exists()


def test_a_gif_frame_reaching_past_its_screen_counts_at_its_size(tmp_path: Path, capsys):
    """A 1 x 1 screen whose second frame is 20000 x 20000 passed the budget as 2 pixels: Pillow grows
    the canvas only as it decodes that frame (11.7 GB and 7 minutes, then a confused refusal)."""
    import struct

    def frame(w: int, h: int) -> bytes:
        return b"\x2c" + struct.pack("<4HB", 0, 0, w, h, 0) + b"\x02\x02\x4c\x01\x00"

    p = tmp_path / "screen.gif"
    p.write_bytes(b"GIF89a" + struct.pack("<2H3B", 1, 1, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
                  + frame(1, 1) + frame(4000, 4000) + b"\x3b")
    assert image_io.probe_size(p)[1] == (4000, 4000)
    stray = tmp_path / "stray.gif"  # a byte that starts no block, which Pillow passes over
    stray.write_bytes(p.read_bytes().replace(frame(4000, 4000), b"\0" + frame(4000, 4000)))
    assert image_io.probe_size(stray)[1] == (4000, 4000)
    assert run(p, "--max-pixels", "2e7", "-q") == 1
    err = capsys.readouterr().err
    assert "4000x4000 x 2 frames" in err and "over the limit" in err and len(err.strip().splitlines()) == 1


def test_an_output_over_pillows_own_limit_is_read_back(tmp_path: Path, monkeypatch):
    """Pillow refuses pictures over its own limit (179 MP), unseen's budget is 200 MP: a photo of 180-200
    MP was covered for minutes, then refused as "output does not decode" when its output was read back
    (as was ``--verify``'s reading). Here Pillow's limit is made small instead of the photo big."""
    from PIL import Image as PilImage

    pytest.importorskip("dlib", reason="--verify needs unseen[verify]")
    src = tmp_path / "p.png"
    Image.open(GROUP).convert("RGB").save(src)  # 500 x 332: over the limit below
    monkeypatch.setattr(PilImage, "MAX_IMAGE_PIXELS", 20_000)
    assert run(src, "-q", "--cover", "faces", "--verify") == 0
    assert PilImage.MAX_IMAGE_PIXELS == 20_000


def test_bundled_sample_is_the_licensed_photo_and_demo_covers_it(tmp_path: Path):
    """README's first command runs unseen on samples/group.jpg: it must be dlib's public-domain
    photo (byte for byte, so the licence note applies) and come out with every labelled face covered."""
    sample = ROOT / "samples" / "group.jpg"
    assert sample.read_bytes() == GROUP.read_bytes()
    readme = (ROOT / "README.md").read_text()
    assert "`samples/group.jpg` is dlib's `2008_002470.jpg`" in readme and "LICENSE-dlib-examples.txt" in readme
    assert "samples/group.jpg" in (ROOT / "Makefile").read_text()
    assert run(sample, "-o", tmp_path, "-q") == 0
    a, b = rgb(sample), rgb(tmp_path / "group.jpg")
    for box in dlib_boxes(GROUP.name):
        assert changed_fraction(a, b, box) >= 0.9, box


def test_import_leaves_the_process_as_it_was(tmp_path: Path):
    """A library user's Pillow keeps its own limit and plugins after ``import unseen``; reading a
    file lifts the pixel limit only while unseen reads, then puts it back."""
    code = """
import sys
from PIL import Image, ImageSequence
before = (Image.MAX_IMAGE_PIXELS, sorted(Image.OPEN), sorted(Image.ID))
import unseen, unseen.engine.image, unseen.engine.video, unseen.cli, unseen.web.server, unseen.verify
assert (Image.MAX_IMAGE_PIXELS, sorted(Image.OPEN), sorted(Image.ID)) == before, "import changed Pillow"
unseen.anonymize_path([sys.argv[1]], output_dir=sys.argv[2])
assert Image.MAX_IMAGE_PIXELS == before[0], Image.MAX_IMAGE_PIXELS
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code, str(GROUP), str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_a_run_loads_only_what_its_files_need(tmp_path: Path):
    """A JPEG with ``--cover faces`` starts without libheif or the plate/text code (each ~7 ms of a
    run's start); a HEIC in the same kind of fresh process still reads, its plugin loaded for it."""
    import pillow_heif

    heic = tmp_path / "g.heic"
    pillow_heif.from_pillow(Image.open(GROUP).convert("RGB")).save(heic)
    code = """
import sys
from unseen.cli import main
assert main([sys.argv[1], "-o", sys.argv[2], "-q", "--cover", sys.argv[3]]) == 0
print(sorted(m for m in ("pillow_heif", "unseen.detect.plates", "unseen.detect.text") if m in sys.modules))
"""

    def loaded(src: Path, cover: str) -> str:
        proc = subprocess.run([sys.executable, "-c", code, str(src), str(tmp_path / cover), cover],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    assert loaded(GROUP, "faces") == "[]"
    assert loaded(heic, "faces") == "['pillow_heif']"
    assert Image.open(tmp_path / "faces" / "g.jpg").format == "JPEG"
    assert loaded(GROUP, "faces,plates") == "['unseen.detect.plates', 'unseen.detect.text']"


def test_outputs_of_one_run_never_share_a_name(tmp_path: Path, capsys):
    """A phone's HEIC + JPG of one shot (and AVIF, PPM, PNG of one name) planned together: every
    input gets its own output, the report says which name each got and why."""
    from PIL import Image as PILImage

    base = PILImage.open(GROUP).convert("RGB")
    for ext, fmt in ((".jpg", "JPEG"), (".png", "PNG"), (".ppm", "PPM"), (".heic", "HEIF"), (".avif", "AVIF")):
        if fmt in ("HEIF",):
            import pillow_heif

            pillow_heif.from_pillow(base).save(tmp_path / f"dirty{ext}")
        else:
            base.save(tmp_path / f"dirty{ext}", fmt)
    assert run(tmp_path, "--json", "--no-self-check") == 0
    reports = {Path(r["input"]).name: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    outputs = {name: Path(r["output"]).name for name, r in reports.items()}
    assert outputs == {"dirty.jpg": "dirty.unseen.jpg", "dirty.png": "dirty.unseen.png",
                       "dirty.ppm": "dirty.ppm.unseen.png", "dirty.heic": "dirty.heic.unseen.jpg",
                       "dirty.avif": "dirty.avif.unseen.jpg"}
    assert any("dirty.heic.unseen.jpg because" in n for n in reports["dirty.heic"]["notes"])
    assert len({o.lower() for o in outputs.values()}) == 5
    out = tmp_path / "out"  # with -o the plain names, and the full name for the ones that collide
    assert run(tmp_path, "-o", out, "-q", "--no-self-check") == 0
    assert sorted(p.name for p in out.iterdir()) == [".unseen-outputs",  # inside the input: marked
                                                      "dirty.avif.jpg", "dirty.heic.jpg", "dirty.jpg",
                                                      "dirty.png", "dirty.ppm.png"]


def test_error_lines_start_on_their_own_line_under_a_progress_bar(tmp_path: Path, capsys):
    shutil.copy(GROUP, tmp_path / "a.jpg")
    (tmp_path / "b.jpg").write_bytes(b"not a photo at all")
    shutil.copy(GROUP, tmp_path / "c.jpg")
    assert run(tmp_path, "--no-self-check") == 1  # more than one file: a progress bar is drawn
    err = capsys.readouterr().err
    lines = [line for chunk in err.split("\r") for line in chunk.split("\n")]
    bad = [line for line in lines if "b.jpg" in line]
    assert bad and all(line.startswith("unseen: ") for line in bad), err


def test_small_photos_run_two_at_a_time_with_the_same_results(tmp_path: Path, monkeypatch, capsys):
    """The local engine overlaps small photos (engine/local.py): the reports keep the input order, a
    bad file among them fails alone, and every output is byte-identical to a run of that file alone."""
    import threading

    from unseen.engine import file as file_flow
    from unseen.engine import local

    src = tmp_path / "in"
    src.mkdir()
    names = ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]
    shutil.copy(GROUP, src / names[0])
    shutil.copy(FIXTURES / "2008_007676.jpg", src / names[1])
    (src / names[2]).write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    shutil.copy(FIXTURES / "hopper" / "hopper.jpg", src / names[3])
    active, peak, lock = [0], [0], threading.Lock()
    real = file_flow.anonymize_file

    def counting(*a, **k):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            return real(*a, **k)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(local, "anonymize_file", counting)
    assert run(src, "-o", tmp_path / "together", "--json", "-q") == 1
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["input"]).name for r in reports] == names
    assert [r["status"] for r in reports] == ["ok", "ok", "error", "ok"]
    assert peak[0] == 2  # two files were in flight at once
    monkeypatch.setattr(local, "anonymize_file", real)
    for name in ("a.jpg", "b.jpg", "d.jpg"):
        assert run(src / name, "-o", tmp_path / "alone", "-q") == 0
        assert (tmp_path / "together" / name).read_bytes() == (tmp_path / "alone" / name).read_bytes(), name
    assert not (tmp_path / "together" / "c.jpg").exists()


def test_a_photo_starts_when_either_running_one_ends(tmp_path: Path, monkeypatch, capsys):
    """Two photos in flight: when the second ends first, the third starts at once instead of waiting
    for the first (engine/local.py); the reports still come out in the input order."""
    import threading

    from unseen.engine import file as file_flow
    from unseen.engine import local

    src = tmp_path / "in"
    src.mkdir()
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        shutil.copy(FIXTURES / "hopper" / "hopper.jpg", src / name)
    c_started = threading.Event()
    waited: list[bool] = []
    real = file_flow.anonymize_file

    def ordered(job, *a, **k):
        if job.src.name == "a.jpg":  # the first photo runs until the third has started
            waited.append(c_started.wait(timeout=20))
        if job.src.name == "c.jpg":
            c_started.set()
        return real(job, *a, **k)

    monkeypatch.setattr(local, "anonymize_file", ordered)
    assert run(src, "-o", tmp_path / "out", "--json", "-q") == 0
    assert waited == [True]
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["input"]).name for r in reports] == ["a.jpg", "b.jpg", "c.jpg"]


def test_the_library_refuses_what_the_command_line_refuses(tmp_path: Path):
    """``Options`` was not checked: ``pad=nan``, ``pad=-0.5`` or ``threshold=nan`` wrote outputs reported
    "ok" with every face visible, ``cover=("faces", "plates")`` (the README's words) covered nothing, and a
    single path string was walked character by character, "." and "/" among them (a hunt, 2026-12-05)."""
    import unseen
    from unseen.options import Options

    for bad in ({"pad": float("nan")}, {"pad": -0.5}, {"threshold": float("nan")}, {"threshold": 1},
                {"style": "smudge"}, {"preset": "x"}, {"cover": ()}, {"cover": ("faces", "hats")},
                {"audio": "loud"}, {"hold": float("inf")}, {"boxes": ("x",)}):
        with pytest.raises(ValueError):
            Options(**bad)
    assert Options(cover=("faces", "plates")).cover == ("face", "plate")
    src = tmp_path / "a.jpg"
    shutil.copy(GROUP, src)
    with pytest.raises(TypeError):
        unseen.anonymize_path(str(src))
    with pytest.raises(ValueError):
        unseen.anonymize_image(np.zeros((0, 0, 3), np.uint8))
    (report,) = unseen.anonymize_path([src], Options(cover=("faces",)), output_dir=tmp_path / "out")
    out = np.asarray(Image.open(report.output).convert("RGB"))
    assert all(changed_fraction(np.asarray(Image.open(src).convert("RGB")), out, box) > 0.7
               for box in dlib_boxes(GROUP.name))


def test_options_that_lower_protection_say_so(tmp_path: Path, capsys):
    """``--fast``, ``--no-self-check``, a higher ``--threshold``, a smaller ``--pad`` or a shorter ``--hold``
    each find or cover fewer faces, and ran without a word (only ``--cover`` without faces and the reversible
    styles warned). One warning line names them; the default run prints none, and ``-q`` silences it."""
    from unseen.cli import main

    def stderr(*extra: str) -> str:
        capsys.readouterr()
        assert main([str(GROUP), "-o", str(tmp_path / f"{len(extra)}.jpg"), "--force", *extra]) == 0
        return capsys.readouterr().err

    assert "less protection" not in stderr("--cover", "faces", "--threshold", "0.05", "--pad", "0.5")
    said = stderr("--fast", "--no-self-check", "--threshold", "0.3", "--pad", "0.1", "--hold", "0.2")
    line = [x for x in said.splitlines() if "less protection than the default" in x]
    assert len(line) == 1
    for option in ("--fast", "--no-self-check", "--threshold", "--pad", "--hold"):
        assert option in line[0], option
    assert "less protection" not in stderr("--fast", "-q")
