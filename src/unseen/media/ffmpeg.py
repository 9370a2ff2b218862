"""The only way unseen opens a video file with FFmpeg (through PyAV), for reading or writing.

FFmpeg reads URLs, not paths: ``http:host:80.mp4`` is a web address to it, ``tcp:...`` a socket,
``concat:a|b`` several files. A file in a folder someone hands us can carry such a name, so every
open here (1) passes an absolute path, which no protocol prefix can start, and (2) allows only the
``file`` protocol and a short list of demuxers (no playlists, concat scripts or image sequences that
would open other files). Nothing else in unseen may call ``av.open``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import UnseenError, first_line
from . import VIDEO_NAMES

# Demuxers we accept. Anything else (playlists, concat scripts, image sequences, network formats)
# is refused before it can open another file or URL.
FORMAT_WHITELIST = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts"
INPUT_OPTIONS = {"format_whitelist": FORMAT_WHITELIST, "protocol_whitelist": "file"}


def av() -> Any:
    """The PyAV module, imported on first use (photos never load FFmpeg)."""
    try:
        import av as _av
    except ImportError:  # pragma: no cover - av is a hard dependency
        raise UnseenError("PyAV (the 'av' package) is not installed; reinstall unseen") from None
    return _av


def local_url(path: Path | str) -> str:
    """``file:`` plus the absolute path: FFmpeg can only take it as a local file. Not normalised:
    ``link/..`` is the folder above the link's target, as the system opens it, not the link's own. An
    absolute path is taken as it is (the current folder may be gone)."""
    name = os.fsdecode(path)
    return "file:" + (name if os.path.isabs(name) else os.path.join(os.getcwd(), name))


def error_line(exc: BaseException) -> str:
    """FFmpeg's message without errno and file name: "Invalid data found when processing input"."""
    return first_line(exc)


def _tags_as_text(_av: Any) -> dict[str, str]:
    """How a tag's bytes that are not UTF-8 are read: replaced (U+FFFD) on PyAV 18 and older, where a
    strict read fails the file. PyAV 19 dropped the ``metadata_errors`` argument (a video opened with it
    failed on Python 3.12 and later, where pip picks 19) and reads such bytes as surrogates, which
    ``tag_text`` turns into the same replacement."""
    return {"metadata_errors": "replace"} if int(_av.__version__.split(".")[0]) < 19 else {}


def tag_text(value: object) -> str:
    """A container's or stream's tag key or value as text a report can print: bytes that are not UTF-8
    as U+FFFD whatever PyAV read them as."""
    text = str(value)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate no byte was read as: each is replaced all the same
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def open_input(path: Path | str) -> Any:
    """Open a video read-only with the demuxer and protocol allow-lists; one-line UnseenError if not."""
    _av = av()
    try:
        return _av.open(local_url(path), "r", options=dict(INPUT_OPTIONS), **_tags_as_text(_av))
    except _av.error.FFmpegError as exc:
        if "returned 22" in str(exc) or "Invalid argument" in str(exc):
            raise UnseenError(f"not a video container unseen reads ({VIDEO_NAMES})") from None
        raise UnseenError(f"cannot read video: {error_line(exc)}") from None
    except OSError as exc:
        raise UnseenError(f"cannot read video: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:  # tags that are not UTF-8 are replaced; anything else is damage
        raise UnseenError(f"cannot read video: {error_line(exc)}") from None


def open_output(path: Path | str, fmt: str) -> Any:
    """Create a new container file of format ``fmt`` with no encoder/muxer version strings."""
    return av().open(local_url(path), "w", format=fmt, container_options={"fflags": "+bitexact"})


def channel_planes(frame: Any) -> list[Any]:
    """A planar audio frame's planes, one per channel.

    Why not ``frame.planes``: PyAV counts nine planes in an eight-channel frame. PyAV 18.1 hands the ninth
    back and reads past the frame when it is used (on a 7.1 clip ``--audio mute-speech`` ended in a
    segmentation fault); PyAV 19 raises "plane index 8 out of range for 8 planes" as soon as they are listed
    (every 7.1 clip failed with ``--audio mute-speech``, a run of the tests on Python 3.12, 2026-12-05).
    """
    from av.audio.plane import AudioPlane

    return [AudioPlane(frame, i) for i in range(len(frame.layout.channels))]


def audio_samples(frame: Any) -> Any:
    """A decoded audio frame's samples as an array: (channels, samples) for a planar format, (1,
    channels x samples) interleaved for a packed one, as ``AudioFrame.to_ndarray`` gives them.
    Why not ``to_ndarray``: it reads the ninth plane of a 7.1 frame (``channel_planes``).
    """
    import numpy as np
    from av.audio.frame import format_dtypes  # PyAV's own sample format -> dtype table

    if not frame.format.is_planar:
        return frame.to_ndarray()
    dtype = np.dtype(format_dtypes[frame.format.name])
    return np.vstack([np.frombuffer(plane, dtype, count=frame.samples) for plane in channel_planes(frame)])


def float_planar_frame(x: Any, layout: str, rate: int) -> Any:
    """An ``fltp`` audio frame holding ``x`` (channels, samples) float32, in ``layout`` at ``rate``.

    Why not ``AudioFrame.from_ndarray``: it fails on every 7.1 clip ("index 8 is out of bounds"), for
    the ninth plane ``channel_planes`` says; the frame's own planes are filled instead.
    """
    import numpy as np

    x = np.asarray(x, np.float32)
    frame = av().AudioFrame(format="fltp", layout=layout, samples=x.shape[1])
    for plane, channel in zip(channel_planes(frame), x, strict=True):
        np.frombuffer(plane, np.float32, count=x.shape[1])[:] = channel
    frame.sample_rate = rate
    return frame


DEFAULT, IMPAIRED = 0x1, 0x80 | 0x100  # AV_DISPOSITION_DEFAULT; HEARING_IMPAIRED | VISUAL_IMPAIRED


def audio_stream(container):
    """The audio stream kept (``--audio keep`` or ``mute-speech``): the one a player plays, chosen as for
    video (the default disposition first). The first in the file used to be taken: a faint camera-mic track
    before the interview marked default came out as the sound, "0.0 s of speech muted" (a hunt, 2026-12-06)."""
    # FFmpeg's choice (``streams.best``) may be a track nothing decodes (then the file failed as "damaged"), and
    # between two default tracks it takes the higher bit rate where players take the first: chosen here instead
    tracks = list(container.streams.audio)
    if not tracks:
        return None
    decodable = [s for s in tracks if s.codec_context is not None] or tracks  # none: the reader says why

    def rank(s: Any) -> tuple[bool, bool]:
        return not s.disposition & DEFAULT, bool(s.disposition & IMPAIRED)

    return min(decodable, key=rank)  # the first of the best: ``min`` keeps the file's order among equals


# The way out of a file whose sound cannot be kept, said where it fails (the review page cuts the flag: ``web.words``)
WITHOUT_SOUND = "(use --audio drop to write the video without its sound)"


def format_changed(before: tuple[int, str], now: tuple[int, str]) -> UnseenError:
    """The error for audio whose (rate, layout) changes mid-stream: neither the speech analysis nor the encoder
    takes it (``audio.mute``, ``video_write.Writer.write_audio``)."""
    return UnseenError(f"audio format changes mid-stream ({before[0]} Hz {before[1]} -> {now[0]} Hz {now[1]}); "
                       "use --audio drop")


class AudioClock:
    """The sound's clock made to run on where it started again, with the picture's (``shift`` in
    ``video_read.Reader.frames``): recordings joined into one MPEG-TS restart both. Taken as it was, the second
    recording's first seconds of sound came before the output's first frame and were dropped, and the rest
    played 3-5 s off the picture (a hunt, 2026-12-06: ~5 s lost on a joined clip, with no word).

    A frame that steps back more than ``reset_frames`` frames is held, with those after it, until it is known
    what it is:
    - the next frames come back to the old clock: bad stamps, put where the sound had got to;
    - the picture's clock started again within WAIT seconds of where the sound's did, on the file's own clock
      (the picture's restarts are listed as the reader meets them): the sound is moved as that picture was, so
      each recording's sound stays with its picture whatever it leads it by, up to WAIT (the writer cuts what
      then falls over the sound before);
    - WAIT seconds of sound, another step back, or the end of the file, with no such restart of the picture:
      the sound's own clock, run on from where it stopped.
    Paired by position, or taken at once, a restart moved sound seconds or minutes off its picture in the
    reviews of earlier versions (2026-12-06): a bad stamp, a recording without sound, a picture-only restart.
    """

    WAIT = 5.0  # seconds of sound held at most for the picture's clock to start again too, and its reach

    def __init__(self, reset_frames: int, picture_restarts: list[tuple[float, float]]) -> None:
        self.reset_frames = reset_frames
        self.picture_restarts = picture_restarts  # (where on the file's clock, the picture's shift after it), s
        self.used: set[int] = set()  # the picture's restarts the sound has followed
        self.shift = 0  # added to every pts, in the sound's time base
        self.end: int | None = None  # where the last frame given out ends, shifted
        self.held: list[Any] = []  # frames from a step back on, until it is settled

    def feed(self, frame: Any) -> list[Any]:
        """The frames to give out now (``frame`` and any held before it), re-timed, in order."""
        if self.held or (_stamped(frame) and self._behind(frame, self.end)):
            self.held.append(frame)
            return self._settle(final=False)
        return [self._timed(frame)]

    def flush(self) -> list[Any]:
        """What is still held at the end of the file, settled."""
        out = []
        while self.held:
            out += self._settle(final=True)
        return out

    def _behind(self, frame: Any, end: int | None) -> bool:
        return end is not None and end - (frame.pts + self.shift) > self.reset_frames * _length(frame)

    def _settle(self, final: bool) -> list[Any]:
        held = self.held
        stamped = [k for k, f in enumerate(held) if _stamped(f)]
        first = held[stamped[0]]
        if len(stamped) > 1 and not self._behind(held[stamped[-1]], self.end):  # back on the old clock: bad
            self.held = []  # stamps, each put where the sound had got to
            for f in held[:-1]:
                if _stamped(f):
                    f.pts = (self.end or 0) - self.shift
                self._timed(f)
            return held[:-1] + [self._timed(held[-1])]
        # a second step back among the held frames (a short restart of the sound alone, then a join): the part
        # before it is settled on its own
        later = next((k for a, k in zip(stamped, stamped[1:], strict=False)
                      if held[k].pts + _length(held[k]) < held[a].pts - self.reset_frames * _length(held[a])), None)
        part = held if later is None else held[:later]
        at = float(first.pts * first.time_base)  # where the sound started again, on the file's own clock
        near = [n for n, (where, _) in enumerate(self.picture_restarts)
                if n not in self.used and abs(where - at) <= self.WAIT]
        if near:  # the picture's restart nearest on the file's clock: the sound moves as it did
            n = min(near, key=lambda n: abs(self.picture_restarts[n][0] - at))
            self.used.add(n)
            self.shift = round(self.picture_restarts[n][1] / first.time_base)
        elif final or later is not None or sum(f.samples for f in part) >= self.WAIT * first.sample_rate:
            assert self.end is not None  # the sound's own clock: on from where it stopped
            self.shift += self.end - (first.pts + self.shift)
        else:
            return []
        self.held = held[len(part):]
        out = [self._timed(f) for f in part]
        return out + (self._settle(final) if self.held else [])

    def _timed(self, frame: Any) -> Any:
        if _stamped(frame):
            frame.pts += self.shift
            self.end = frame.pts + _length(frame)
        return frame


def _stamped(frame: Any) -> bool:
    return frame.pts is not None and bool(frame.time_base) and bool(frame.sample_rate)


def _length(frame: Any) -> int:
    """A frame's length in its time base (at least 1)."""
    return max(1, round(frame.samples / frame.sample_rate / frame.time_base))
