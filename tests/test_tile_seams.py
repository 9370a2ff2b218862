"""The small-face pass on tiles: a face its size limit drops, cut by a tile's edge, leaves no slice behind.

On an 8K pan (hunt of 2026-12-06) RetinaFace at 2x boxed two faces 100 and 103 px tall whole in one tile
(dropped: the pass keeps faces under 100 px, CenterFace takes the rest) and 35 px wide slices of them where
another tile's edge cut them (kept): on that frame the tracker masked the slice alone, beside the eyes,
nose and mouth."""

import numpy as np

from unseen.detect.ensemble import Detector
from unseen.regions import Regions


class _Seams:
    """A fake backend over a 1000 x 300 picture whose pixels say where each crop starts: it finds three
    faces, each boxed whole in a tile that holds it whole and as a slice (as RetinaFace does at 2x) where a
    tile edge cuts it."""

    faces = [(520, 100, 605, 205),  # 85 x 105: over max_face (100)
             (570, 20, 640, 90),  # 70 x 70: under it, narrower than the overlap
             (585, 240, 615, 270)]  # 30 x 30: tiny

    def __call__(self, crop, threshold):
        x0 = int(crop[0, 0, 0]) * 256 + int(crop[0, 0, 1])
        w = crop.shape[1]
        boxes = []
        for fx1, fy1, fx2, fy2 in self.faces:
            a, b = max(fx1, x0), min(fx2, x0 + w)
            if a >= b:
                continue
            cut = (a, b) != (fx1, fx2)
            pad = 0.1 * (fy2 - fy1) if cut else 0.0  # a slice's box is shorter than the face
            boxes.append([a - x0, fy1 + pad, b - x0, fy2 - pad])
        n = len(boxes)
        return Regions(np.asarray(boxes, np.float32).reshape(-1, 4), np.ones(n, np.float32),
                       np.array(["face"] * n), np.array([""] * n, dtype="<U24"), np.full((n, 5, 2), np.nan, np.float32))


def test_small_face_pass_drops_the_slice_of_a_big_face_that_a_tile_edge_cut():
    """A fake backend's three faces over a seam: the big one's slice goes, the mid one is found whole in the
    tile that holds it whole, a tiny one touching the edge stays as before."""
    rgb = np.zeros((300, 1000, 3), np.uint8)
    rgb[..., 0] = np.arange(1000)[None] // 256
    rgb[..., 1] = np.arange(1000)[None] % 256  # tiles of 596 px at 0 and 404: an edge at x = 596
    found = Detector.run_pass(rgb, _Seams(), 1.0, 0.1, max_face=100, tile=600)
    big, mid, tiny = _Seams.faces
    centres = (found.boxes[:, :2] + found.boxes[:, 2:]) / 2
    def inside(f):
        return (centres[:, 0] > f[0]) & (centres[:, 0] < f[2]) & (centres[:, 1] > f[1]) & (centres[:, 1] < f[3])
    assert not inside(big).any()  # whole: over max_face; its slice in the left tile: dropped with it
    assert inside(mid).sum() == 1 and np.allclose(found.boxes[inside(mid)][0], mid)  # whole, from the right tile
    assert inside(tiny).sum() == 2  # a tiny face touching an edge stays, as before (NMS fuses the two)
