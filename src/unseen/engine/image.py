"""One photo through the whole flow: read -> detect -> pad -> mask -> self-check -> encode -> check.

``cover`` works on pixels already in memory, so the library API, the review page's preview and
the verify adversary run exactly the steps a file goes through (``anonymize_image_file``).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import ImageSequence

from .. import frame_work, mask
from ..boxes import BoxSet
from ..detect.shown import detect_shown
from ..errors import UnseenError
from ..media import image as image_io
from ..media import image_check, image_write
from ..media.gpano import Span
from ..media.image_open import limit_lifted, open_allowed
from ..options import Options
from ..regions import Frame, Regions, inside_share
from ..report import Report
from .output import atomic_output, claim, identity, unchanged_since
from .plan import Job

Planes = tuple[np.ndarray, np.ndarray | None]  # a frame's RGB and alpha (None: opaque)
_NO_PIXELS = np.zeros((0, 0, 3), np.uint8)  # what a covered frame kept for its repeats holds instead of pixels
# A self-check detection this much inside an already covered region is that region's own outline.
INSIDE_COVERED = 0.6


@dataclass
class Covered:
    """One frame's result: masked pixels and what was covered, before and after padding."""

    pixels: np.ndarray
    found: Regions  # regions asked for (detected + added), as found
    regions: Regions  # what was covered: padded, clipped, self-check additions included
    self_check_extra: int = 0  # regions the re-detection still found, then covered
    again: Regions | None = None  # those regions as found (covered over the first mask)
    alpha: np.ndarray | None = None  # the frame's alpha, opaque where it was covered (None: opaque)


CoveredFrame = tuple[Covered, np.ndarray | None]  # a covered frame and its alpha


@dataclass
class MaskedImage:
    """Result of anonymising one decoded image (all frames)."""

    frames: list[Frame]  # masked pixels with the regions that were covered
    counts: dict[str, int]  # regions per kind (largest over the frames of an animation)
    self_check_extra: int = 0
    alpha: list[np.ndarray | None] | None = None  # each frame's alpha as covered (None: the input's)


def mask_frame(pixels: np.ndarray, regions: Regions, options: Options,
               rng: np.random.Generator | None = None) -> tuple[np.ndarray, Regions]:
    """Pad regions by their kind (``kinds.KINDS``) and cover them; returns the covered pixels and
    the padded regions clipped to the image (what the reports and the self-check count)."""
    h, w = pixels.shape[:2]
    drawn = regions.to_draw(options.pad, w, h)
    return mask.apply(pixels, drawn, options.mask_spec, rng), drawn.clipped(w, h)  # clipped: ``Regions.padded``


def mask_planes(planes: np.ndarray, size: tuple[int, int], regions: Regions, options: Options,
                full_range: bool) -> bool:
    """``mask_frame`` on a video frame's decoded yuv420p planes, in place (``mask.fill_yuv420p``);
    False when the style needs the RGB path."""
    return mask.fill_yuv420p(planes, regions.to_draw(options.pad, *size), options.mask_spec, full_range)


def cover(pixels: np.ndarray, detector: Any, options: Options, extra: Regions | None = None,
          detected: Regions | None = None, alpha: np.ndarray | None = None, span: Span | None = None) -> Covered:
    """Mask one RGB frame. ``detected`` replaces detection (a reviewer checked every region).

    ``alpha``: the detectors look at what a viewer shows (``raster.views``: over black, and over white
    when partly transparent), and the cover is opaque: a face carried by alpha alone stayed in view
    through a fill drawn on the colour only."""
    found = detect_shown(detector, pixels, alpha, span=span) if detected is None else detected
    if extra is not None:
        found = found + extra
    out, covered = mask_frame(pixels, found, options)
    alpha = _opaque_under(alpha, covered, options)
    extra_found = 0
    if options.self_check:
        # Detect again on the result: anything still face-like gets covered too. One round only:
        # the fill itself must not be mistaken for a new face forever.
        again = detect_shown(detector, out, alpha, check=True, span=span)
        again = again[inside_share(again.boxes, covered.boxes) < INSIDE_COVERED] if len(again) else again
        if len(again):
            extra_found = len(again)
            out, more = mask_frame(out, again, options)
            alpha = _opaque_under(alpha, more, options)
            covered = covered + more
    return Covered(out, found, covered, extra_found, again if extra_found else None, alpha)


def _opaque_under(alpha: np.ndarray | None, padded: Regions, options: Options) -> np.ndarray | None:
    """``alpha`` made opaque wherever ``padded`` regions were covered."""
    if alpha is None or not len(padded) or alpha.min(initial=255) == 255:
        return alpha
    h, w = alpha.shape
    alpha = alpha.copy()
    alpha[mask.coverage(padded, w, h, options.mask_spec.shape)] = 255
    return alpha


def cover_like(pixels: np.ndarray, first: Covered, options: Options) -> Covered:
    """Mask ``pixels`` (a frame repeating another's: colour and alpha) with what covered that frame,
    without detecting: the same pixels for fill, pixelate and blur (noise is drawn afresh)."""
    out, _ = mask_frame(pixels, first.found, options)
    if first.again is not None:
        out, _ = mask_frame(out, first.again, options)
    return replace(first, pixels=out)


def cover_frames(img: image_io.DecodedImage, detector: Any, options: Options, extra: Regions | None = None,
                 detected: Regions | None = None) -> Iterator[CoveredFrame]:
    """Every frame of a decoded photo or animation, covered, with its alpha, in order, as the caller
    takes them (``frame_work.in_order``): distinct frames up to 4 MP two at a time (one frame alone
    leaves the second core idle between its passes); a frame that repeats an earlier frame's pixels is
    masked with that frame's regions (the detectors give the same boxes for the same pixels). Frames
    are read as they are reached (``img.each()``) and let go once taken, so an animation read lazily
    is covered and written (``encode_checked``) a few frames at a time. Each frame's result is what
    it would be alone. Close the iterator when stopping early."""
    w, h = img.size

    def work(frame: Planes) -> CoveredFrame:
        c = cover(frame[0], detector, options, extra, detected, alpha=frame[1], span=img.sphere)
        return c, c.alpha

    def again(frame: Planes, first: Covered) -> CoveredFrame:
        return cover_like(frame[0], first, options), _opaque_under(frame[1], first.regions, options)

    return frame_work.in_order(work, _keyed(img), frame_work.in_flight(w, h),
                               lambda r: replace(r[0], pixels=_NO_PIXELS, alpha=None), again)


def _keyed(img: image_io.DecodedImage) -> Iterator[tuple[bytes, Planes]]:
    """Each frame with its identity: colour and alpha (a face may be carried by alpha alone)."""
    for frame in img.each():
        key = frame_work.digest(frame[0])
        yield (key if frame[1] is None else key + frame_work.digest(frame[1])), frame
        del frame  # see ``_Seen.each``


def cover_decoded(img: image_io.DecodedImage, detector: Any, options: Options,
                  extra: Regions | None = None, detected: Regions | None = None) -> MaskedImage:
    """``cover_frames`` with every frame kept, for a caller that wants them all in memory (the tests,
    bench/animations.py, bench/fuzz_readers.py); a file is covered and written a few frames at a time
    (``anonymize_image_file``)."""
    tally = Tally()
    frames, alpha = [], []
    with contextlib.closing(cover_frames(img, detector, options, extra, detected)) as done:
        for i, (c, a) in enumerate(tally.each(done)):
            frames.append(Frame(c.pixels, c.regions, index=i))
            alpha.append(a)
    return MaskedImage(frames=frames, counts=tally.counts, self_check_extra=tally.self_check_extra, alpha=alpha)


class Tally:
    """What a file's covered frames add up to, counted as they pass (``each``): regions per kind (the
    most in any frame of an animation) and the self-check's additions."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.self_check_extra = 0

    def each(self, done: Iterable[CoveredFrame]) -> Iterator[CoveredFrame]:
        for c, alpha in done:
            for kind, n in c.found.counts().items():
                self.counts[kind] = max(self.counts.get(kind, 0), n)
            self.self_check_extra += c.self_check_extra
            yield c, alpha
            del c, alpha  # see ``_Seen.each``


def encode_checked(img: image_io.DecodedImage, masked: MaskedImage | Iterable[CoveredFrame],
                   notes: list[str] | None = None) -> bytes:
    """Encode, then re-read the bytes: any metadata beyond the minimum, or bad pixels, fails the file.
    ``masked``: every frame covered (``cover_decoded``), or covered frames with their alpha as they
    come (``cover_frames``), taken one at a time by the writer.

    An animation may come back with fewer frames: the writers fold a frame identical to the one before
    into it (``image_io.shown_frames``). That passes only when the timeline is the same, and is noted."""
    fmt = img.output_format
    if isinstance(masked, MaskedImage):
        planes = zip((f.pixels for f in masked.frames), img.alpha if masked.alpha is None else masked.alpha,
                     strict=True)
    else:
        planes = _planes_of(masked)
    seen = _Seen()
    data = image_write.encode_planes(img, seen.each(planes), fmt)
    leaks = image_check.leaks(data, fmt)
    if leaks:
        raise UnseenError("output still carries metadata (" + "; ".join(leaks) + "); nothing written")
    try:
        with limit_lifted(), open_allowed(io.BytesIO(data), (fmt,)) as back:  # parsed as what it was written as
            back.load()
            size = back.size
            n = getattr(back, "n_frames", 1)
            expected = seen.count
            # frames' times only when some seem missing (walking every frame decodes it: ~1.5 s for 201)
            times = [image_io.frame_ms(f) for f in ImageSequence.Iterator(back)] if 1 < n < expected else []
    except Exception as exc:  # noqa: BLE001 - our own bytes not decoding fails the file
        raise UnseenError(f"output does not decode ({exc}); nothing written") from None
    h, w = seen.shape[:2]
    # All frames alike once masked: PNG and WebP write one still picture (no timeline left to compare).
    still = n == 1 and expected > 1 and seen.alike
    folded = still or (1 < n < expected and image_io.shown_frames(img.durations, times) is not None)
    if size != (w, h) or (n != expected and not folded):
        raise UnseenError(f"output is {size} x{n}, expected {(w, h)} x{expected}; nothing written")
    if folded and notes is not None:
        notes.append(f"all {expected} frames the same once masked: written as one picture" if still else
                     f"{expected - n} of {expected} frames the same as the frame before them once masked: "
                     "written as that frame, shown as long")
    return data


class _Seen:
    """What passed on the way to the writer: how many frames, the first one's shape, whether all were alike."""

    def __init__(self) -> None:
        self.count, self.shape, self.alike = 0, (0, 0), True
        self._first = b""

    def each(self, planes: Iterable[Planes]) -> Iterator[Planes]:
        for rgb, alpha in planes:
            key = frame_work.digest(rgb)
            if not self.count:
                self.shape, self._first = rgb.shape, key
            self.alike = self.alike and key == self._first
            self.count += 1
            yield rgb, alpha
            # Resumed when the writer asks for the next frame, before that frame is read and covered:
            # this one's pixels are let go first (a suspended loop would hold them through the next
            # frame's detection: ~100 MB an 8K frame, at each step of this chain).
            del rgb, alpha


def _planes_of(done: Iterable[CoveredFrame]) -> Iterator[Planes]:
    for c, alpha in done:
        yield c.pixels, alpha
        del c, alpha  # see ``_Seen.each``


def _dropped(src: Path) -> list[str]:
    """What the input carried that the output does not: for the report only (the output is clean
    by construction and checked by ``image_check``)."""
    from ..inspect.image import inspect_image

    try:
        found = inspect_image(src)
    except Exception:  # noqa: BLE001 - informative only
        return ["(could not list input metadata)"]
    return (["GPS"] if found.gps else []) + found.blocks + [t["kind"] for t in found.thumbnails]


def anonymize_image_file(job: Job, options: Options, detector: Any, report: Report,
                         boxset: BoxSet | None) -> None:
    """Read, cover, encode, check (and verify, if asked) one photo; write it atomically."""
    before = identity(job.src)
    with image_io.read(job.src, options.photo_pixel_limit, lazy=True) as img:
        _anonymize(job, img, options, detector, report, boxset, before)


def _anonymize(job: Job, img: image_io.DecodedImage, options: Options, detector: Any, report: Report,
               boxset: BoxSet | None, before: tuple[int, ...]) -> None:
    dst = job.destination(image_io.EXTENSION[img.output_format])
    job.check_destination(dst)
    if note := job.name_note(image_io.EXTENSION[img.output_format], img.format):
        report.notes.append(note)
    claim(dst, options.force)  # before detection: an existing output fails (or is skipped) at once
    report.format_in, report.format_out, report.frames = img.format, img.output_format, len(img.frames)
    if img.format != img.output_format:
        report.notes.append(f"{img.format} written as {img.output_format}")
    report.notes.extend(img.notes)
    report.warnings.extend(img.warnings)
    report.metadata_dropped = _dropped(job.src)
    if boxset is not None:
        boxset.check_fits(img.frames[0].shape[1], img.frames[0].shape[0])
    only = boxset is not None and boxset.mode == "only"
    extra = boxset.regions if boxset is not None and not only else None
    if only:
        said = ("no detector ran: the boxes file gives the regions to cover (mode only)"
                + ("" if options.self_check else ", and --no-self-check leaves no check behind them"))
        if boxset.only_for_all:  # a hand-made line, not a review of this file: said where it is read
            report.warnings.append(said + ", in an entry that names no file, so for every input")
        else:
            report.notes.append(said)
    tally = Tally()  # an animation's frames are read, covered and written a few at a time
    with contextlib.closing(cover_frames(img, detector, options, extra=extra,
                                         detected=boxset.regions if only else None)) as covered:
        data = encode_checked(img, tally.each(covered), report.notes)
    report.set_counts(tally.counts)
    report.self_check_extra = tally.self_check_extra
    if options.verify:
        from ..verify import verify_pixels  # optional extra: dlib recognizer

        report.verify = verify_pixels(img.frames, data, img.output_format, options.cover, img.durations)
        if report.verify.get("verdict") != "pass":
            raise UnseenError(f"verify failed: {report.verify.get('summary', 'a face or text may still be readable')}")
    unchanged_since(job.src, before)  # an animation's frames were decoded again as they were covered
    with atomic_output(dst, options.force, source=job.src) as tmp:
        tmp.write_bytes(data)
    report.output = str(dst)
