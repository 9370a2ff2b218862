"""The two things unseen reads itself from ISO boxes: an AVIF's clean-aperture crop (``clap``), and an MP4's
edit lists FFmpeg does not follow (``unfollowed_edit``).

An AVIF may hold a larger picture than it shows: the ``clap`` property crops it, and viewers (libavif,
browsers) show only the crop. Pillow's AVIF reader decodes the whole picture and does not crop, so the
part the file's maker cut away, a sign, a place, a bystander, was published (a hunt, 2026-12-05: a
640 x 480 photo cropped to 400 px wide came out 640 px wide). The reader refuses such a file instead
(``media/image.py``): only the boxes are walked here, no pixel is decoded.
"""

from __future__ import annotations

import struct
from pathlib import Path

from ..errors import UnseenError
from .mp4 import _in_file, boxes

MAX_META = 1 << 20  # an item's properties sit in a ``meta`` box of a few hundred bytes; read no more


def _boxes(data: bytes, start: int = 0, end: int | None = None):
    """(type, payload start, payload end) of each box in ``data[start:end]``."""
    end = len(data) if end is None else end
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        head = 8
        if size == 1 and at + 16 <= end:
            size, head = struct.unpack(">Q", data[at + 8:at + 16])[0], 16
        elif size == 0:
            size = end - at
        if size < head or at + size > end:
            return
        yield kind, at + head, at + size
        at += size


def clean_aperture(path: Path | str) -> tuple[float, float] | None:
    """The width and height the first ``clap`` property of an AVIF's ``meta`` box crops its picture to,
    or None when it has none (or its boxes cannot be walked: decoding then decides)."""
    try:
        with open(path, "rb") as f:
            head = f.read(MAX_META)
    except OSError:
        return None
    for kind, a, b in _boxes(head):
        if kind != b"meta":
            continue
        for kind2, a2, b2 in _boxes(head, a + 4, b):  # meta is a full box: version and flags first
            if kind2 != b"iprp":
                continue
            for kind3, a3, b3 in _boxes(head, a2, b2):
                if kind3 != b"ipco":
                    continue
                for kind4, a4, b4 in _boxes(head, a3, b3):
                    if kind4 == b"clap" and b4 - a4 >= 16:
                        wn, wd, hn, hd = struct.unpack(">4I", head[a4:a4 + 16])
                        if wd and hd:
                            return wn / wd, hn / hd
    return None


MAX_MOOV = 64 << 20  # an MP4's header box read whole up to this size (minutes of a phone clip: ~1 MB)


def unfollowed_edit(path: Path | str) -> str | None:
    """What an MP4/MOV's edit lists ask that FFmpeg does not do, or None: an empty edit after the first (a gap
    in the middle), an edit at another rate than 1 (slow or fast motion), or edits over a fragmented file. A
    player shows the edits; FFmpeg plays the media the edit hides instead, and the output carried the seconds the
    file's maker cut away, faces and voices (``--audio keep``) in them (a hunt, 2026-12-06). None too when the
    boxes cannot be walked (decoding then decides)."""
    moov, fragmented = _top_level(path)
    if moov is None:
        return None
    for kind, a, b in _boxes(moov):
        for elst in _elsts(moov, a, b) if kind == b"trak" else ():
            if problem := _edit_problem(elst, fragmented):
                return problem
    return None


def _elsts(moov: bytes, a: int, b: int):
    """The ``elst`` payloads of the ``trak`` box whose payload is ``moov[a:b]``."""
    for kind, a2, b2 in _boxes(moov, a, b):
        for kind3, a3, b3 in _boxes(moov, a2, b2) if kind == b"edts" else ():
            if kind3 == b"elst":
                yield moov[a3:b3]


def hidden_seconds(path: Path | str) -> float:
    """The most seconds of a track's recording its edit list leaves out (a phone's or an editor's trim keeps the
    whole recording in the file and shows a part): 0 when none, or when the boxes cannot be walked."""
    moov, _ = _top_level(path)
    try:
        return _hidden(moov) if moov is not None else 0.0
    except struct.error:  # a header box cut short: nothing to say
        return 0.0


def _hidden(moov: bytes) -> float:
    scale = next((struct.unpack_from(">I", moov, a + (20 if moov[a] == 1 else 12))[0]
                  for kind, a, _ in _boxes(moov) if kind == b"mvhd"), 0)
    most = 0.0
    for kind, a, b in _boxes(moov):
        if kind != b"trak" or not scale:
            continue
        held, shown = _held(moov, a, b), None
        for elst in _elsts(moov, a, b):
            shown = sum(d for d, m, _, _ in _entries(elst) if m != -1) / scale
        if held is not None and shown is not None:
            most = max(most, held - shown)
    return most


def _held(moov: bytes, a: int, b: int) -> float | None:
    """A track's recorded seconds (its ``mdhd``), or None."""
    for kind, a2, b2 in _boxes(moov, a, b):
        for kind3, a3, _ in _boxes(moov, a2, b2) if kind == b"mdia" else ():
            if kind3 == b"mdhd":
                v1 = moov[a3] == 1
                ts, dur = struct.unpack_from(">IQ" if v1 else ">II", moov, a3 + (20 if v1 else 12))
                return dur / ts if ts else None
    return None


def _entries(elst: bytes) -> list[tuple[int, int, int, int]]:
    """An ``elst`` payload's (duration, media time, rate, rate fraction) entries."""
    if len(elst) < 8:
        return []
    version, count = elst[0], struct.unpack(">I", elst[4:8])[0]
    form, step = (">QqhH", 20) if version == 1 else (">IihH", 12)
    return [struct.unpack(form, elst[8 + k * step: 8 + (k + 1) * step]) for k in range(min(count, 1000))
            if 8 + (k + 1) * step <= len(elst)]


def _top_level(path: Path | str) -> tuple[bytes | None, bool]:
    """The file's ``moov`` box (its payload) and whether it is fragmented (``mvex`` in it, or a ``moof``); the
    boxes after one that cannot be walked are not read."""
    moov, fragmented = None, False
    try:
        with open(path, "rb") as f:
            read = _in_file(f)
            for kind, at, head, size in boxes(read, 0, f.seek(0, 2)):
                if kind == b"moov" and moov is None and size <= MAX_MOOV:
                    moov = read(at + head, size - head)
                fragmented |= kind == b"moof"
    except (OSError, UnseenError):
        pass
    if moov is not None:
        fragmented |= any(kind == b"mvex" for kind, _, _ in _boxes(moov))
    return moov, fragmented


def _edit_problem(elst: bytes, fragmented: bool) -> str | None:
    """Why one ``elst`` (its payload) asks what FFmpeg does not do, or None."""
    entries = _entries(elst)
    for k, (_duration, media_time, rate, fraction) in enumerate(entries):
        if media_time == -1 and k > 0:
            return "an empty edit in the middle (a gap it asks players to show)"
        if media_time != -1 and (rate, fraction) != (1, 0):
            return "an edit at another speed than the recording's"
    if fragmented and (len(entries) > 1 or any(media_time > 0 for _, media_time, _, _ in entries)):
        return "edits over a fragmented recording"
    return None
