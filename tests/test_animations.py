"""Animations: distinct frames two at a time (``engine.image.cover_frames``), a file's frames read,
covered and written a few at a time (``media.image._Animation``, ``media.image_write``, ``media.apng``),
each with the result of the plain way; and end to end, every frame covered and a frame repeated or
alike once masked detected once and written on the input's timeline (``media.image.shown_frames``)."""

from __future__ import annotations

import io
import json
import subprocess
import threading
import time
import weakref
from pathlib import Path

import numpy as np
import pytest
from conftest import GROUP, changed_fraction, dlib_boxes, repeating_apng, run, system_tool
from PIL import Image, ImageEnhance, ImageSequence

from unseen.errors import UnseenError
from unseen.media import image as image_io


def _four_frames(tmp_path: Path) -> image_io.DecodedImage:
    """An animated GIF of four distinct, upright frames of dlib's group photo (as is, mirrored, and both
    brightened)."""
    base = Image.open(GROUP).convert("RGB")
    mirrored = base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    frames = [base, mirrored, *(ImageEnhance.Brightness(f).enhance(1.15) for f in (base, mirrored))]
    p = tmp_path / "four.gif"
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=200, loop=0)
    return image_io.read(p)


def test_an_animations_frames_run_two_at_a_time_with_the_results_of_one_at_a_time(tmp_path: Path, detector,
                                                                                   monkeypatch):
    """An animation's distinct frames are covered two at a time (the second core is idle between one
    frame's passes: docs/BENCHMARKS.md, "Animations"), with each frame's result what it is alone; a
    frame over ``FRAME_OVERLAP_PIXELS`` runs alone, so a big animation's memory stays one frame's."""
    from unseen import frame_work
    from unseen.engine import image as engine_image
    from unseen.options import Options

    img = _four_frames(tmp_path)
    state = {"now": 0, "most": 0}
    lock = threading.Lock()

    class Watched:
        def detect(self, rgb):
            with lock:
                state["now"] += 1
                state["most"] = max(state["most"], state["now"])
            try:
                return detector.detect(rgb)
            finally:
                with lock:
                    state["now"] -= 1

        def check(self, rgb):
            return detector.check(rgb)

    options = Options()
    two = engine_image.cover_decoded(img, Watched(), options)
    assert state["most"] == 2
    monkeypatch.setattr(frame_work, "FRAME_OVERLAP_PIXELS", img.frames[0].shape[0] * img.frames[0].shape[1] - 1)
    state["most"] = 0
    one = engine_image.cover_decoded(img, Watched(), options)
    assert state["most"] == 1
    assert two.counts == one.counts and two.counts["face"] >= 10
    for a, b in zip(two.frames, one.frames, strict=True):
        assert np.array_equal(a.pixels, b.pixels) and np.array_equal(a.regions.boxes, b.regions.boxes)
    x, y, w, h = dlib_boxes(GROUP.name)[0]
    assert changed_fraction(img.frames[0], two.frames[0].pixels, (x, y, w, h)) > 0.8


def test_a_frame_that_fails_stops_the_animation_and_the_frames_not_started(tmp_path: Path, detector):
    """The first error among frames in flight is the file's error; frames not yet started never start,
    and no frame's thread outlives the call (fail closed, nothing left running)."""
    from unseen.engine.image import cover_decoded
    from unseen.errors import UnseenError
    from unseen.options import Options

    img = _four_frames(tmp_path)
    started: list[int] = []
    lock = threading.Lock()

    class Failing:
        def detect(self, rgb):
            with lock:
                started.append(len(started))
                n = len(started)
            if n == 1:
                raise UnseenError("detector failed on purpose")
            time.sleep(0.2)  # the other frame in flight is still running when the first one fails
            return detector.detect(rgb)

        def check(self, rgb):
            return detector.check(rgb)

    with pytest.raises(UnseenError, match="on purpose"):
        cover_decoded(img, Failing(), Options())
    assert len(started) <= 3  # the failing frame, the one beside it, at most one more taken before the stop
    assert not [t.name for t in threading.enumerate() if t.name.startswith("unseen-frame")]


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
def test_the_writer_gets_an_animations_frames_one_at_a_time(tmp_path: Path, monkeypatch, fmt: str):
    """The frames handed to the writers are made as each is reached and let go after it, and no writer
    keeps them all (Pillow's APNG and WebP writers did: ``media.apng``, ``image_write._Pulled``), so an
    animation is never held whole (docs/BENCHMARKS.md, "Animations: memory"). The bytes are those
    Pillow's writers make of a list of Pillow images."""
    from unseen.media import image_write

    rng = np.random.default_rng(7)
    frames = [rng.integers(0, 256, (60, 80, 3), dtype=np.uint8) for _ in range(12)]
    alpha = [np.full((60, 80), 255, np.uint8) for _ in range(12)]
    img = image_io.DecodedImage(frames=frames, alpha=alpha, format=fmt, durations=[100] * 12, loop=0)
    alive = {"now": 0, "most": 0}
    made = Image.fromarray

    def counted(*args, **kwargs):
        im = made(*args, **kwargs)
        if im.mode == "RGB":
            alive["now"] += 1
            alive["most"] = max(alive["most"], alive["now"])
            weakref.finalize(im, lambda: alive.update(now=alive["now"] - 1))
        return im

    monkeypatch.setattr(Image, "fromarray", counted)
    data = image_write.encode(img, frames, fmt)
    # a few at once whatever the length (the first frame, the one being written, what a walk left in its
    # loop variables), not all 12 as a list held them
    assert alive["most"] <= 4
    monkeypatch.setattr(Image, "fromarray", made)
    pil = []
    for f, a in zip(frames, alpha, strict=True):
        im = Image.fromarray(f, "RGB")
        im.putalpha(Image.fromarray(a, "L"))
        pil.append(im)
    buf = io.BytesIO()
    pil[0].save(buf, fmt, save_all=True, append_images=pil[1:], duration=[100] * 12, loop=0, **_SAVE[fmt])
    assert data == buf.getvalue()


_SAVE = {"GIF": {"optimize": False}, "PNG": {"compress_level": 6}, "WEBP": {"quality": 95, "method": 4}}


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
@pytest.mark.parametrize("kind", ["repeats", "moves", "alpha", "still"])
def test_animations_are_written_as_pillows_writers_write_them(fmt: str, kind: str):
    """Frame by frame, the bytes are still those of Pillow's writers given every frame at once: frames
    repeating the one before folded into it with their times added, frames cropped to what changed,
    alpha kept, an animation of one picture written as a still."""
    from unseen import raster
    from unseen.media import image_write

    rng = np.random.default_rng(11)
    base = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    frames, alpha = [], []
    for i in range(9):
        f = base.copy()
        k = i // 2 if kind == "repeats" else i  # repeats: each picture twice in a row
        if kind != "still" and k:
            f[5 + k:15 + k, 4 + 2 * k:20 + 2 * k] = (40 * k) % 256
        frames.append(f)
        alpha.append(np.full((48, 64), 90 + 15 * i, np.uint8) if kind == "alpha" else None)
    durations = [100, 50, 70, 100, 100, 40, 100, 100, 30]
    img = image_io.DecodedImage(frames=frames, alpha=alpha, format=fmt, durations=durations, loop=0)
    data = image_write.encode(img, iter(frames), fmt)
    pil = []
    for f, a in zip(frames, alpha, strict=True):
        if a is not None:  # the colour written under partial alpha is what shows of it (tests/test_alpha.py)
            f = raster.shown_colour(f, a)
        im = Image.fromarray(f, "RGB")
        if a is not None:
            im.putalpha(Image.fromarray(a, "L"))
        pil.append(im)
    buf = io.BytesIO()
    pil[0].save(buf, fmt, save_all=True, append_images=pil[1:], duration=durations, loop=0, **_SAVE[fmt])
    assert data == buf.getvalue()
    with Image.open(io.BytesIO(data)) as back:
        assert getattr(back, "n_frames", 1) == {"repeats": 5, "moves": 9, "alpha": 9, "still": 1}[kind] or fmt == "WEBP"


def test_verify_checks_an_animations_frames_two_at_a_time_with_the_findings_of_one_at_a_time(
        tmp_path: Path, detector, monkeypatch):
    """``verify.check`` runs an animation's distinct frame pairs two at a time (dlib one call at a time)
    and a repeated pair once; its report is the one it gives frame by frame, and it still fails an
    animation with one frame left unmasked."""
    pytest.importorskip("dlib", reason="needs the recognizer extra: pip install -e '.[verify]'")
    from unseen import frame_work, verify
    from unseen.engine.image import cover_decoded
    from unseen.options import Options

    if not verify.available():
        pytest.skip("dlib is installed but its models do not load: reinstall '.[verify]'")
    img = _four_frames(tmp_path)
    originals = img.frames + [img.frames[0]]  # a fifth frame repeating the first
    masked = [f.pixels for f in cover_decoded(img, detector, Options()).frames]
    outputs = masked + [masked[0]]
    calls: list[int] = []
    lock = threading.Lock()
    real = verify._check_frame

    def counted(a, b, cover):
        with lock:
            calls.append(1)
        return real(a, b, cover)

    monkeypatch.setattr(verify, "_check_frame", counted)
    two = verify.check(originals, outputs, [])
    assert len(calls) == 4  # the repeated pair once
    assert two["verdict"] == "pass" and len(two["faces"]) >= 20
    assert [f["frame"] for f in two["faces"]] == sorted(f["frame"] for f in two["faces"])
    assert [f["index"] for f in two["faces"]] == list(range(1, len(two["faces"]) + 1))
    monkeypatch.setattr(frame_work, "IN_FLIGHT", 1)
    assert verify.check(originals, outputs, []) == two
    outputs[2] = originals[2]  # one frame left as it was
    left = verify.check(originals, outputs, [])
    assert left["verdict"] == "fail" and {f["frame"] for f in left["faces"] if f["verdict"] == "fail"} == {2}


def test_a_files_animation_is_read_covered_and_written_a_few_frames_at_a_time(tmp_path: Path, detector,
                                                                              monkeypatch):
    """``unseen FILE`` on an animation decodes, covers and writes its frames a few at a time (a 628 KiB
    APNG of six 8K frames held 3.5 GB when every frame was held: docs/BENCHMARKS.md, "Animations:
    memory"): however long the animation, only a few decoded frames are alive at once, and the file
    is the one covering every frame in memory first gives (``cover_decoded``, ``encode_checked``)."""
    from unseen.cli import main
    from unseen.engine.image import cover_decoded, encode_checked
    from unseen.options import Options

    base = Image.open(GROUP).convert("RGB").resize((250, 166))
    frames = [ImageEnhance.Brightness(base).enhance(0.8 + 0.04 * (i % 10)) for i in range(24)]  # 10 distinct
    src = tmp_path / "long.gif"
    frames[0].save(src, save_all=True, append_images=frames[1:], duration=80, loop=0)
    alive = {"now": 0, "most": 0}
    real = image_io._to_srgb

    def counted(*args, **kwargs):
        rgb, alpha = real(*args, **kwargs)
        alive["now"] += 1
        alive["most"] = max(alive["most"], alive["now"])
        weakref.finalize(rgb, lambda: alive.update(now=alive["now"] - 1))
        return rgb, alpha

    monkeypatch.setattr(image_io, "_to_srgb", counted)
    assert main([str(src), "-o", str(tmp_path / "out"), "-q", "--cover", "faces"]) == 0
    assert alive["most"] <= 6  # two frames in flight, one or two taken ahead, the one the reader keeps
    monkeypatch.setattr(image_io, "_to_srgb", real)
    img = image_io.read(src)
    assert len(img.frames) == 24
    options = Options(cover=("face",))
    expected = encode_checked(img, cover_decoded(img, detector, options))
    assert (tmp_path / "out" / "long.gif").read_bytes() == expected


def test_verify_on_an_animation_reads_a_few_frames_at_a_time(tmp_path: Path, monkeypatch, capsys):
    """``--verify`` checks an animation's frames as they are reached, original and output alike (it
    decoded every frame of both first: an animation of six 8K frames would hold 3.5 GB), and its
    findings are those of checking every frame held in memory (``verify.check`` on lists)."""
    pytest.importorskip("dlib", reason="needs the recognizer extra: pip install -e '.[verify]'")
    from unseen import verify
    from unseen.cli import main

    if not verify.available():
        pytest.skip("dlib is installed but its models do not load: reinstall '.[verify]'")
    base = Image.open(GROUP).convert("RGB").resize((250, 166))
    frames = [ImageEnhance.Brightness(base).enhance(0.8 + 0.04 * (i % 10)) for i in range(24)]  # 10 distinct
    src = tmp_path / "long.gif"
    frames[0].save(src, save_all=True, append_images=frames[1:], duration=80, loop=0)
    assert main([str(src), "-o", str(tmp_path / "plain"), "-q", "--cover", "faces"]) == 0
    written = tmp_path / "plain" / "long.gif"
    held = verify.check(image_io.read(src).frames, image_io.read(written).frames, [], ("face",))
    alive = {"now": 0, "most": 0}

    def count(real):
        def counted(*args, **kwargs):
            got = real(*args, **kwargs)
            rgb = got[0] if isinstance(got, tuple) else got
            alive["now"] += 1
            alive["most"] = max(alive["most"], alive["now"])
            weakref.finalize(rgb, lambda: alive.update(now=alive["now"] - 1))
            return got
        return counted

    monkeypatch.setattr(image_io, "_to_srgb", count(image_io._to_srgb))
    monkeypatch.setattr(verify, "_rgb", count(verify._rgb))
    for files in ([str(src), "-o", str(tmp_path / "out"), "-q", "--cover", "faces", "--json", "--verify"],
                  ["verify", str(src), str(written), "--cover", "faces", "--json"]):
        alive.update(now=0, most=0)
        capsys.readouterr()
        code = main(files)
        assert alive["most"] <= 8, files  # the covering's few, then an original and an output frame or two each
        said = json.loads(capsys.readouterr().out.splitlines()[-1])
        found = said.get("verify", said)
        assert code == (0 if held["verdict"] == "pass" else 1), files
        keys = ("verdict", "faces", "faces_left")
        assert [found[k] for k in keys] == [held[k] for k in keys], files
    assert held["verdict"] == "pass" and len(held["faces"]) >= 100
    assert (tmp_path / "out" / "long.gif").read_bytes() == written.read_bytes()


def test_an_animation_read_lazily_has_the_frames_read_at_once(tmp_path: Path):
    """``read(lazy=True)`` gives an animation's frames decoded again when asked: the same pixels and
    alpha as reading every frame at once, in order, out of order and after the reader has moved on
    (GIF frames drawn over the frame before, APNG frames blended with it, or disposed of to the
    background or to the frame before, one way or another frame by frame)."""
    rng = np.random.default_rng(5)
    pictures = []
    for i in range(7):
        a = np.zeros((40, 50, 4), np.uint8)
        a[..., :3] = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
        a[..., 3] = 255
        a[5 + i:20 + i, 10:30, 3] = 0  # a transparent hole that moves
        pictures.append(Image.fromarray(a, "RGBA"))
    mixed = {"disposal": [0, 2, 1, 2, 2, 0, 1], "blend": [0, 1, 0, 1, 0, 1, 1]}
    for name, extra in (("a.gif", {"disposal": 1}), ("a.png", {"blend": 1}), ("a.webp", {"lossless": True}),
                        ("b.png", {"disposal": 2}), ("c.png", {"disposal": 1}), ("d.png", mixed)):
        p = tmp_path / name
        pictures[0].save(p, save_all=True, append_images=pictures[1:], duration=60, loop=0, **extra)
        eager, lazy = image_io.read(p), image_io.read(p, lazy=True)
        try:
            assert lazy.source is not None and eager.source is None and len(lazy.frames) == len(eager.frames) == 7
            assert lazy.durations == eager.durations and lazy.loop == eager.loop and lazy.notes == eager.notes
            for i in [*range(7), 3, 0, 6, -1]:
                assert np.array_equal(lazy.frames[i], eager.frames[i]), (name, i)
                a, b = lazy.alpha[i], eager.alpha[i]
                assert (a is None and b is None) or np.array_equal(a, b), (name, i)
            assert all(np.array_equal(x[0], y) for x, y in zip(lazy.each(), eager.frames, strict=True))
        finally:
            lazy.close()


def test_an_apng_read_lazily_keeps_no_spare_canvas(tmp_path: Path):
    """Pillow's APNG reader keeps the canvas from before each frame until the next seek (133 MB at 8K,
    held while the frame is searched), but reads it only when that frame is disposed of to the one
    before: the lazy reader lets it go after each other frame, and keeps it for such a frame."""
    rng = np.random.default_rng(6)
    pictures = [Image.fromarray(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)) for _ in range(4)]
    p = tmp_path / "a.png"
    pictures[0].save(p, save_all=True, append_images=pictures[1:], duration=50, loop=0,
                     disposal=[0, 0, 2, 1], blend=[0, 0, 0, 0])
    with image_io.read(p, lazy=True) as lazy:
        held = []
        for i in range(4):
            lazy.frames[i]
            held.append(getattr(lazy.source._im, "_prev_im", None) is not None)
    with Image.open(p) as im:  # Pillow on its own keeps it from the second frame on
        pillow = []
        for i in range(4):
            im.seek(i)
            im.load()
            pillow.append(im._prev_im is not None)
    assert pillow == [False, True, True, True]
    assert held == [False, False, True, False]


def test_animated_gif_every_frame_masked(tmp_path: Path):
    base = Image.open(GROUP).convert("RGB")
    frames = [base, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT), base]
    p = tmp_path / "anim.gif"
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=200, loop=0)
    assert run(p, "-q") == 0
    out = Image.open(tmp_path / "anim.unseen.gif")
    assert out.n_frames == 3
    x, y, w, h = dlib_boxes(GROUP.name)[0]
    for i in (0, 2):
        out.seek(i)
        orig = np.asarray(frames[i])
        assert changed_fraction(orig, np.asarray(out.convert("RGB")), (x, y, w, h)) > 0.8


def test_a_frame_an_animation_repeats_is_detected_once(tmp_path: Path, detector):
    """A boomerang loop (frames forward, then back) repeats whole frames: each distinct frame is
    detected once (the real detectors, counted), and a repeat comes out as that frame would alone."""
    from unseen.engine.image import cover, cover_decoded
    from unseen.options import Options

    base = Image.open(GROUP).convert("RGB")
    flipped = base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    p = tmp_path / "boomerang.gif"
    base.save(p, save_all=True, append_images=[flipped, base, flipped], duration=200, loop=0)
    img = image_io.read(p)
    assert np.array_equal(img.frames[0], img.frames[2]) and not np.array_equal(img.frames[0], img.frames[1])

    calls = {"detect": 0, "check": 0}
    lock = threading.Lock()  # distinct frames run two at a time

    class Counted:
        def detect(self, rgb):
            with lock:
                calls["detect"] += 1
            return detector.detect(rgb)

        def check(self, rgb):
            with lock:
                calls["check"] += 1
            return detector.check(rgb)

    options = Options()
    masked = cover_decoded(img, Counted(), options)
    assert calls == {"detect": 2, "check": 2}
    alone = cover(img.frames[2], detector, options)
    assert np.array_equal(masked.frames[2].pixels, alone.pixels)
    assert np.array_equal(masked.frames[2].regions.boxes, alone.regions.boxes)
    x, y, w, h = dlib_boxes(GROUP.name)[0]
    for i in (0, 2):
        assert changed_fraction(img.frames[i], masked.frames[i].pixels, (x, y, w, h)) > 0.8
    # An animation without repeats: every frame is detected.
    calls.update(detect=0, check=0)
    base.save(p, save_all=True, append_images=[flipped], duration=200, loop=0)
    cover_decoded(image_io.read(p), Counted(), options)
    assert calls == {"detect": 2, "check": 2}


def test_an_animation_with_a_repeated_frame_is_written_with_its_timeline(tmp_path: Path, capsys):
    """Pillow's writers fold a frame identical to the one before into it (its time added), so such an
    animation came back with fewer frames and was refused ("output is ... x3, expected ... x4"). It
    is now written with the same timeline, the fold noted; every face is covered in every frame."""
    p = tmp_path / "repeat.png"
    frames = repeating_apng(p)
    assert run(p, "-q", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert any("1 of 4 frames" in n for n in report["notes"])
    out = Image.open(tmp_path / "repeat.unseen.png")
    assert out.n_frames == 3
    times = []
    for i in range(3):
        out.seek(i)
        times.append(out.info["duration"])
        shown = np.asarray(out.convert("RGB"))
        x, y, w, h = dlib_boxes(GROUP.name)[0]
        if i != 1:  # the photo: its labelled face covered
            assert changed_fraction(frames[0 if i == 0 else 3], shown, (x, y, w, h)) > 0.8
        else:  # the flipped photo: the same face, mirrored
            assert changed_fraction(frames[1], shown, (500 - x - w, y, w, h)) > 0.8
    assert times == [100, 500, 400]


def test_an_animation_whose_frames_are_all_alike_is_written_as_one_picture(tmp_path: Path, capsys):
    """PNG and WebP writers make a still picture of an animation whose frames are all the same."""
    p = tmp_path / "same.png"
    base = Image.open(GROUP).convert("RGB")
    base.save(p, save_all=True, append_images=[base], duration=[100, 200], loop=0, disposal=[0, 1])
    assert Image.open(p).n_frames == 2
    assert run(p, "-q", "--json") == 0
    assert "all 2 frames the same once masked: written as one picture" in json.loads(capsys.readouterr().out)["notes"]
    out = Image.open(tmp_path / "same.unseen.png")
    assert getattr(out, "n_frames", 1) == 1
    x, y, w, h = dlib_boxes(GROUP.name)[0]
    assert changed_fraction(np.asarray(base), np.asarray(out.convert("RGB")), (x, y, w, h)) > 0.8


def test_a_gif_with_a_repeated_frame_from_ffmpeg_is_written(tmp_path: Path):
    """The same with a GIF as FFmpeg writes it (it keeps repeated frames): 4 frames in, 3 out."""
    ffmpeg = system_tool("ffmpeg", "ffmpeg")
    base = Image.open(GROUP).convert("RGB")
    flipped = base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    for i, im in enumerate((base, flipped, flipped, base)):
        im.save(tmp_path / f"f{i}.png")
    gif = tmp_path / "ff.gif"
    subprocess.run([ffmpeg, "-v", "error", "-framerate", "5", "-i", str(tmp_path / "f%d.png"), "-vf",
                    "split[a][b];[a]palettegen[p];[b][p]paletteuse", str(gif)], check=True)
    assert Image.open(gif).n_frames == 4
    assert run(gif, "-q") == 0
    out = Image.open(tmp_path / "ff.unseen.gif")
    assert out.n_frames == 3


def test_shown_frames_accepts_only_a_folding_of_the_same_timeline():
    shown = image_io.shown_frames
    assert shown([100, 200, 300, 400], [100, 500, 400]) == [0, 1, 1, 2]
    assert shown([100, 200, 300, 400], [300, 300, 400]) == [0, 0, 1, 2]
    assert shown([100, 100, 100], [300]) == [0, 0, 0]
    assert shown([100, 200], [100, 200]) == [0, 1]
    assert shown([100, 200, 300, 400], [100, 600, 300]) is None  # a frame starts where none did
    assert shown([100, 200, 300], [100, 200]) is None  # shorter: a frame lost, not folded
    assert shown([100, 200], [100, 200, 50]) is None  # more frames than the animation had
    assert shown([], [100]) is None


@pytest.mark.parametrize("name", ["still.png", "still.tif", "moving.png"])  # formats that keep it (not WebP, GIF)
def test_nothing_is_kept_under_fully_transparent_pixels(tmp_path: Path, name: str):
    """PNG, APNG and TIFF kept the colour under alpha 0 losslessly: a picture erased to transparency
    came out with the erased text one dropped alpha channel away. Visible pixels are kept as they were."""
    from conftest import run

    from unseen.media import image as image_io

    rng = np.random.default_rng(7)
    frames = []
    for k in range(1 if name.startswith("still") else 2):
        rgb = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)  # the "erased" content: noise, no face
        alpha = np.full((60, 80), 255, np.uint8)
        alpha[30:, :] = 0
        alpha[:10, :10] = 128  # half seen: its colour is shown, so it stays as a viewer blends it
        frames.append(Image.fromarray(np.dstack([rgb, alpha]), "RGBA").rotate(k))
    src = tmp_path / name
    if len(frames) > 1:
        frames[0].save(src, save_all=True, append_images=frames[1:], duration=100, loop=0)
    else:
        frames[0].save(src)
    assert run(src, "-o", tmp_path / "out", "--cover", "faces", "-q") == 0
    out = tmp_path / "out" / name
    with image_io.read(src) as before, image_io.read(out) as after:
        pairs = zip(zip(before.frames, before.alpha, strict=True), zip(after.frames, after.alpha, strict=True),
                    strict=True)
        for (rgb0, a0), (rgb1, a1) in pairs:
            assert a1 is not None and (a1 == a0).all()
            assert rgb0[a0 == 0].any()  # the input holds the erased content (noise) under alpha 0
            assert not rgb1[a1 == 0].any(), "colour left under alpha 0"
            assert (rgb1[a0 == 255] == rgb0[a0 == 255]).all()  # lossless: what is seen stays as it was
            half = a0[..., None].astype(int)  # partly seen: its colour as blended (tests/test_alpha.py)
            assert ((rgb1 * half + 127) // 255 == (rgb0 * half + 127) // 255).all()


def test_an_apng_s_default_image_outside_its_animation_is_not_made_a_frame(tmp_path: Path):
    """An APNG may carry a default image that is no part of its animation: every APNG viewer (each
    browser) skips it. Pillow reads it as frame 0, and the output played it for 100 ms."""
    from conftest import run

    src = tmp_path / "anim.png"
    blues = [Image.new("RGB", (96, 64), (30, 30, 200 - 40 * i)) for i in range(3)]
    Image.new("RGB", (96, 64), (200, 30, 30)).save(src, save_all=True, append_images=blues, default_image=True,
                                                   duration=[500, 500, 500], loop=0)
    assert run(src, "-o", tmp_path / "out", "-q") == 0
    with Image.open(tmp_path / "out" / "anim.png") as im:
        shown = [(im.seek(i), im.convert("RGB").getpixel((5, 5)))[1] for i in range(im.n_frames)]
    assert shown == [(30, 30, 200), (30, 30, 160), (30, 30, 120)]



def _fade_in_apng(path: Path, alphas: tuple[int, ...], face: int = 0, scale: int = 3) -> tuple[int, int, int, int]:
    """A face of GROUP fading in over a transparent canvas, every frame blended OVER the canvas after
    the frame before was disposed of to the background (transparent). Returns the face's box there."""
    from PIL import PngImagePlugin

    x, y, w, h = dlib_boxes(GROUP.name)[face]
    crop = Image.open(GROUP).convert("RGB").crop((x - w // 2, y - h // 2, x + w + w // 2, y + h + h // 2))
    face = np.asarray(crop.resize((crop.width * scale, crop.height * scale), Image.Resampling.LANCZOS))
    frames = []
    for a in alphas:
        canvas = np.zeros((face.shape[0] + 80, face.shape[1] + 120, 4), np.uint8)
        opacity = np.full(face.shape[:2], a, np.uint8)
        canvas[40 : 40 + face.shape[0], 60 : 60 + face.shape[1]] = np.dstack([face, opacity])
        frames.append(Image.fromarray(canvas, "RGBA"))
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=150, loop=0,
                   disposal=PngImagePlugin.Disposal.OP_BACKGROUND, blend=PngImagePlugin.Blend.OP_OVER)
    return 60 + w // 2 * scale, 40 + h // 2 * scale, w * scale, h * scale


def test_an_apng_frame_blended_over_a_clear_canvas_is_read_as_viewers_show_it(tmp_path: Path):
    """Pillow pastes an OVER frame with its own alpha as the mask: over a transparent canvas a face at
    alpha 90 was read at alpha 32 and a third of its colour, and came out uncovered (exit 0), though a
    viewer shows it plainly (the spec: the frame's own pixels there)."""
    p = tmp_path / "fade.png"
    x, y, w, h = _fade_in_apng(p, (60, 90, 120, 255))
    with image_io.read(p) as img:
        for k, a in enumerate((60, 90, 120, 255)):
            alpha, rgb = img.alpha[k][y : y + h, x : x + w], img.frames[k][y : y + h, x : x + w]
            assert (alpha.min(), alpha.max()) == (a, a), k
            assert np.abs(rgb.astype(int) - img.frames[3][y : y + h, x : x + w]).max() <= 1, k


def test_a_face_fading_in_over_a_clear_canvas_is_covered_in_every_frame(tmp_path: Path):
    """Read as Pillow blends it, the second frame's face (alpha 90, which a viewer shows) was not found."""
    p = tmp_path / "fade.png"
    alphas = (255, 90, 255)
    box = _fade_in_apng(p, alphas, face=1, scale=2)
    assert run(p, "-q", "--cover", "faces") == 0
    with image_io.read(p) as before, image_io.read(tmp_path / "fade.unseen.png") as after:
        assert len(after.durations) == len(alphas)
        for k in range(len(alphas)):
            assert changed_fraction(before.frames[k], after.frames[k], box) > 0.8, k


def test_an_apng_blending_partly_transparent_palette_colours_is_refused(tmp_path: Path):
    """Pillow blends palette indices there, and the composed colours need more than a palette holds."""
    from PIL import PngImagePlugin

    frames = []
    for background in (0, 1):
        index = np.full((40, 60), background, np.uint8)
        index[10:30, 10:50] = 2
        frame = Image.fromarray(index, "P")
        frame.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0])
        frames.append(frame)
    p = tmp_path / "palette.png"
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=100, loop=0, transparency=bytes([0, 128, 255]),
                   blend=PngImagePlugin.Blend.OP_OVER)
    with pytest.raises(UnseenError, match="partly transparent palette"):
        image_io.read(p)


@pytest.mark.parametrize("loop", [None, 0, 3])
def test_a_gif_plays_as_many_times_as_the_input(tmp_path: Path, loop: int | None):
    """A GIF without a loop block plays once; it came out looping forever."""
    frames = [Image.new("RGB", (32, 24), c) for c in ("red", "blue")]
    p = tmp_path / "plays.gif"
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=100, **({} if loop is None else {"loop": loop}))
    assert run(p, "-q") == 0
    with Image.open(tmp_path / "plays.unseen.gif") as out:
        assert out.n_frames == 2 and out.info.get("loop") == loop



def test_a_gif_whose_frames_alike_show_for_over_655_s_is_refused_in_words(tmp_path: Path, capsys):
    """Two identical 1 x 1 frames of 400 s each: Pillow's writer folds them into one of 800 s, which a GIF
    cannot hold; an "internal error ... please report it" line said so."""
    import struct

    frame = b"\x21\xf9\x04\x00" + struct.pack("<H", 40_000) + b"\x00\x00" + b"\x2c" + struct.pack(
        "<4HB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    p = tmp_path / "long.gif"
    p.write_bytes(b"GIF89a" + struct.pack("<2H3B", 1, 1, 0x80, 0, 0) + b"\xff\0\0\0\0\xff" + frame * 2 + b"\x3b")
    assert [image_io.frame_ms(f) for f in ImageSequence.Iterator(Image.open(p))] == [400_000, 400_000]
    assert run(p, "-q", "--cover", "faces") == 1
    err = capsys.readouterr().err.strip()
    assert "over 655 s" in err and "internal error" not in err and len(err.splitlines()) == 1
