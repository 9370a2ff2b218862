"""Prove a video output: the photo's adversaries (``verify``) on frames sampled in time, and its metadata.

``unseen verify ORIGINAL.mp4 OUTPUT.mp4`` and ``--verify`` on a video run both come here. The two
files are decoded side by side, frame for frame (unseen writes one output frame per input frame, in
order, upright: ``media/video_check`` checks the count), and a frame is checked every ``every``
seconds of the original's time, the first and the last frame always, every frame when ``every`` is
0. Each checked pair goes through ``verify._check_frame``, exactly as a photo's frame does: faces the
adversary's detector still finds on pixels masking left alone, the recognizer's distance between
each original face and the same region of the output, and the text reader when plates or text are
covered. The metadata check is the one every video write passes (``media.video_check.verify_output``:
tags, streams, chapters, encoder strings, SEI, frame count).

Why sampled and not every frame by default: the adversary runs four detector passes on each side of
a pair, and a 1080p pair costs 10-15 s of CPU (docs/BENCHMARKS.md, "Verify: videos"); checking every
frame of the 1080p facenet clip would cost ~50x its anonymisation (105 frames at 14.8 s against ~29 s).
A sampled check is evidence about the file, not a proof for every frame: the report says how many
frames were checked, and ``--verify-every 0`` checks them all. What slips between sampled frames is the slip table's job
(bench/video_bench.py slips).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import frame_work, verify
from .errors import UnseenError
from .media.ffmpeg import av, error_line, open_input
from .media.video_check import verify_output
from .media.video_read import DecodedFrame, Reader, video_stream

EVERY_SECONDS = 1.0  # one checked frame per second of video, plus the first and the last
# (FFmpeg's codec name, container) -> unseen's codec name (``media.video_write.CODECS``), as unseen writes them.
_WRITTEN = {("h264", "mp4"): "h264", ("hevc", "mp4"): "h265", ("vp9", "webm"): "vp9"}


def _codec(container: Any) -> str | None:
    """unseen's name for the output's codec when the file is one unseen could have written, else None."""
    demuxer = container.format.name or ""
    fmt = "webm" if "webm" in demuxer else "mp4" if "mp4" in demuxer else ""
    name = container.streams.video[0].codec_context.name if container.streams.video else ""
    return _WRITTEN.get((name, fmt))


class _Frames:
    """One file's upright frames, decoded as the anonymiser decodes them (``media.video_read.Reader``)."""

    def __init__(self, path: Path, max_pixels: int | None):
        self.path = path
        try:
            self.container = open_input(path)
        except UnseenError as exc:
            raise verify.VerifyInputError(path, str(exc)) from None
        try:
            self.stream = video_stream(self.container)
        except UnseenError as exc:
            self.container.close()
            raise verify.VerifyInputError(path, str(exc)) from None
        self.reader = Reader(self.container, self.stream, max_pixels=max_pixels)
        self.count = 0

    def frames(self):
        try:
            for f in self.reader.video_frames():
                self.count += 1
                yield f
        except UnseenError as exc:  # the reader's words are the anonymiser's: nothing is written here anyway
            raise verify.VerifyInputError(self.path, str(exc).removesuffix("; nothing written")) from None
        except av().error.FFmpegError as exc:
            raise verify.VerifyInputError(self.path, f"cannot read video: {error_line(exc)}") from None

    def close(self) -> None:
        self.container.close()


def _pairs(original: _Frames, output: _Frames):
    """(original frame, output frame) in order; a file that ends first is an error naming both counts."""
    a, b = original.frames(), output.frames()
    while True:
        fa, fb = next(a, None), next(b, None)
        if fa is None and fb is None:
            return
        if fa is None or fb is None:
            for _ in a if fb is None else b:  # count the rest, for the message
                pass
            raise verify.VerifyInputError(output.path, f"output has {output.count} frame(s), original has "
                                          f"{original.count}: not an output of this original")
        yield fa, fb


def _size_check(fa: DecodedFrame, fb: DecodedFrame, path: Path) -> None:
    """The output's frames are the original's, or its even part (4:2:0 needs even sizes: unseen writes a
    1279x721 clip as 1278x720, which was "not an output of this original", a hunt, 2026-12-06)."""
    (wa, ha), (wb, hb) = fa.size, fb.size
    if (wb, hb) not in ((wa, ha), (wa - wa % 2, ha - ha % 2)):
        raise verify.VerifyInputError(path, f"output frame {fa.index + 1} is {wb}x{hb}, original is {wa}x{ha}: "
                                      "not an output of this original")


def verify_video(original: Path, output: Path, cover: tuple[str, ...] = verify.DEFAULT_COVER,
                 every: float = EVERY_SECONDS, max_pixels: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Check ``output`` against the video it was made from; returns ``verify.check``'s dict plus
    ``frames`` (in the file), ``frames_checked`` and ``every_seconds``. ``progress(checked, total)``
    is called as each frame's check ends (``total``: the frames to check, estimated from the stream's
    length until the last): a 1080p frame takes 10-15 s of CPU, so a long check is not silent.

    Raises ``verify.VerifyInputError`` naming the file at fault (unreadable, a different frame count
    or size) and ``UnseenError`` when the recognizer is not installed. Frames are checked two at a
    time (``frame_work.in_flight``): decoding waits while two pairs are being checked, so at most
    three pairs of frames are held at once whatever the length.
    """
    verify._models()  # fail early and clearly when the extra is missing
    if not every >= 0:
        raise UnseenError("--verify-every must be 0 (every frame) or a number of seconds")
    for path in (original, output):
        if not path.is_file():
            raise verify.VerifyInputError(path, "no such file" if not path.exists() else "not a regular file")
    tally = verify.Tally(framed=True)
    checked: list[int] = []
    a = _Frames(original, max_pixels)
    try:
        b = _Frames(output, max_pixels)
        try:
            _check_pairs(a, b, cover, every, tally, checked, progress)
            codec = _codec(b.container)
            audio = bool(b.container.streams.audio)
            frames = b.count
        finally:
            b.close()
    finally:
        a.close()
    if codec is None:
        leaks = ["not a video unseen writes (H.264 or H.265 in MP4, VP9 in WebM): its metadata was not checked"]
    else:
        leaks = verify_output(output, codec, frames, audio)
    result = tally.result(leaks, cover)
    how = "every frame" if every == 0 else f"one every {every:g} s, the first and last included"
    result["summary"] = f"{len(checked)} of {frames} frame(s) checked ({how}), " + result["summary"]
    return {"original": str(original), "output": str(output), **result, "frames": frames,
            "frames_checked": len(checked), "every_seconds": every}


def _to_check(stream: Any, every: float) -> int:
    """How many frames ``every`` will check, from the stream's frame count and rate (0: not known)."""
    frames, rate = int(stream.frames or 0), float(stream.average_rate or 0)
    if frames <= 0 or rate <= 0 or every * rate <= 1:  # every frame (0, or a step under one frame: 1e-320
        return max(frames, 0)                            # made the count below infinite, a traceback)
    return min(frames, int((frames - 1) / rate / every) + 2)  # one every ``every`` s, and the last


def _check_pairs(a: _Frames, b: _Frames, cover: tuple[str, ...], every: float, tally: verify.Tally,
                 checked: list[int], progress: Callable[[int, int], None] | None = None) -> None:
    """Check the sampled pairs, two at a time (one above ``frame_work.FRAME_OVERLAP_PIXELS``), results
    taken in frame order."""
    at_once = frame_work.in_flight(a.stream.width, a.stream.height)  # a rotation keeps the area
    total = _to_check(a.stream, every)
    pending: list[tuple[int, Future]] = []
    next_time = 0.0
    last: tuple[DecodedFrame, DecodedFrame] | None = None
    with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="unseen-verify") as pool:

        def submit(fa: DecodedFrame, fb: DecodedFrame) -> None:
            _size_check(fa, fb, b.path)
            while len(pending) >= at_once:
                take()
            w, h = fb.size  # the original's even part when the output was cropped to it (``_size_check``)
            pending.append((fa.index, pool.submit(verify._check_frame, fa.rgb[:h, :w], fb.rgb, cover)))
            checked.append(fa.index)

        def take() -> None:
            fi, fut = pending.pop(0)
            tally.add(fi, fut.result())
            if progress is not None:  # every submitted pair not pending any more is done
                progress(len(checked) - len(pending), max(total, len(checked)))

        for fa, fb in _pairs(a, b):
            if fa.time >= next_time or every == 0:
                submit(fa, fb)
                next_time = fa.time + every
                last = None
            else:
                last = (fa, fb)
        if last is not None:  # the last frame, always
            submit(*last)
        total = len(checked)  # known now: the estimate gives way to the count
        while pending:
            take()
