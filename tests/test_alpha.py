"""Pictures with transparency: unseen looks at what a viewer shows and covers it there, and nothing the
input hides under (nearly) transparent pixels comes into view in the output.

Found by two hunts (2026-12-05), each reproduced: a face carried by the alpha channel alone (black
colour, alpha = 255 - brightness: GIMP's "Color to Alpha" on white) was never detected and came out as
it went in, `--verify` passing; colour under alpha 1 was kept exactly (one dropped channel from view)
and drawn at full strength when the output has no alpha (JPEG from HEIC or AVIF); and a video with
alpha (PNG-in-MOV, ProRes 4444; VP9 in WebM, read by FFmpeg's own decoder) showed what was under its fully
transparent pixels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import GROUP, dlib_boxes, filled_share, run
from PIL import Image

FACES = dlib_boxes(GROUP.name)


def _on(path: Path, background: int) -> np.ndarray:
    """The picture as a viewer shows it over a plain background (0 black, 255 white)."""
    with Image.open(path) as im:
        rgba = im.convert("RGBA")
    bg = Image.new("RGBA", rgba.size, (background,) * 3 + (255,))
    return np.asarray(Image.alpha_composite(bg, rgba).convert("RGB"))


def _grey() -> np.ndarray:
    with Image.open(GROUP) as im:
        return np.asarray(im.convert("L"))


@pytest.mark.parametrize(("mode", "colour", "background"), [
    ("RGBA", 0, 255),  # black colour, alpha = darkness: the face shows on white
    ("LA", 0, 255),
    ("RGBA", 255, 0),  # white colour, alpha = brightness: the face shows on black
])
def test_a_face_carried_by_the_alpha_channel_is_covered(tmp_path: Path, mode: str, colour: int,
                                                        background: int):
    grey = _grey()
    alpha = (255 - grey if background == 255 else grey).astype(np.uint8)
    bands = 3 if mode == "RGBA" else 1
    src = tmp_path / "cut.png"
    Image.fromarray(np.dstack([np.full(grey.shape + (bands,), colour, np.uint8), alpha]), mode).save(src)
    assert run(src, "-o", tmp_path / "out", "--cover", "faces", "-q") == 0
    shown_in, shown_out = _on(src, background), _on(tmp_path / "out" / "cut.png", background)
    assert max(filled_share(shown_in, box) for box in FACES) < 0.3  # the faces are not the fill's grey to start
    covered = [filled_share(shown_out, box) for box in FACES]
    assert min(covered) >= 0.7, covered


@pytest.mark.parametrize("faint", [1, 2, 4, 8])
def test_a_photo_kept_under_faint_alpha_has_its_faces_covered(tmp_path: Path, faint: int):
    """A layer at 1-3% opacity (an editor's soft eraser): the faces are ~1-3% of what any background
    shows, found on none, but the colour kept under the alpha keeps faint + 1 levels a channel, and once
    the alpha is dropped (a thumbnailer, a converter to JPEG) every face was there to recognise, covered
    by nothing (a hunt, 2026-12-06: 0 of 3 faces under alpha 2, 4 and 8). The detectors look at the
    colour kept too (``raster.views``)."""
    with Image.open(GROUP) as im:
        rgb = np.asarray(im.convert("RGB"))
    src = tmp_path / "faint.png"
    Image.fromarray(np.dstack([rgb, np.full(rgb.shape[:2], faint, np.uint8)]), "RGBA").save(src)
    assert run(src, "-o", tmp_path / "out", "--cover", "faces", "-q") == 0
    with Image.open(tmp_path / "out" / "faint.png") as im:
        kept = np.asarray(im.convert("RGBA"))[..., :3]  # the alpha dropped
    covered = [filled_share(kept, box) for box in FACES]
    assert min(covered) >= 0.7, covered


def test_colour_under_nearly_transparent_pixels_keeps_no_more_than_is_shown(tmp_path: Path):
    """Alpha 1 to 254: the colour written is what a viewer's 8-bit blend shows of it (the premultiplied
    value), so the composite over any background is unchanged while the hidden picture is gone."""
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (64, 96, 3), dtype=np.uint8)  # the "erased" content: noise, no face
    alpha = np.tile(np.arange(96, dtype=np.uint8) * 2 + 1, (64, 1))  # 1, 3, ... 191 across
    alpha[:8] = 255
    src = tmp_path / "erased.png"
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(src)
    assert run(src, "-o", tmp_path / "out", "--cover", "faces", "-q") == 0
    with Image.open(tmp_path / "out" / "erased.png") as im:
        out = np.asarray(im.convert("RGBA"))
    assert (out[..., 3] == alpha).all()
    shown = (rgb.astype(int) * alpha[..., None] + 127) // 255
    assert ((out[..., :3].astype(int) * alpha[..., None] + 127) // 255 == shown).all()  # the same seen
    assert (out[:8, :, :3] == rgb[:8]).all()  # opaque pixels exactly as they were
    under_one = out[8:, 0, :3]  # alpha 1: each channel shown as 0 or 1 of 255
    assert set(np.unique(under_one)) <= {0, 255}, np.unique(under_one)


def test_without_alpha_in_the_output_the_picture_is_shown_over_black(tmp_path: Path):
    """HEIC and AVIF become JPEG, which has no alpha: the colour under alpha 1 was drawn at full
    strength. Now every pixel is written as it shows over black (alpha 0 was already black)."""
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    y, x = np.mgrid[0:96, 0:128]
    rgb = np.dstack([x * 2, y * 2, np.full_like(x, 90)]).astype(np.uint8)
    rgb[30:70, 40:90] = (200, 30, 30)  # the erased sign
    alpha = np.full((96, 128), 1, np.uint8)
    alpha[:, :16] = 255
    src = tmp_path / "erased.heic"
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(src, quality=-1)
    assert run(src, "-o", tmp_path / "out", "--cover", "faces", "-q") == 0
    with Image.open(tmp_path / "out" / "erased.jpg") as im:
        out = np.asarray(im.convert("RGB")).astype(int)
    assert out[30:70, 40:90].max() <= 12, out[50, 60]  # JPEG's own noise at most, no red square
    assert np.abs(out[:, :12] - rgb[:, :12]).mean() < 4  # the opaque strip as it was


def _overlay(path: Path, codec: str, pix_fmt: str, options: dict[str, str] | None = None) -> None:
    """Five 160 x 120 frames with alpha: a red square under alpha 0 in the middle, an opaque strip on the
    left (alpha 0 elsewhere)."""
    import av

    y, x = np.mgrid[0:120, 0:160]
    with av.open(str(path), "w") as c:
        vs = c.add_stream(codec, rate=10)
        vs.width, vs.height, vs.pix_fmt = 160, 120, pix_fmt
        vs.options = options or {}
        for i in range(5):
            rgba = np.zeros((120, 160, 4), np.uint8)
            rgba[..., 0], rgba[..., 1], rgba[..., 2] = x * 1.5, y * 2, 90
            rgba[40:80, 60:100, :3] = (200, 30, 30)  # under alpha 0
            rgba[:, :20, 3] = 255
            frame = av.VideoFrame.from_ndarray(rgba, format="rgba")
            frame.pts = i
            c.mux(vs.encode(frame))
        c.mux(vs.encode(None))


def _shows_nothing_hidden(src: Path, out: Path) -> None:
    """``src`` through unseen: nothing of the red square in the output, the opaque strip still there."""
    import av

    assert run(src, "-o", out, "--cover", "faces", "-q") == 0
    with av.open(str(out)) as c:
        first = next(c.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    assert first[45:75, 65:95].max() <= 20, first[60, 80]
    assert first[:, 4:16, 0].mean() > 5


def test_a_video_with_alpha_shows_nothing_of_what_its_transparent_pixels_hide(tmp_path: Path):
    """The H.264 output has no alpha: each frame is written as it shows over black."""
    _overlay(tmp_path / "overlay.mov", "png", "rgba")
    _shows_nothing_hidden(tmp_path / "overlay.mov", tmp_path / "out.mp4")


def test_a_webm_with_alpha_shows_nothing_of_what_its_transparent_pixels_hide(tmp_path: Path):
    """VP9 in WebM keeps its alpha in each block's side data, which FFmpeg's own VP9 decoder ignores:
    the colour under alpha 0 (here a red square) was written opaque, where ProRes or PNG in MOV gave
    black (found by a hunt, 2026-12-05). libvpx's decoder reads the alpha."""
    import av

    src = tmp_path / "overlay.webm"
    _overlay(src, "libvpx-vp9", "yuva420p", {"crf": "10", "b": "0"})
    with av.open(str(src)) as c:  # FFmpeg's own decoder: no alpha, the red square in view
        assert next(c.decode(video=0)).to_ndarray(format="rgb24")[60, 80, 0] > 150
    _shows_nothing_hidden(src, tmp_path / "out.mp4")


def test_the_review_page_finds_and_shows_a_face_carried_by_alpha(tmp_path: Path, detector):
    """The page detected on the colour alone and showed it: a black picture, no face to review."""
    import io

    from web_helpers import _first_id, _ready, _req, _serve

    src = tmp_path / "cut.png"
    Image.fromarray(np.dstack([np.zeros(_grey().shape + (3,), np.uint8), 255 - _grey()]), "RGBA").save(src)
    srv = _serve([src], detector=detector)
    try:
        item = _first_id(srv)
        found = [r for r in _ready(srv, item)["regions"] if r["kind"] == "face"]
        assert len(found) >= len(FACES) - 1, found
        status, _, body = _req(srv, "GET", f"/api/files/{item}/image")
        assert status == 200
        shown = np.asarray(Image.open(io.BytesIO(body)).convert("L")).astype(int)
        assert np.abs(shown - _grey()).mean() < 4  # the photo as it shows on white, not black
    finally:
        srv.stop()


def test_the_review_sidecar_lists_what_the_self_check_covered_on_a_transparent_photo(detector):
    """The self-check looks at each picture a viewer may show: three checks on one still photo (over black,
    the colour kept under the alpha, over white), where the review page's sidecar took only a single check
    as a photo's and listed none of what they covered."""
    from unseen.engine.image import cover
    from unseen.options import Options
    from unseen.regions import Regions
    from unseen.web.saving import _Recorder

    grey = _grey()
    rgb, alpha = np.zeros(grey.shape + (3,), np.uint8), (255 - grey).astype(np.uint8)
    alpha[:4] = 128  # partly transparent somewhere: seen over black and over white
    recorder = _Recorder(detector)
    done = cover(rgb, recorder, Options(), detected=Regions.empty(), alpha=alpha)
    assert len(recorder.checked) == 3 and done.self_check_extra >= 4
    again = recorder.found_again(Regions.empty(), Options().pad, grey.shape[1], grey.shape[0], animated=False)
    assert len(again) == done.self_check_extra
