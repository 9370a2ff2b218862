"""Masks drawn straight on decoded video planes (``mask.fill_yuv420p``), the video writer's fast path.

A frame with a mask used to go YUV -> RGB -> mask -> YUV before encoding; with a grey fill the
planes are filled instead. These check that it covers exactly what the RGB mask covers, leaves
every other sample as decoded, and refuses what it cannot draw (so the writer takes the RGB path).
"""

from __future__ import annotations

import av
import numpy as np
import pytest
from conftest import FIXTURES

from unseen import mask
from unseen.regions import Regions

CLIP = FIXTURES / "video" / "head_pose.mp4"
# a face-sized ellipse, one at odd coordinates, and a box kind (plates are rectangles) at the edge
REGIONS = Regions.concat([
    Regions.from_boxes(np.array([[100, 60, 181, 171], [301.4, 33.2, 352.7, 97.9]], np.float32)),
    Regions.from_boxes(np.array([[0, 200, 77, 231]], np.float32), kind="plate"),
])


def first_frame() -> av.VideoFrame:
    with av.open(str(CLIP)) as c:
        return next(c.decode(video=0))


def chroma(planes: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    flat, q = planes.reshape(-1), height * width // 4
    return (flat[height * width : height * width + q].reshape(height // 2, width // 2),
            flat[height * width + q :].reshape(height // 2, width // 2))


@pytest.mark.parametrize("full_range", [False, True])
def test_grey_fill_on_planes_covers_what_the_rgb_mask_covers_and_nothing_else(full_range):
    frame = first_frame()
    w, h = frame.width, frame.height
    planes = frame.to_ndarray(format="yuv420p")
    before = planes.copy()
    spec = mask.MaskSpec()
    assert mask.fill_yuv420p(planes, REGIONS, spec, full_range)

    covered = mask.coverage(REGIONS, w, h, spec.shape)
    assert covered.mean() > 0.02
    luma, luma0 = planes[:h], before[:h]
    assert (luma[covered] == (128 if full_range else 126)).all()
    assert np.array_equal(luma[~covered], luma0[~covered])
    on_grid = covered.reshape(h // 2, 2, w // 2, 2).any(axis=(1, 3))
    for c, c0 in zip(chroma(planes, w, h), chroma(before, w, h), strict=True):
        assert (c[on_grid] == 128).all()
        assert np.array_equal(c[~on_grid], c0[~on_grid])

    # what a viewer sees inside the mask is the grey the RGB path draws
    rgb = av.VideoFrame.from_ndarray(planes, format="yuv420p").to_ndarray(
        format="rgb24", src_color_range=2 if full_range else 1)
    assert np.abs(rgb[covered].astype(int) - 128).max() <= 2


@pytest.mark.parametrize("spec", [mask.MaskSpec(style="noise"), mask.MaskSpec(style="pixelate"),
                                  mask.MaskSpec(style="blur"), mask.MaskSpec(color=(255, 0, 0))])
def test_what_planes_cannot_draw_is_refused_untouched(spec):
    planes = first_frame().to_ndarray(format="yuv420p")
    before = planes.copy()
    assert not mask.fill_yuv420p(planes, REGIONS, spec, False)
    assert np.array_equal(planes, before)


def test_odd_sized_planes_are_refused():
    planes = np.zeros((3 * 33 // 2, 40), np.uint8)  # 33 lines: not a yuv420p layout the writer takes
    assert not mask.fill_yuv420p(planes, REGIONS, mask.MaskSpec(), False)


def test_random_regions_on_planes_match_the_rgb_mask_sample_for_sample():
    """Boxes of every size, odd coordinates, overlapping and past the frame's edges: the luma is
    exactly the RGB path's coverage and a chroma sample is filled exactly when one of its 2x2."""
    rng = np.random.default_rng(7)
    w, h = 96, 64
    spec = mask.MaskSpec()
    for _ in range(300):
        n = int(rng.integers(1, 6))
        b = rng.uniform(-12, 100, (n, 4)).astype(np.float32)
        b[:, 2:] = b[:, :2] + rng.uniform(0.5, 50, (n, 2))
        regions = Regions.concat([Regions.from_boxes(b[k : k + 1], kind=("face", "plate")[k % 2]) for k in range(n)])
        planes = rng.integers(0, 256, (h * 3 // 2, w), dtype=np.uint8)
        before = planes.copy()
        assert mask.fill_yuv420p(planes, regions, spec, True)
        covered = mask.coverage(regions, w, h, spec.shape)
        assert np.array_equal(planes[:h] == 128, covered | (before[:h] == 128))
        assert np.array_equal(planes[:h][~covered], before[:h][~covered])
        on_grid = covered.reshape(h // 2, 2, w // 2, 2).any(axis=(1, 3))
        for c, c0 in zip(chroma(planes, w, h), chroma(before, w, h), strict=True):
            assert (c[on_grid] == 128).all()
            assert np.array_equal(c[~on_grid], c0[~on_grid])
