"""Licence plates and visible text: the text detector's boxes, judged by a rule, as Regions.

PP-OCRv6's detector (``detect/text.py``) finds plates down to ~8 px tall, but on ordinary phone
photos it also puts large boxes on texture (dark suits, lawns, flags, a scan's frame): 41% of a
photo covered on average. The rule below keeps every small box and asks the recogniser
(``detect/reader.py``) about the large ones:

* a box under ``MIN_READ`` px tall is always covered: too small for the recogniser to judge, and
  small in area (a far plate, a name badge);
* **plates** (the default): a larger box is covered when it reads like a plate: 4-10 letters or
  digits, with a digit or only Latin capitals, at confidence >= 0.5 (vanity plates without digits
  pass; most signs, logos and captions do not, and stay visible unless ``text`` is asked for). A
  read without a digit is not a plate when it is one line of a block (``stacked``): another line of
  about its height right above or below it. A plate's letters are one line (a second line on a
  plate holds digits, and digits are kept anyway); a sign's capitals often are not ("ROYAL / OPERA
  / HOUSE" over a door, a game box's title), and those covered a tenth of some clips' frames; a read of
  1-3 letters or digits next to a plate, or that reads as one with a short read next to it, is a line or
  group of that plate (``plate_parts``: two-line motorcycle and square plates);
* **text** (``--cover text``): a larger box is covered when it reads at least 2 letters or digits
  at confidence >= 0.5, or when the recogniser cannot read it but it is shaped like a line of text and the
  detector is sure of it (``unread_lines``: the recogniser knows Latin, Chinese and Cyrillic, and read an
  Arabic, Persian, Hebrew or Devanagari name banner as nothing);
* a box under ``SEARCH_INSIDE`` px whose read holds no text is read again on its core, the rectangle the
  detector grew it from (``CORE_READ``): a 12 px plate comes back in a box ~40 px tall, in which the
  recogniser often reads nothing;
* a box of at least ``SEARCH_INSIDE`` (64) px the rule turns down is searched again on its own, once
  (``inside``): the detector sometimes returns a small plate only as part of a larger region
  (lettering around it, a picture on a wall), and that region's read is no plate. What it finds
  inside is judged by the same rule, except a sign's line found again (``repeats``): already read.

Measured (docs/BENCHMARKS.md, "Plates and text"): 108/108 plates of the plate set, while the share of
WIDER crowd photos covered falls from 9.3% (every detector box) to 0.3% (plates) or 1.9% (text). A large plate the
recogniser cannot read (dirt, an unusual font) is the rule's known loss (docs/THREAT_MODEL.md).
What the recogniser reads is only compared with the rule here, then dropped.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import UnseenError, first_line
from ..regions import Regions, box_iou, intersection
from . import reader, text

MIN_READ = 32.0  # px: boxes at least this tall are read before they are covered
# A region the rule turns down is searched again on its own (``TextBoxes.inside``) when at least this
# tall: a lower one is a line of text, and its own letters, found again, would be covered as small boxes.
SEARCH_INSIDE = 2 * MIN_READ
INSIDE_PAD = 8  # px around a turned-down region searched again on its own
# ... unless it covers at least this many detector px (half a tile of ``text.find``): on a smooth
# background (a studio portrait's) the detector returns each tile as one box, unreadable, and searching
# inside those ran it over the picture again piece by piece, 2-3 s of CPU each: a real 12 MP portrait
# spent 40 s of CPU in the plate pass, deface 8-10 s on the whole photo. The regions the search is for are
# pictures with a hard edge (a framed photo, a poster) of a few hundred px, which the detector merged
# with a plate in them (docs/BENCHMARKS.md, "a small plate inside a larger text region"; "Plates and
# text: flat colours"). A share of the picture instead lost an 8 px plate on a photo shrunk to 100 px,
# whose regions are half the picture and cost nothing to search.
SEARCH_INSIDE_MAX = text.TILE * text.TILE // 2
# A quad too low to search inside (under SEARCH_INSIDE) whose read holds no text is read again on its core
# (``_reads``): DB's unclip grows each quad to ~2.6x its text's height, so a 12 px plate's quad is 31-43 px
# tall, over MIN_READ, and the recogniser, given 12 px of letters in a 40 px crop, read "" or "N030" at 0.38
# and the plate was turned down; its core read "W·053011" at 0.93. On real 1280 x 720 frames holding the
# plate set, covered 502 -> 551 of 648 plates at 12 px, 572 -> 604 at 16 px, for ~1.05x the plate pass's CPU
# and one more region on 37 crowd photos (docs/BENCHMARKS.md, "Plates and text: small plates read on their core").
CORE_READ = True
# A read quad whose read, and its core's, holds no text is read again turned (``read_turned``,
# ``reader.TURNS``): the recogniser reads upright lines only. On the plate set turned a quarter
# anticlockwise, half a turn, mirrored, or flipped top to bottom, the plate pass covered 33, 48, 58 and 81
# of 108 plates, and 104, 107, 102 and 94 with these reads (upright: 108 both ways). Only a quad at least
# TURN_ELONGATION times as long as it is high is read turned, as a line of text is: on 45 crowd photos, 3
# in 4 of the quads read again were squarer (texture), and reading them cost 13% of the plate pass's CPU
# for no plate (docs/BENCHMARKS.md, "Plates and text: turned and mirrored plates").
# A turned read counts only at TURNED_CONF or more: the recogniser reads capitals into ordinary lines read
# the wrong way round too. A photo agency's "TV Daily" watermark on a WIDER photo, searched inside, was read
# as a vanity plate flipped (0.60) and 7% of the picture went grey; on crowd photos such reads scored 0.52
# and 0.79, against 0.84-1.00 for all but one of the turned plates (0.71).
TURNED_READ = True
TURN_ELONGATION = 1.5
TURNED_CONF = 0.8
SAME_REGION = 0.8  # IoU with the region: what the search inside finds again is the region itself
# A region of at most this many detector px (before enlarging) in which the search inside finds nothing under
# SEARCH_INSIDE tall (only the region again, or other large boxes) is searched once more at twice the scale, and
# what either search found is judged (``inside``; 0: never): a pasted or framed picture of a few hundred px with
# a small plate in it comes back whole at 1x, its hard edge outweighing the plate. On real 1280 x 720 frames
# holding the plate set, covered 551 -> 576 of 648 plates at 12 px, 604 -> 616 at 16 px, for 1.04-1.08x the plate
# pass's CPU on the WIDER photos (1.01-1.05x on 37 crowd photos); what it adds are small boxes found at 2x, covered
# unread: gps-mov's game box 1.76% -> 1.91% of the frame (docs/BENCHMARKS.md, "Plates and text: a pasted
# picture searched again at 2x"). The limit keeps it off the larger regions whose 2x search cost more (a
# WIDER photo's 318 x 610 region, a 12 MP photo's 751 x 565) and on pasted pictures of up to ~390 px a side.
INSIDE_2X_MAX = 150_000
# Such a region searched at 2x even when the 1x search found something small in it: measured, not taken. On the
# same frames 576 -> 585 of 648 plates at 12 px, 616 -> 621 at 16 px, for 1.18x the plate pass's CPU on facenet's
# 1080p frames (1.04x on crowd photos) and more small boxes covered unread (facenet 0.54% -> 0.64% of the frame;
# docs/BENCHMARKS.md, "every small region searched at 2x", ``bench/plate_core.py --lever always2x``).
INSIDE_2X_ALWAYS = False
# A box the search inside finds that lies mostly (SAME_LINE) inside a sign's line, already read, and is at
# least 1 / LINE_RATIO of that line's height, is the line found again with a tighter box (``repeats``).
SAME_LINE = 0.7
LINE_RATIO = 2.0
MIN_CONF = 0.5  # mean character confidence of a read that counts
# With ``--cover text``, a box the recogniser cannot read is covered as text when it is at least this many times
# as long as it is high and the detector's score for it is at least UNREAD_LINE_SCORE (``unread_lines``). The
# recogniser reads Latin, Chinese and Cyrillic: name banners in Arabic, Persian, Hebrew and Devanagari pasted on
# a crowd photo at 12-80 px (a hunt, 2026-12-06) came back as nothing or a few letters at 0.2-0.45, and only 10 of
# 26 sizes were covered; their boxes were 2.35-4.8 times as long as high, scored 0.52-0.87, and are all covered
# with this rule. What else it covers: 18 boxes on 12 of 181 photos of ../shared/data (a skyline, a mountain's
# horizon, tree trunks, signs and a flag chart among them), 19 on 13 without UNREAD_LINE_TILT (docs/BENCHMARKS.md,
# "Plates and text: scripts the reader cannot read").
UNREAD_LINE_ELONGATION = 2.0
UNREAD_LINE_SCORE = 0.5
# ... and its long side within this many degrees of the horizontal or of the vertical (Korean, Japanese and
# Mongolian banners and signs run down): a slanted box was a branch or a shadow, never a line on the 181 photos of
# ../shared/data a review ran it on (2026-12-06; the banners lay within 4 degrees of level). Upright trunks, wind
# turbines and a crane stay covered with it: recall first, and text mode is asked for (a second review: a
# vertical Korean name banner went uncovered when only level lines counted).
UNREAD_LINE_TILT = 15.0
PART_RATIO = 2.5  # a plate's groups side by side: the taller box at most this many times the shorter
# Two boxes of about one height whose centres are less than this share of the smaller one's height
# apart are the same line found twice (``stacked``), not two lines of a block. The detector grows each
# box around its letters (DB's unclip), so two lines set close overlap by about half a box: "RED DEAD"
# over "REDEMPTION" on a game box came back 36 px apart in 65-68 px boxes (0.56 of the smaller), and
# at 0.7 was read as a vanity plate in that frame (docs/BENCHMARKS.md, "Video: frames where a face
# slips through").
SAME_ROW = 0.5
# Photos above this many pixels are searched for text at a reduced scale (the detector's cost grows
# with pixels; docs/BENCHMARKS.md, "Plates and text", recall by plate height, says what that costs in recall).
MAX_PIXELS = 16_000_000


def plate_like(read: str, conf: float) -> bool:
    """Does a read look like a licence plate (4-10 letters/digits, a digit or Latin capitals only)?
    Without a digit the letters must be Latin A-Z: Chinese has no lower case, and every one-line placard of
    4-10 characters ("我们要自由不要独裁") was covered as a vanity plate by default, while a Latin one of
    the same size stayed visible (a hunt, 2026-12-06; the plate set's 108 plates are covered either way)."""
    n = reader.alnum(read)
    return (4 <= len(n) <= 10 and conf >= MIN_CONF
            and (any(c.isdigit() for c in n) or (n.isascii() and not any(c.islower() for c in read))))


def text_like(read: str, conf: float) -> bool:
    """Does a read hold any text (2 or more letters/digits)?"""
    return len(reader.alnum(read)) >= 2 and conf >= MIN_CONF


def unread_lines(quads: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Which quads text mode covers even when their read holds no text: shaped like a line, level or upright
    (UNREAD_LINE_ELONGATION, UNREAD_LINE_TILT), and sure (UNREAD_LINE_SCORE). Why: a script the recogniser
    does not know reads as nothing, and a name banner in it is what ``--cover text`` is asked for."""
    if len(quads) == 0:
        return np.zeros(0, bool)
    sides = text.quad_sides(quads)
    first, second = quads[:, 1] - quads[:, 0], quads[:, 2] - quads[:, 1]
    along = np.where((np.hypot(*first.T) >= np.hypot(*second.T))[:, None], first, second)
    tilt = np.degrees(np.arctan2(np.abs(along[:, 1]), np.abs(along[:, 0])))
    level_or_upright = (tilt <= UNREAD_LINE_TILT) | (tilt >= 90.0 - UNREAD_LINE_TILT)
    return ((sides.max(0) >= UNREAD_LINE_ELONGATION * sides.min(0)) & (np.asarray(scores) >= UNREAD_LINE_SCORE)
            & level_or_upright)


class TextBoxes:
    """A detector backend (``detect/ensemble.BACKENDS``): text boxes kept by the rule, as Regions of
    kind ``plate`` (plates rule) or ``text`` (text rule, for boxes the plates rule would not keep).

    It tiles and scales by itself (``tile`` is larger than any image, so the ensemble hands it whole
    images) because the rule reads each box from the full-resolution pixels; a cap on the pixels of
    one run (video's) is handed on as ``strip_pixels`` (``text.find``).
    """

    tile = 1 << 30
    tiles_itself = True
    # CPU per pixel against RetinaFace's (ensemble job order only): the text detector and the reads
    # cost ~9x RetinaFace per pixel (~300 ms on a 0.7 MP photo); started last, this one job, the
    # longest, ran alone at the end of a photo while the other worker waited.
    cost = 9

    def __init__(self, kinds: tuple[str, ...] = ("plate",), max_pixels: int = MAX_PIXELS):
        if not kinds or not set(kinds) <= {"plate", "text"}:
            raise ValueError(f"TextBoxes covers plate and/or text, not {kinds}")
        self.kinds = kinds
        self.name = "+".join(sorted(kinds))
        self.max_pixels = max_pixels

    def __call__(self, rgb: np.ndarray, threshold: float, strip_pixels: int = 0) -> Regions:
        """Plates (and text) in an RGB image; any failure is an ``UnseenError`` naming this detector,
        so the file fails closed with one line instead of being written without its plates."""
        try:
            h, w = rgb.shape[:2]
            scale = min(1.0, math.sqrt(self.max_pixels / max(1, h * w)))
            params = text.DBParams(box_thresh=threshold)
            quads, scores = text.find(rgb, scale, params, strip_pixels)
            reads = _reads(rgb, quads)
            kinds = self.verdicts(quads, reads, scores=scores)
            found = self.regions(rgb, quads, scores, kinds)
            heights = text.quad_heights(quads)
            # read (>= MIN_READ tall) and no plate, tall enough to hold a line under MIN_READ besides,
            # and not half a tile of the detector's (of the picture's pixels: a box reaches past its edge)
            boxes = np.clip(text.quad_boxes(quads), 0, [w, h, w, h]) if len(quads) else np.zeros((0, 4))
            tile_size = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) * scale * scale >= SEARCH_INSIDE_MAX
            turned_down = [i for i, k in enumerate(kinds) if k is None and heights[i] >= SEARCH_INSIDE
                           and not tile_size[i]]
            if not turned_down:
                return found
            inner, inner_scores = self.inside(rgb, quads[turned_down], scale, params, strip_pixels)
            # a sign's line found again is not judged again (``repeats``); the rest is judged among all
            # the lines found, so that a line of a sign stays one line of a block
            again = repeats(inner, quads[sign_lines(quads, kinds, reads)])
            inner, inner_scores = inner[~again], inner_scores[~again]
            inner_kinds = self.rule(rgb, inner, context=quads, scores=inner_scores)
            return Regions.concat([found, self.regions(rgb, inner, inner_scores, inner_kinds)])
        except UnseenError:
            raise
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - onnxruntime, Pillow, numpy: one line, no output
            raise UnseenError(f"plate/text detector failed: {type(exc).__name__}: {first_line(exc)}") from None

    def judge(self, rgb: np.ndarray, quads: np.ndarray, scores: np.ndarray) -> Regions:
        """Apply the rule to detected quads (in ``rgb``'s pixels): the Regions it keeps."""
        return self.regions(rgb, quads, scores, self.rule(rgb, quads, scores=scores))

    def rule(self, rgb: np.ndarray, quads: np.ndarray, context: np.ndarray | None = None,
             scores: np.ndarray | None = None) -> list[str | None]:
        """The kind each quad is covered as (``plate``, ``text``), or None where the rule turns it down.
        ``context``: other quads found in the same picture, for the block rule (``stacked``) only;
        ``scores``: the detector's, for text mode's unread lines (``unread_lines``)."""
        return self.verdicts(quads, _reads(rgb, quads), context, scores)

    def verdicts(self, quads: np.ndarray, reads: dict[int, tuple[str, float]],
                 context: np.ndarray | None = None, scores: np.ndarray | None = None) -> list[str | None]:
        """``rule`` given the reads of the quads at least MIN_READ tall (``_reads``)."""
        if len(quads) == 0:
            return []
        every = quads if context is None or len(context) == 0 else np.concatenate([quads, context])
        lines = stacked(every, text.quad_heights(every))[: len(quads)]
        sure = (unread_lines(quads, scores) if "text" in self.kinds and scores is not None
                else np.zeros(len(quads), bool))
        kinds = [self._kind(i, reads, bool(lines[i]), bool(sure[i])) for i in range(len(quads))]
        if "plate" in self.kinds:
            heights = text.quad_heights(quads)
            near = _stacked_pairs(quads, heights) | _beside_pairs(quads, heights)
            kinds = plate_parts(kinds, reads, near)
        return kinds

    def inside(self, rgb: np.ndarray, quads: np.ndarray, scale: float, params: text.DBParams,
               strip_pixels: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Text found in each region on its own (its bounding box grown by INSIDE_PAD px), other than the
        region itself found again; at twice the scale when the region is small and that finds nothing
        under SEARCH_INSIDE (``INSIDE_2X_MAX``; whatever it finds with ``INSIDE_2X_ALWAYS``, a bench's
        lever). Measured on small plates pasted into a real 4 MP photo, where the detector returned the
        picture around each as one region: 12 of 18 covered at 12 px instead of 1, 16 instead of 8 at
        16 px (docs/BENCHMARKS.md, "a small plate inside a larger text region")."""
        h, w = rgb.shape[:2]
        found_q, found_s = [np.zeros((0, 4, 2), np.float32)], [np.zeros(0, np.float32)]
        for box in text.quad_boxes(quads):
            x0, y0 = max(0, int(box[0]) - INSIDE_PAD), max(0, int(box[1]) - INSIDE_PAD)
            x1, y1 = min(w, math.ceil(box[2]) + INSIDE_PAD), min(h, math.ceil(box[3]) + INSIDE_PAD)
            crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
            large = (y1 - y0) * (x1 - x0) * scale * scale > INSIDE_2X_MAX
            for at in (scale, 2 * scale):
                q, sc = _found_inside(crop, box, x0, y0, at, params, strip_pixels)
                found_q.append(q)
                found_s.append(sc)
                if large or (not INSIDE_2X_ALWAYS and (text.quad_heights(q) < SEARCH_INSIDE).any()):
                    break  # too large a region for a search at 2x, or something small found already
        return np.concatenate(found_q), np.concatenate(found_s)

    def regions(self, rgb: np.ndarray, quads: np.ndarray, scores: np.ndarray,
                kinds: list[str | None]) -> Regions:
        """The quads the rule keeps, as Regions; overlapping kept boxes of one kind are merged into
        their union (never averaged: a box cut by a tile border must not shrink the whole plate's box)."""
        h, w = rgb.shape[:2]
        parts = []
        for kind in self.kinds:
            keep = [i for i in range(len(quads)) if kinds[i] == kind]
            if keep:
                boxes = text.quad_boxes(quads[keep])
                parts.append(union_merge(Regions.from_boxes(boxes, scores[keep], kind, "ppocr").clipped(w, h)))
        return Regions.concat(parts) if parts else Regions.empty()

    def _kind(self, i: int, reads: dict[int, tuple[str, float]], in_block: bool = False,
              unread_line: bool = False) -> str | None:
        if i not in reads:  # small: always covered (as a plate when plates are asked for)
            return "plate" if "plate" in self.kinds else "text"
        if "plate" in self.kinds and plate_read(*reads[i], in_block):
            return "plate"
        if "text" in self.kinds and (text_like(*reads[i]) or unread_line):
            return "text"
        return None


def _found_inside(crop: np.ndarray, box: np.ndarray, x0: int, y0: int, scale: float, params: text.DBParams,
                  strip_pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """Quads and scores ``text.find`` gives on ``crop`` (cut at ``x0``, ``y0`` around the region ``box``), in
    the picture's pixels, other than the region itself found again."""
    q, sc = text.find(crop, scale, params, strip_pixels)
    if len(q) == 0:
        return q, sc
    q = q + np.array([x0, y0], np.float32)
    other = box_iou(text.quad_boxes(q), box[None])[:, 0] < SAME_REGION
    return q[other], sc[other]


def _reads(rgb: np.ndarray, quads: np.ndarray) -> dict[int, tuple[str, float]]:
    """(text, confidence) of each quad at least MIN_READ tall, by its index; smaller ones are not read.
    Reads that hold no text are tried again on the quad's core (``read_cores``)."""
    big = np.nonzero(text.quad_heights(quads) >= MIN_READ)[0] if len(quads) else []
    if not len(big):
        return {}
    reads = dict(zip(big.tolist(), reader.read(rgb, quads[big]), strict=True))
    read_cores([rgb], quads, [reads], big.tolist())
    read_turned([rgb], quads, [reads], big.tolist())
    return reads


def read_cores(pictures: list[np.ndarray], quads: np.ndarray, reads: list, indices: list[int]) -> None:
    """With CORE_READ, each of ``indices`` whose quad is under SEARCH_INSIDE and whose read in the first
    picture (``reads[0][i]``) holds no text (``text_like``) is read again on its core (``text.core``) in
    every picture; where the first picture's core read holds text, those reads replace ``reads[k][i]``
    (in place; dicts or lists by index). Masking reads one picture; the reader adversary
    (``verify.text_check``) the original and the output, so that both ask the same question."""
    heights = text.quad_heights(quads) if len(quads) else np.zeros(0)
    again = [i for i in indices if heights[i] < SEARCH_INSIDE and not text_like(*reads[0][i])]
    if not CORE_READ or not again:
        return
    cores = text.core(quads[again])
    got = [reader.read(picture, cores) for picture in pictures]
    for k, i in enumerate(again):
        if text_like(*got[0][k]):
            for r, g in zip(reads, got, strict=True):
                r[i] = g[k]


def read_turned(pictures: list[np.ndarray], quads: np.ndarray, reads: list, indices: list[int]) -> None:
    """With TURNED_READ, each of ``indices`` whose quad is as long as a line (TURN_ELONGATION) and whose read
    in the first picture holds no text is read again turned each way of ``reader.TURNS`` in every picture.
    Where the first picture's best turned read (a plate's first, then the most confident) holds text at
    TURNED_CONF or more, that turn's reads replace ``reads[k][i]`` (in place, as ``read_cores``: the reader
    adversary asks the same question of an original and its output)."""
    sides = text.quad_sides(quads)
    long = sides.max(0) >= TURN_ELONGATION * sides.min(0)
    again = [i for i in indices if long[i] and not text_like(*reads[0][i])]
    if not TURNED_READ or not again:
        return
    got = [reader.read_turned(picture, quads[again]) for picture in pictures]
    for k, i in enumerate(again):
        turns = got[0][k]
        best = max(range(len(turns)), key=lambda t: (plate_like(*turns[t]), turns[t][1]))
        if text_like(*turns[best]) and turns[best][1] >= TURNED_CONF:
            for r, g in zip(reads, got, strict=True):
                r[i] = g[k][best]


def sign_lines(quads: np.ndarray, kinds: list[str | None], reads: dict[int, tuple[str, float]]) -> list[int]:
    """Indices of a sign's lines: turned down by the rule, read as text with confidence (``text_like``),
    and one line of a block (``stacked``). A box whose read failed is not one: a plate the reader could
    not make out at that size may be inside it."""
    block = stacked(quads, text.quad_heights(quads))
    return [i for i, k in enumerate(kinds) if k is None and block[i] and i in reads and text_like(*reads[i])]


def repeats(inner: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """For each quad found by the search inside: is it one of ``lines`` found again (a sign's lines: read
    as text with confidence, turned down, one line of a block)? At least SAME_LINE of its box inside the
    line's, and at least 1 / LINE_RATIO of the line's height: a tighter box around the same words,
    already read. Judged again alone, a small one was covered unread ("ROYAL" over facenet's door, 31
    px inside a 39 px line) and a taller one lost the block's context ("REDEMPTION" under "RED DEAD" on
    a game box, read as a vanity plate). A small plate inside a large region is no such repeat: the
    region is several times its height; nor is one inside its own box that the reader could not read
    (a 16 px plate's 43 px box, read at confidence 0.44, beside a texture box of its height)."""
    if len(inner) == 0 or len(lines) == 0:
        return np.zeros(len(inner), bool)
    a, b = text.quad_boxes(inner), text.quad_boxes(lines)
    area = np.maximum((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]), 1e-6)
    within = intersection(a, b) / area[:, None] >= SAME_LINE
    similar = text.quad_heights(lines)[None, :] <= LINE_RATIO * text.quad_heights(inner)[:, None]
    return (within & similar).any(1)


def plate_read(read: str, conf: float, in_block: bool) -> bool:
    """Does a read box count as a plate? It reads like one (``plate_like``), and capitals without a
    digit that are one line of a block (``stacked``) are a sign, not a vanity plate. The reader
    adversary (``unseen.verify.text_check``) asks the same question of the original's text."""
    return plate_like(read, conf) and (not in_block or _has_digit(read))


def _short_part(read: str, conf: float) -> bool:
    """A read that may be one line or group of a plate that reads as a plate only whole: 1-3 letters or
    digits, confident, with a digit or no lower-case letter."""
    n = reader.alnum(read)
    return 1 <= len(n) <= 3 and conf >= MIN_CONF and (_has_digit(read) or not any(c.islower() for c in read))


def plate_parts(kinds: list[str | None], reads: dict[int, tuple[str, float]], near: np.ndarray) -> list[str | None]:
    """``kinds`` with a plate's short lines and groups covered as plate too. The detector boxes each line
    of a two-line plate (motorcycles, squares, trucks) apart, and on their own "M AB" over "123",
    "CDE" under "AB12", "ZH" over "123456" are no plate (fewer than 4 letters or digits): they stayed
    readable, the whole motorcycle plate in a clip's every frame (docs/BENCHMARKS.md, "Plates and text:
    a plate's short lines"). A short read (``_short_part``) turned down is a plate when it sits right
    above, below or beside (``near``) a box covered as a plate, or a short read that together with it
    reads like a plate with a digit (``plate_like``: "MAB123")."""
    out = list(kinds)
    short = {i for i, k in enumerate(kinds) if k is None and i in reads and _short_part(*reads[i])}
    for i in short:
        for j in np.nonzero(near[i])[0]:
            if kinds[j] == "plate":
                out[i] = "plate"
            elif j in short:
                joint = reads[i][0] + reads[j][0]  # in either order: ``plate_like`` counts, never spells
                if plate_like(joint, min(reads[i][1], reads[j][1])) and _has_digit(joint):
                    out[i] = "plate"
    return out


def _has_digit(read: str) -> bool:
    return any(c.isdigit() for c in reader.alnum(read))


def stacked(quads: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """For each quad: is it one line of a block of text? True when another quad of about its height
    (0.6-1.6x) sits right above or below it (a gap under half the lower line's height, centres at
    least SAME_ROW of it apart, so not the same line; the detector's boxes of two close lines often
    overlap) and overlaps it sideways by half the narrower of the two."""
    return _stacked_pairs(quads, heights).any(1)


def _stacked_pairs(quads: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """(n, n): quad j is a line right above or below quad i (``stacked``)."""
    n = len(quads)
    if n < 2:
        return np.zeros((n, n), bool)
    lo, hi = quads.min(1), quads.max(1)  # (n, 2) x, y
    hgt = np.maximum(heights.astype(np.float32), 1.0)
    ratio = hgt[None, :] / hgt[:, None]
    gap = np.maximum(lo[None, :, 1] - hi[:, None, 1], lo[:, None, 1] - hi[None, :, 1])
    centres = np.abs((lo[:, 1] + hi[:, 1])[:, None] - (lo[:, 1] + hi[:, 1])[None, :]) / 2
    overlap = np.minimum(hi[:, None, 0], hi[None, :, 0]) - np.maximum(lo[:, None, 0], lo[None, :, 0])
    width = hi[:, 0] - lo[:, 0]
    line = np.minimum(hgt[:, None], hgt[None, :])
    near = ((ratio >= 0.6) & (ratio <= 1.6) & (gap < 0.5 * line) & (centres >= SAME_ROW * line)
            & (overlap >= 0.5 * np.minimum(width[:, None], width[None, :])))
    np.fill_diagonal(near, False)
    return near


def _beside_pairs(quads: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """(n, n): quad j is on quad i's line (the centres less than SAME_ROW of the taller one's height
    apart), at most PART_RATIO times as tall or short, and at most the shorter one's height away
    sideways: the groups of one plate ("J" and "123"; the detector boxed that "J" at 26 px beside the
    62 px box of "123"). Without the bound on height a box over a whole video frame, read as one
    letter, sat "beside" every small box in it and was covered as a plate."""
    n = len(quads)
    if n < 2:
        return np.zeros((n, n), bool)
    lo, hi = quads.min(1), quads.max(1)
    hgt = np.maximum(heights.astype(np.float32), 1.0)
    ratio = hgt[None, :] / hgt[:, None]
    line = np.maximum(hgt[:, None], hgt[None, :])
    centres = np.abs((lo[:, 1] + hi[:, 1])[:, None] - (lo[:, 1] + hi[:, 1])[None, :]) / 2
    gap = np.maximum(lo[None, :, 0] - hi[:, None, 0], lo[:, None, 0] - hi[None, :, 0])
    near = ((centres < SAME_ROW * line) & (gap <= np.minimum(hgt[:, None], hgt[None, :]))
            & (ratio >= 1 / PART_RATIO) & (ratio <= PART_RATIO))
    np.fill_diagonal(near, False)
    return near


def union_merge(regions: Regions, share: float = 0.3) -> Regions:
    """Merge boxes that overlap by ``share`` of the smaller one into their union, until none do."""
    while len(regions) > 1:
        b = regions.boxes
        area = regions.areas
        adj = intersection(b, b) >= share * np.maximum(np.minimum(area[:, None], area[None, :]), 1e-6)
        n = len(b)
        label = np.arange(n)
        while True:  # connected components: each box takes the smallest label among its neighbours
            new = np.minimum(np.where(adj, label[None, :], n).min(1), label)
            if np.array_equal(new, label):
                break
            label = new
        roots = np.unique(label)
        if len(roots) == n:
            return regions
        boxes = np.stack([np.concatenate([b[label == r, :2].min(0), b[label == r, 2:].max(0)]) for r in roots])
        scores = np.array([regions.scores[label == r].max() for r in roots], np.float32)
        out = regions[roots]
        regions = Regions(boxes.astype(np.float32), scores, out.kinds, out.sources, out.landmarks)
    return regions
