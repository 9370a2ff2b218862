"""360-degree photos (equirectangular): faces in the rows near the poles, stretched sideways, are covered.

A hunt (2026-12-05) projected crowd photos as a 360 camera sees them: at 72 degrees below the horizon
(people around a camera on a pole), stretched 3.2 times sideways, 7 of a group's 19 faces stayed
uncovered, exit 0. ``detect.sphere`` searches those rows squeezed back (docs/BENCHMARKS.md, "360-degree
photos").
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import GROUP, covered_fraction, dlib_boxes
from PIL import Image
from synth import equirect

from unseen import Options, anonymize_image
from unseen.detect import sphere

WIDTH, HEIGHT = 4096, 2048


def _scene(latitude: float, x: int) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The dlib group photo at ``latitude`` in a 360 picture, its left edge at column ``x`` (joined round:
    past the right edge it goes on at the left), and each labelled face's middle half as a box (x, y, w,
    h) of the picture, before joining round."""
    rgb = np.asarray(Image.open(GROUP).convert("RGB"))
    labels = np.zeros(rgb.shape[:2], np.int32)
    for i, (bx, by, bw, bh) in enumerate(dlib_boxes(GROUP.name), 1):
        labels[by + bh // 4: by + 3 * bh // 4, bx + bw // 4: bx + 3 * bw // 4] = i
    pixels, lab, inside, top = equirect(rgb, labels, latitude, 16.0, HEIGHT)
    pic = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    pic[: HEIGHT // 2], pic[HEIGHT // 2:] = (150, 170, 200), (110, 100, 90)
    rows = slice(top, top + pixels.shape[0])
    pic[rows, x: x + pixels.shape[1]][inside] = pixels[inside]
    faces = []
    for i in range(1, int(lab.max()) + 1):
        ys, xs = np.nonzero(lab == i)
        faces.append((x + int(xs.min()), top + int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1))
    return pic, faces


@pytest.mark.parametrize("latitude", [-72.0, 70.0])
def test_faces_stretched_near_the_poles_of_a_360_photo_are_covered(latitude: float):
    pic, faces = _scene(latitude, 1000)
    assert sphere.is_equirectangular(WIDTH, HEIGHT) and len(faces) == 6
    assert min(w / h for _, _, w, h in faces) > 2.5  # stretched past what the detectors tolerate
    out, _ = anonymize_image(pic, Options(cover=("face",)))
    assert min(covered_fraction(pic, out, f) for f in faces) >= 0.7, [covered_fraction(pic, out, f) for f in faces]


def test_a_group_across_the_seam_of_a_360_photo_is_covered():
    """The left and right edges of a 360 picture are one meridian: a group across it is cut in two."""
    pic, faces = _scene(-72.0, 1000)
    shift = WIDTH - (faces[0][0] + faces[0][2] // 2)  # the first face's middle rolled onto the seam
    rolled = np.roll(pic, shift, axis=1)
    out = np.roll(anonymize_image(rolled, Options(cover=("face",)))[0], -shift, axis=1)
    assert min(covered_fraction(pic, out, f) for f in faces) >= 0.7, [covered_fraction(pic, out, f) for f in faces]


def test_only_pictures_twice_as_wide_as_tall_are_taken_for_360_photos():
    assert sphere.is_equirectangular(8192, 4096) and sphere.is_equirectangular(1200, 599)
    assert not sphere.is_equirectangular(4000, 3000) and not sphere.is_equirectangular(3000, 1000)
    assert not sphere.is_equirectangular(200, 100)  # a thumbnail: its poles hold no face worth a pass


def test_inspect_counts_the_faces_near_the_poles_of_a_360_photo(tmp_path):
    """``unseen inspect`` searched the picture as it is: stretched faces went uncounted ("faces: 0")."""
    from unseen.inspect import inspect_file

    pic, faces = _scene(-72.0, 1000)
    Image.fromarray(pic).save(tmp_path / "sphere.jpg", quality=95)
    found = inspect_file(tmp_path / "sphere.jpg", Options(cover=("face",)).make_detector())
    assert found.faces >= len(faces), found.faces


def test_verify_looks_at_the_poles_of_a_360_photo(dlib_installed):
    """The adversary searched a 360 photo as it is: an unmasked copy passed ("no face found")."""
    from unseen import verify

    pic, _ = _scene(-76.0, 1000)
    result = verify.check([pic], [pic], [], ("face",))
    assert result["verdict"] == "fail" and result["faces_left"], result["summary"]


def _at_the_equator(width: int, height: int, face: int, scale: float = 0.6,
                    part: float = 0.3) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The dlib group photo at ``scale`` (faces 22-40 px) on the equator of a ``width`` x ``height`` 360
    picture, rolled so that the seam cuts its face number ``face`` ``part`` of the way across; each labelled
    face's middle half as boxes (x, y, w, h), a face across the seam as its two parts."""
    im = Image.open(GROUP).convert("RGB")
    rgb = np.asarray(im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS))
    pic = np.empty((height, width, 3), np.uint8)
    pic[: height // 2], pic[height // 2:] = (150, 170, 200), (110, 100, 90)
    top, left = height // 2 - rgb.shape[0] // 2, width // 3
    pic[top: top + rgb.shape[0], left: left + rgb.shape[1]] = rgb
    boxes = [(left + round(x * scale) + round(w * scale) // 4, top + round(y * scale) + round(h * scale) // 4,
              round(w * scale) // 2, round(h * scale) // 2) for x, y, w, h in dlib_boxes(GROUP.name)]
    x, _, w, _ = boxes[face]
    shift = width - (x + int(w * part))
    parts = []
    for x, y, w, h in boxes:
        x = (x + shift) % width
        parts += [(x, y, w, h)] if x + w <= width else [(x, y, width - x, h), (0, y, x + w - width, h)]
    return np.roll(pic, shift, axis=1), parts


def test_a_face_across_the_seam_at_the_equator_is_covered():
    """A hunt (2026-12-06) rolled WIDER faces onto the seam of a 360 picture at the equator: the part at the
    left edge of 2 of 35 stayed 0% covered, exit 0 (only the polar rows were joined round). Here a 26 px face
    cut a third of the way across: the part at the right edge was left."""
    pic, parts = _at_the_equator(WIDTH, HEIGHT, 4)
    out, _ = anonymize_image(pic, Options(cover=("face",)))
    assert min(covered_fraction(pic, out, p) for p in parts) >= 0.7, [covered_fraction(pic, out, p) for p in parts]


def test_a_face_across_the_seam_of_a_360_video_is_covered(tmp_path, capsys):
    """The same in a 360 video: a part at one edge was left in every frame (0 of 40, a hunt)."""
    import av

    from unseen.cli import main

    pic, parts = _at_the_equator(2048, 1024, 4)
    clip = tmp_path / "sphere.mp4"
    with av.open(str(clip), "w") as c:
        s = c.add_stream("libx264", rate=10)
        s.width, s.height, s.pix_fmt = 2048, 1024, "yuv420p"
        for _ in range(6):
            for p in s.encode(av.VideoFrame.from_ndarray(pic, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    assert main([str(clip), "-o", str(tmp_path / "out"), "--cover", "faces", "-q"]) == 0, capsys.readouterr().err
    with av.open(str(tmp_path / "out" / "sphere.mp4")) as c:
        written = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    with av.open(str(clip)) as c:
        shown = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(written) == 6
    got = [min(covered_fraction(a, b, p) for p in parts) for a, b in zip(shown, written, strict=True)]
    assert min(got) >= 0.7, got


def test_a_360_videos_projection_is_dropped_and_said(tmp_path, capsys):
    """A 360 camera's clip lost its projection (sv3d/st3d, with the stitcher's serial and a compass pose) with
    no word: the output plays flat on every site (a hunt, 2026-12-06)."""
    import json

    from synth import grey_clip, spherical_boxes

    from unseen.cli import main

    clip = tmp_path / "sphere.mp4"
    grey_clip(clip, 512, 256, frames=3)
    spherical_boxes(clip)
    assert main([str(clip), "-o", str(tmp_path / "out"), "--json", "-q"]) == 0
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert any(n.startswith("360 video: its projection (spherical metadata) is not written") for n in report["notes"])
    written = (tmp_path / "out" / "sphere.mp4").read_bytes()
    assert b"sv3d" not in written and b"SN 0042" not in written


def test_a_photo_sphere_stored_cropped_is_searched_by_its_gpano_tags(tmp_path):
    """A phone's photo sphere stored cropped (GPano XMP: the full panorama's size and the crop's) is not twice as
    wide as tall: its faces 72 degrees below the horizon were 3 of 15 covered, all 15 stored whole (a hunt,
    2026-12-06). Its rows are searched where its tags put them on the sphere."""
    from unseen.engine.image import cover_decoded
    from unseen.media import image as image_io

    pic, faces = _scene(-72.0, 1000)
    top = 700
    crop = pic[top:]
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description xmlns:GPano="http://ns.google.com/photos/1.0/panorama/" '
           'GPano:ProjectionType="equirectangular" GPano:UsePanoramaViewer="True" '
           f'GPano:FullPanoWidthPixels="{WIDTH}" GPano:FullPanoHeightPixels="{HEIGHT}" '
           f'GPano:CroppedAreaImageWidthPixels="{WIDTH}" GPano:CroppedAreaImageHeightPixels="{HEIGHT - top}" '
           f'GPano:CroppedAreaLeftPixels="0" GPano:CroppedAreaTopPixels="{top}"/></rdf:RDF></x:xmpmeta>')
    src = tmp_path / "sphere.jpg"
    Image.fromarray(crop).save(src, quality=95, xmp=xmp.encode())
    assert not sphere.is_equirectangular(crop.shape[1], crop.shape[0])
    with image_io.read(src, image_io.DEFAULT_MAX_PIXELS) as img:
        assert img.sphere is not None and round(img.sphere.top, 2) == round(90 - 180 * top / HEIGHT, 2)
        out = cover_decoded(img, Options(cover=("face",)).make_detector(), Options(cover=("face",)))
    written = out.frames[0].pixels
    shown = np.asarray(Image.open(src).convert("RGB"))
    got = [covered_fraction(shown, written, (x, y - top, w, h)) for x, y, w, h in faces]
    assert min(got) >= 0.7, got
