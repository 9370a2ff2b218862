"""The detection front: several passes (backend x scale), tiled on large images, merged by NMS.

Why an ensemble: no single detector pass finds every face in a crowd. CenterFace at native
resolution finds most faces; tiny faces (10-16 px) need the image upscaled, and a second model
catches faces the first one scores low. Passes are cheap to add and easy to measure, so the
configuration is data (``PASSES``), chosen on the protection benchmark (docs/BENCHMARKS.md).

Tiling bounds memory and keeps inputs near the size the models were trained on: a 12 MP photo
upscaled 2x would be a 48 MP tensor; instead each tile is cropped from the original and only the
crop is resized. Tiles overlap so a face cut by one tile border is whole in its neighbour.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np

from .. import interrupt, raster
from ..regions import Regions
from .centerface import CenterFace
from .onnx_session import use_device
from .retinaface import RetinaFace
from .tiling import grid, tiles


def _text_boxes(kinds: tuple[str, ...], **kw):
    """The plate/text backend, its code (and the text models' modules) imported only when a run asks
    for plates or text: ``--cover faces`` never loads it (~7 ms of every such run's start)."""
    from .plates import TextBoxes

    return TextBoxes(kinds, **kw)


# Plates and text are one backend (the text detector, then a rule per kind: detect/plates.py) under
# a name per set of kinds it keeps: "plate", "text", "plate+text".
TEXT_KINDS = ("plate", "text")
# "centerface" runs the int8 file on the CPU; "centerface-float" the float one, for the checks whose
# thresholds were measured with it (verify's adversary, video's turned look) and video frames under 1.5 MP.
# "retinaface-x2" runs its 2x passes on the tile as it is, the enlargement folded into the model (the
# small-face pass of photos and video).
BACKENDS = {"centerface": CenterFace, "centerface-float": partial(CenterFace, int8=False), "retinaface": RetinaFace,
            "retinaface-x2": partial(RetinaFace, fold_2x=True),
            **{"+".join(k): partial(_text_boxes, k) for k in (("plate",), ("text",), TEXT_KINDS)}}


@dataclass(frozen=True)
class Pass:
    backend: str  # key of BACKENDS
    scale: float  # resize factor applied to the image before detection
    threshold: float  # score threshold for this pass
    max_side: int = 0  # skip the pass when the image's longer side exceeds this (0 = never skip)
    max_face: float = 0  # keep only boxes smaller than this many original pixels (0 = keep all)
    turn: int = 0  # run on each tile turned by this many quarter turns counter-clockwise (np.rot90)
    smooth: float = 0  # blur each tile, once resized, by a Gaussian of this many px (0: none; ``DOTS``)


# Upscaled passes are there for small faces only: on a 2x upscale a big face outgrows RetinaFace's
# largest anchors and comes back as confident fragments (seen on 1-2 MP portraits), which over-mask.
SMALL_FACE = 100.0

# Chosen on the WIDER FACE benchmark with bench/tune_detect.py (docs/BENCHMARKS.md): CenterFace at
# native size with a low threshold finds most faces; RetinaFace on a 2x upscale adds the tiny ones
# (10-16 px) at about the cost of one CenterFace pass. CenterFace's own 2x pass reached slightly
# higher recall (+1 point) at 4x the cost, and was dropped.
#
# The 2x pass runs RetinaFace's int8 file with the enlargement folded into its first convolution
# ("retinaface-x2", tools/make_retinaface_x2.py): ~17% less CPU for the pass than enlarging the photo,
# but its scores near the threshold move both ways against the enlarged copy's (the copy is rounded to
# 8 bits, the fold is not). At 0.11 the ensemble with it covers every box the ensemble with the
# enlarged copy at 0.15 found on 100 crowd photos outside the benchmark, at native and half size,
# except three reviewed by eye as no face (a blurred background, foliage, a face deface had already
# blurred); at 0.15 it left 36 of 10,782 uncovered (docs/BENCHMARKS.md, "Small-face pass: folded 2x").
# It finds 4% more boxes. Video's schedule keeps 0.15: its slip table was measured there.
SMALL_FACE_PASS = Pass("retinaface-x2", 2.0, 0.11, max_face=SMALL_FACE)
DEFAULT_PASSES: tuple[Pass, ...] = (
    Pass("centerface", 1.0, 0.1),
    SMALL_FACE_PASS,
)
# ``--fast``: RetinaFace only (2x for small faces + 1x), about half the cost of the default. On WIDER
# FACE it kept 99.3% of faces >= 16 px and 100% of visible ones, but it has a single model family,
# so it fails the same way twice on the faces that model cannot see. A choice for big folders.
FAST_PASSES: tuple[Pass, ...] = (
    SMALL_FACE_PASS,
    Pass("retinaface", 1.0, 0.15),
)
PRESETS = {"thorough": DEFAULT_PASSES, "fast": FAST_PASSES}
# Thresholds above are tuned with CenterFace's default (0.1) as the reference: ``--threshold``
# shifts every pass by the same amount.

# The text detector's box threshold (DB box_thresh; docs/BENCHMARKS.md, "Plates and text"): 0.3 keeps
# small and faint plates; the box rule removes the texture it lets through.
TEXT_THRESHOLD = 0.3


def text_passes(cover: tuple[str, ...]) -> tuple[Pass, ...]:
    """The plate/text pass for the kinds to cover (``Options.cover``): one pass whatever the mix,
    since both kinds come from the same text detector."""
    kinds = tuple(k for k in TEXT_KINDS if k in cover)
    return (Pass("+".join(kinds), 1.0, TEXT_THRESHOLD),) if kinds else ()


# The self-check after masking: a different, cheap opinion (another model/scale) so that it can
# catch what the main passes missed, upright at about a quarter of their cost. Its turned passes look at the
# picture turned a quarter each way: both models were trained on upright faces and miss many faces
# lying on their side (someone on the ground, a photo stored sideways without its orientation tag).
# On 69 crowd photos outside the benchmark turned by 90, 180 and 270 degrees, with the faces found
# upright at >= 0.5 as the reference, a run covered 643, 673 and 640 of 751 before them and 703, 694 and
# 708 with them (docs/BENCHMARKS.md, "Faces turned sideways or upside down", bench/rotated_faces.py).
# Scale chosen on crowd photos outside the benchmark: smaller copies found as many turned faces but more
# that were none, 1x no more for 1.8x the cost; each costs about half a RetinaFace pass at 1x, the two
# 1.18x the CPU of a faces-only run of the 8 WIDER photos (docs/BENCHMARKS.md, the same section). The
# threshold is the upright pass's, what the self-check calls a face (``inspect.findings.CONFIDENT``).
# Turned faces covered on those crowd photos: 1554, 1543 and 1533 of 1642 at 0.4, 0.5 and 0.6 (1410
# without the turned passes); at 0.6 a plainly visible 37 px face of dlib's examples turned 270 degrees
# stays uncovered. What they take for a face on upright pictures costs an ellipse: at 0.4 a chair back
# on a WIDER photo (0.40); at 0.5 still a balloon beside the plate mask on the bundled sample (0.55).
TURNED = 0.75, 0.5  # scale and threshold of the turned passes
# A portrait printed as dots (a newspaper's halftone on a placard: the missing, the detained) reads as a
# face to an eye at a distance but not to the detectors, which see the dots: 10 of 12 such placards of
# 90 px faces held over a real crowd stayed uncovered, the same portraits in plain grey 0 of 12. The
# self-check also runs RetinaFace on the picture shrunk by half and blurred, as the eye sees it
# (docs/BENCHMARKS.md, "Halftone portraits"). Its threshold is the self-check's own. CenterFace found
# as many there for 1.5x the CPU, and would have made ``--fast`` load a second model. What decides is the dots'
# spacing in the photo, not how many cross the face: a card held close to the camera (faces of 130-260 px) with
# a dot every 12-18 px stayed uncovered at half size (a hunt, 2026-12-05: 7 of 18 faces on its grid of
# spacings). COARSE_DOTS looks at a quarter of the size, blurred as much (a sixteenth of the pixels: about a
# quarter of DOTS's cost).
DOTS = Pass("retinaface", 0.5, 0.5, smooth=1.5)
COARSE_DOTS = Pass("retinaface", 0.25, 0.5, smooth=1.5)
CHECK_PASSES: tuple[Pass, ...] = (Pass("retinaface", 1.0, 0.5),
                                  *(Pass("retinaface", *TURNED, turn=k) for k in (1, 3)), DOTS, COARSE_DOTS)

# A face of a third of the picture or more (a headshot, a close-up) comes back from CenterFace at native size
# in pieces (eyes, a mouth corner), and from the self-check not at all: on three real portraits enlarged to
# 800-2000 px with the face filling 40-150% of the frame, 29 of 45 had the middle of the face covered, and on a
# 2000 px headshot the jaw, ears and hairline showed around a mask over the eyes and mouth (unseen verify:
# still matchable). One more pass of the main face model over the whole picture shrunk to OVERVIEW px finds
# such a face whole; it keeps only boxes of at least OVERVIEW_MIN of its px (a small face there is a fragment
# or a face the native passes find better: kept, they were 18% more regions on crowd photos; with the limit,
# none). With it 45 of 45, and 15 of 15 at 3000 px against 11, for 1.07-1.09x the CPU of the WIDER photos
# and 1.05-1.08x on crowd photos (docs/BENCHMARKS.md, "Big faces: the overview pass"). Its threshold is its
# own: those faces scored 0.78-0.96 there, and at the main pass's 0.1 it put a head-sized ellipse on the Royal
# Opera House's sign in facenet's first frame (0.107). Never under its pass's own threshold: verify's detector
# (RetinaFace at 0.5, as measured) took a red heart balloon for a face at 0.37 there, on pixels the run rightly
# left alone, and failed a photo covered as it should be (a hunt, 2026-12-06).
OVERVIEW = 448
OVERVIEW_MIN = 40
OVERVIEW_THRESHOLD = 0.3
OVERVIEW_FROM = 1.25  # x OVERVIEW: a picture no longer than this is its own overview

TILE = 2048  # largest tile side in detector pixels (after scaling), unless the backend says less
OVERLAP = 192  # overlap between neighbouring tiles in detector pixels


def _tile_side(backend, length: float = 0) -> int:
    """Tile side in detector pixels for an image whose longer side is ``length`` detector pixels.

    An image that fits in TILE is one tile (no overlap to pay for). Larger ones are cut into tiles
    of the backend's own size (``tile`` attribute, TILE if it has none): activations grow with the
    tile's pixels, and two tiles run at once, so smaller tiles bound the peak memory of big photos
    and video frames (docs/BENCHMARKS.md, "Big photos").
    """
    if length and length <= TILE:
        return TILE
    return int(getattr(backend, "tile", TILE))


class Detector:
    """Run every pass over an upright RGB image and merge what they find."""

    def __init__(self, passes: tuple[Pass, ...] = DEFAULT_PASSES, threshold_shift: float = 0.0,
                 nms_iou: float = 0.35, check_passes: tuple[Pass, ...] = CHECK_PASSES, device: str = "cpu"):
        use_device(device)  # before any backend loads its model
        self.passes = passes
        self.check_passes = check_passes
        self.threshold_shift = threshold_shift
        self.nms_iou = nms_iou
        self._backends = {p.backend: BACKENDS[p.backend]() for p in passes + check_passes}
        self._checks_loaded = not check_passes

    @property
    def kinds(self) -> tuple[str, ...]:
        """The region kinds the main passes look for (a backend without ``kinds`` finds faces)."""
        found = [k for p in self.passes for k in getattr(self._backends[p.backend], "kinds", ("face",))]
        return tuple(dict.fromkeys(found))

    def detect(self, rgb: np.ndarray) -> Regions:
        """Every face (plate, text) the main passes find, merged (boxes in ``rgb``'s pixels), big faces
        included (OVERVIEW).

        The first call also loads the self-check's models, as the last job on the pool: it runs in
        the gap the shorter pass leaves on one worker instead of after detection, when the
        self-check needs it (~20-40 ms of a run's wall time, measured on one photo)."""
        load_also = () if self._checks_loaded else self.check_passes
        self._checks_loaded = True
        return self._run(rgb, self.passes, load_also=load_also, overview=True)

    def check(self, rgb: np.ndarray) -> Regions:
        """The self-check's second opinion, run on an already masked image."""
        return self._run(rgb, self.check_passes)

    def _run(self, rgb: np.ndarray, passes: tuple[Pass, ...], load_also: tuple[Pass, ...] = (),
             overview: bool = False) -> Regions:
        if not passes:  # e.g. --cover plates: no face passes, no face self-check
            return Regions.empty()
        h, w = rgb.shape[:2]
        jobs: list[tuple[int, Callable[[], Regions]]] = []
        for p in passes:
            if p.max_side and max(h, w) > p.max_side:
                continue
            jobs += tile_jobs(rgb, self._backends[p.backend], p.scale, self._threshold(p), p.max_face, turn=p.turn,
                              smooth=p.smooth)
        # Tiles cut faces bigger than the overlap; one whole-image pass at reduced size catches
        # those (a face that large is easy to find at any scale).
        first = passes[0]
        whole = _tile_side(self._backends[first.backend], max(h, w) * first.scale)
        if max(h, w) * min((p.scale for p in passes if not p.smooth), default=0) > whole:
            jobs += tile_jobs(rgb, self._backends[first.backend], whole / max(h, w), self._threshold(first))
        face = next((p for p in passes if p.backend in ("centerface", "retinaface")), None)
        if overview and face is not None and max(h, w) > OVERVIEW * OVERVIEW_FROM:
            scale = OVERVIEW / max(h, w)
            jobs += [(cost, partial(_at_least, job, OVERVIEW_MIN / scale))
                     for cost, job in tile_jobs(rgb, self._backends[face.backend], scale,
                                                max(self._threshold(face), clamp_threshold(OVERVIEW_THRESHOLD +
                                                                                           self.threshold_shift)))]
        # Biggest jobs first so the two workers finish together; loading models comes last.
        jobs.sort(key=lambda job: -job[0])
        if load_also:
            jobs.append((0, partial(self._load, load_also)))
        found = list(_pool().map(lambda job: job[1](), jobs))
        return Regions.concat(found).clipped(w, h).nms(self.nms_iou)

    def _load(self, passes: tuple[Pass, ...]) -> Regions:
        """Load the models ``passes`` run by running each once on a small black image (nothing found)."""
        black = np.zeros((32, 32, 3), np.uint8)
        for p in passes:
            _detect_tile(black, self._backends[p.backend], p.scale, 0.99, 0, 0, 32, 32)
        return Regions.empty()

    def _threshold(self, p: Pass) -> float:
        return clamp_threshold(p.threshold + self.threshold_shift)

    def backend(self, name: str):
        """The loaded backend called ``name`` (a key of BACKENDS), loading it on first use."""
        if name not in self._backends:
            self._backends[name] = BACKENDS[name]()
        return self._backends[name]

    @staticmethod
    def run_pass(rgb: np.ndarray, backend, scale: float, threshold: float, max_face: float = 0,
                 tile: int = 0, tile_pixels: int = 0, turn: int = 0) -> Regions:
        """One pass on its own, tiled like the ensemble's (video schedule, verify, benchmarks)."""
        h, w = rgb.shape[:2]
        jobs = tile_jobs(rgb, backend, scale, threshold, max_face, tile, tile_pixels, turn)
        return Regions.concat(job() for _, job in jobs).clipped(w, h)


def clamp_threshold(value: float) -> float:
    """A score threshold kept inside (0, 1) whatever ``--threshold`` shifted it by."""
    return min(max(value, 0.01), 0.99)


_pool_lock = threading.Lock()
_pools: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    """One worker per core, shared by every file in flight (engine/local.py runs small photos two at
    a time). Each ONNX session runs single-threaded (onnx_session.py): whole tiles and passes in
    parallel use two cores better than two threads fighting over one small conv."""
    with _pool_lock:
        if not _pools:
            _pools.append(ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1),
                                             thread_name_prefix="unseen-detect"))
        return _pools[0]


def tile_jobs(rgb: np.ndarray, backend, scale: float, threshold: float, max_face: float = 0,
              max_tile: int = 0, max_pixels: int = 0, turn: int = 0,
              smooth: float = 0) -> list[tuple[int, Callable[[], Regions]]]:
    """Split one pass into independent (cost, job) pairs, one per tile, cropped from the original
    so only each crop is resized. ``max_tile`` (detector px) caps the tile side further and
    ``max_pixels`` (detector px) its area: video keeps its frames' passes small because two of them
    run at once on every frame. ``turn``: each crop is turned (``Pass.turn``), never the whole picture
    (a turned copy of a 24 MP photo would be 72 MB more)."""
    h, w = rgb.shape[:2]
    if getattr(backend, "tiles_itself", False) and scale == 1.0:
        # The text pass: one job; it cuts its own tiles and strips (lines of text kept whole, boxes
        # read from the whole image) under the same cap on one run's pixels.
        return [(h * w * _cost(backend), partial(backend, rgb, threshold, strip_pixels=max_pixels))]
    side = _tile_side(backend, max(h, w) * scale)
    tile = max(32, int((min(side, max_tile) if max_tile else side) / scale))
    overlap = int(OVERLAP / scale)
    if max_pixels:
        rows, cols = grid(h, w, tile, overlap, int(max_pixels / (scale * scale)))
    else:
        rows, cols = tiles(h, tile, overlap), tiles(w, tile, overlap)
    jobs = []
    for y0, th in rows:
        for x0, tw in cols:
            cost = int(th * tw * scale * scale) * _cost(backend)
            jobs.append((cost, partial(_detect_tile, rgb, backend, scale, threshold, x0, y0, tw, th, max_face,
                                       turn, smooth)))
    return jobs


def _cost(backend) -> int:
    """CPU per detector pixel relative to RetinaFace's (a backend's ``cost``, 1 if it has none): it
    only orders a photo's jobs, biggest first, so that the two workers finish together."""
    return int(getattr(backend, "cost", 1))


def _detect_tile(rgb: np.ndarray, backend, scale: float, threshold: float,
                 x0: int, y0: int, tw: int, th: int, max_face: float = 0, turn: int = 0, smooth: float = 0) -> Regions:
    interrupt.check()  # once interrupted, the tiles left are not run: a 54 MP photo went on for ~20 s
    crop = rgb[y0 : y0 + th, x0 : x0 + tw]
    cw, ch = (th, tw) if turn % 2 else (tw, th)  # the crop as the detector sees it (turned: sides swapped)
    if smooth:
        size = raster.scaled_size(cw, ch, scale)
        found = backend(raster.gaussian_blur(raster.turned(crop, turn, size), smooth), threshold)
        found = found.scaled(cw / size[0], ch / size[1])
    elif scale != 1.0 and scale in getattr(backend, "upscales", ()):
        # The backend enlarges inside its network (RetinaFace's folded 2x file): no enlarged copy.
        found = backend(raster.turned(crop, turn), threshold, upscale=scale)
    elif scale != 1.0:
        size = raster.scaled_size(cw, ch, scale)
        found = backend(raster.turned(crop, turn, size), threshold).scaled(cw / size[0], ch / size[1])
    else:
        found = backend(raster.turned(crop, turn), threshold)
    found = turned_back(found, turn, tw, th).scaled(1.0, 1.0, x0, y0)
    if max_face and len(found):
        small = np.maximum(found.widths, found.heights) < max_face
        found = found[small & ~_cut_piece(found, rgb, x0, y0, tw, th, max_face)]
    return found


def _cut_piece(found: Regions, rgb: np.ndarray, x0: int, y0: int, tw: int, th: int, max_face: float) -> np.ndarray:
    """Which boxes may be pieces of a face of ``max_face`` or more that this tile's edge cut: against an
    edge it shares with a neighbouring tile, and at least half of ``max_face`` along it (a cut keeps the
    face's extent along the edge). ``max_face`` cannot judge a piece: the face whole in the neighbour is
    dropped there, and its piece must go too; a face narrower than the overlap is whole in the neighbour
    and found there. On an 8K pan RetinaFace at 2x boxed two faces 100 and 103 px tall whole (dropped)
    and 35 px wide slices of them at a seam (kept): the tracker masked the slice on that frame, beside
    the eyes, nose and mouth. Tiny faces touching an edge (under half of ``max_face``) stay as they were."""
    h, w = rgb.shape[:2]
    b = found.boxes
    along_x, along_y = found.widths >= max_face / 2, found.heights >= max_face / 2
    left, right = (b[:, 0] <= x0 + 1) & (x0 > 0), (b[:, 2] >= x0 + tw - 1) & (x0 + tw < w)
    top, bottom = (b[:, 1] <= y0 + 1) & (y0 > 0), (b[:, 3] >= y0 + th - 1) & (y0 + th < h)
    return ((left | right) & along_y) | ((top | bottom) & along_x)


def _at_least(job: Callable[[], Regions], side: float) -> Regions:
    """What ``job`` finds whose box's longer side is at least ``side`` px."""
    found = job()
    return found[np.maximum(found.widths, found.heights) >= side] if len(found) else found


def turned_back(found: Regions, turn: int, width: int, height: int) -> Regions:
    """Regions found on a ``width`` x ``height`` picture turned by ``turn`` quarter turns counter-clockwise
    (``np.rot90(picture, turn)``), in the unturned picture's pixels: boxes and landmarks."""
    turn %= 4
    if not turn or not len(found):
        return found

    def point(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # np.rot90 once: turned[r, c] = picture[c, width - 1 - r], so a point (x, y) of the turned
        # picture is (width - y, x) of the picture (pixel edges, not centres); three times: (y, height - x)
        return {1: (width - y, x), 2: (width - x, height - y), 3: (y, height - x)}[turn]

    b = found.boxes
    xa, ya = point(b[:, 0], b[:, 1])
    xb, yb = point(b[:, 2], b[:, 3])
    boxes = np.stack([np.minimum(xa, xb), np.minimum(ya, yb), np.maximum(xa, xb), np.maximum(ya, yb)], 1)
    lx, ly = point(found.landmarks[..., 0], found.landmarks[..., 1])
    return Regions(boxes.astype(np.float32), found.scores, found.kinds, found.sources,
                   np.stack([lx, ly], -1).astype(np.float32))
