"""``unseen inspect`` for videos: container tags (GPS, dates, device), streams and their tags."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any

from ..errors import UnseenError
from ..media.ffmpeg import av, error_line, tag_text
from ..media.isobmff import MAX_MOOV, _boxes, hidden_seconds, unfollowed_edit
from ..media.video_read import Reader, format_name, open_input, stream_label, video_stream
from ..options import VIDEO_MAX_PIXELS
from .contents import read_xmp
from .findings import C2PA, C2PA_UUID, MAX_BLOCKS, Findings, MostInOneFrame, add_blocks, clean

_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?/?$")


def parse_iso6709(text: str) -> dict[str, float] | None:
    """``"+27.1281+100.2508+000.000/"`` -> {"lat": 27.1281, "lon": 100.2508, "alt": 0.0}.

    Handles the decimal-degree form phones write (and the DDMM/DDDMM forms by their digit count).
    """
    m = _ISO6709.match(text.strip())
    if not m:
        return None

    def deg(s: str, degree_digits: int) -> float:
        sign = -1 if s[0] == "-" else 1
        whole, _, frac = s[1:].partition(".")
        if len(whole) <= degree_digits:
            return sign * float(s[1:])
        d = float(whole[:degree_digits])
        rest = whole[degree_digits:]
        minutes = float(rest[:2] + ("." + frac if frac and len(rest) == 2 else ""))
        seconds = float(rest[2:] + ("." + frac if frac else "")) if len(rest) > 2 else 0.0
        return sign * (d + minutes / 60 + seconds / 3600)

    out = {"lat": round(deg(m.group(1), 2), 6), "lon": round(deg(m.group(2), 3), 6)}
    if m.group(3):
        out["alt"] = float(m.group(3))
    return out


_DATE_KEYS = ("creation_time", "date", "creationdate", "com.apple.quicktime.creationdate")
_DEVICE_KEYS = ("make", "model", "com.apple.quicktime.make", "com.apple.quicktime.model",
                "com.android.manufacturer", "com.android.model", "firmware", "com.apple.quicktime.camera")
_SOFTWARE_KEYS = ("encoder", "software", "com.apple.quicktime.software", "com.android.version",
                  "handler_name")


def inspect_video(path: Path, detector=None, max_pixels: int | None = None) -> Findings:
    """What a video gives away: container tags (GPS, dates, device), streams and their tags, faces."""
    _av = av()
    f = Findings(path=str(path))
    try:
        with open_input(path) as c:
            f.format = format_name(c, path)
            tags = {tag_text(k): clean(tag_text(v)) for k, v in c.metadata.items()}
            f.tags = tags
            for k, val in tags.items():
                kl = k.lower()
                if "location" in kl or "6709" in kl or kl in ("xyz", "gps"):
                    _position(f, k, val)
                elif any(kl.endswith(d) for d in _DATE_KEYS):
                    f.dates[k] = val
                elif kl in _DEVICE_KEYS or kl.endswith((".make", ".model")):
                    f.device[k] = val
                elif kl in _SOFTWARE_KEYS or kl.endswith(".software"):
                    f.software = val
                elif kl in ("artist", "author", "comment", "title", "description", "copyright",
                            "album_artist", "composer") or \
                        kl.endswith((".artist", ".author", ".comment", ".displayname")):
                    f.people[k] = val
            for s in c.streams:
                entry: dict[str, Any] = {"index": s.index, "type": s.type,
                                         "codec": (s.codec_context.name if s.codec_context else "") or "",
                                         "tags": {tag_text(k): clean(tag_text(v)) for k, v in s.metadata.items()}}
                label = stream_label(s)
                if s.type in ("data", "attachment") or "telemetry" in label:
                    entry["flag"] = label
                if s.type == "subtitle":
                    entry["flag"] = "subtitles (text can name people)"
                f.streams.append(entry)
                if s.type in ("data", "subtitle", "attachment"):
                    f.blocks.append(f"{label} stream {s.index}")
            _subtitle_positions(c, f)
            with contextlib.suppress(Exception):
                if c.chapters():
                    f.blocks.append(f"chapters ({len(c.chapters())})")
            v = video_stream(c)
            if v.codec_context is None:
                raise UnseenError("video track uses a codec FFmpeg cannot decode")
            w, h = v.codec_context.width, v.codec_context.height
            f.size = (int(w), int(h))
    except UnseenError:
        raise
    except _av.error.FFmpegError as exc:
        raise UnseenError(f"cannot read video: {error_line(exc)}") from None
    _outside_ffmpeg(path, f)
    if detector is not None:
        _sample_faces(path, detector, f, max_pixels or VIDEO_MAX_PIXELS)
    return f


# A coordinate in a subtitle's text: "[latitude: 22.543210]" (DJI's drones), "GPS N22.5432 E114.0578", NMEA.
_TEXT_POSITION = re.compile(rb"(?i)(?:lat(?:itude)?|lon(?:gitude)?|gps)\W{0,4}[NSEW+-]?\s?\d{1,3}\.\d{3,}|\$G[PNL]RMC")
_AXES = tuple(re.compile(rb"(?i)" + a + rb"\w*\W{0,4}(-?\d{1,3}\.\d+)") for a in (b"lat", b"lon"))  # its numbers
SUBTITLE_PACKETS = 20000  # packets read at the start of a file for subtitles' text (a DJI clip: one a frame)
SUBTITLE_BYTES = 64 << 20  # and no further into it


def _subtitle_positions(c: Any, f: Findings) -> None:
    """A subtitle track whose text holds coordinates (a DJI drone writes one line a frame of latitude,
    longitude and altitude; dashcams write NMEA): the first such text, under the stream's name. ``inspect``
    listed the track as subtitles only. The output never keeps subtitle tracks."""
    subs = {s.index for s in c.streams if s.type == "subtitle"}
    if not subs:
        return
    with contextlib.suppress(av().error.FFmpegError):
        c.seek(0)
        for n, packet in enumerate(c.demux()):  # every stream's: a film's sparse subtitles were waited for
            if n >= SUBTITLE_PACKETS or not subs or (packet.pos or 0) > SUBTITLE_BYTES:  # to its end (a review)
                break
            if packet.stream.index not in subs:
                continue
            key = f"subtitle stream {packet.stream.index}"
            text = b" ".join(_READABLE.findall(bytes(packet)))
            m = _TEXT_POSITION.search(text)
            if m:
                subs.discard(packet.stream.index)
                f.gps.setdefault(key, clean(text[max(0, m.start() - 12) :]))  # where it says it
                lat, lon = (axis.search(text) for axis in _AXES)
                if lat and lon and "position" not in f.gps:
                    f.gps["position"] = f"{float(lat.group(1))}, {float(lon.group(1))}"


ENDS = 4 << 20  # bytes read at each end of a video for an XMP packet (editors write it near one end)

_ISO_START = (b"ftyp", b"moov", b"free", b"wide", b"mdat", b"skip", b"uuid")
_READABLE = re.compile(rb"[ -~]{3,}")


def _outside_ffmpeg(path: Path, f: Findings) -> None:
    """What a video carries that FFmpeg's tags do not show: an XMP packet (an editor's creator, GPS,
    document IDs, in an MP4's uuid or udta box, an AVI's _PMX chunk, a Matroska attachment), and an MP4's
    user-data boxes FFmpeg does not map (a serial number in ``slno``, a GoPro's camera and media IDs).
    ``inspect`` listed none of them (hunt of 2026-12-06)."""
    with open(path, "rb") as fp:
        size = os.fstat(fp.fileno()).st_size
        head = fp.read(ENDS)
        fp.seek(max(len(head), size - ENDS))
        tail = fp.read()
        if head[4:8] in _ISO_START:
            _iso_user_data(fp, size, f)
    if head[4:8] in _ISO_START:  # a trim kept the whole recording: its faces were not counted (a hunt, 2026-12-06)
        hidden = hidden_seconds(path)
        if hidden >= 0.5:
            add_blocks(f, [f"{hidden:.1f} s of recording its edit list hides (cut away, still in the file, not "
                           "searched for faces)"])
        if (edit := unfollowed_edit(path)) is not None:
            add_blocks(f, [f"an edit list unseen cannot follow ({edit}): unseen refuses the file"])
    for part in (head, tail):
        start = part.find(b"<x:xmpmeta")
        if start >= 0:
            add_blocks(f, ["XMP"])
            read_xmp(part[start : part.find(b"</x:xmpmeta>", start) % (len(part) + 1)], f)


def _iso_user_data(fp: Any, size: int, f: Findings) -> None:
    """An MP4's ``moov`` box: the children of each ``udta`` (the file's and each track's) FFmpeg leaves out."""
    at = 0
    while at + 8 <= size:
        fp.seek(at)
        top = fp.read(16)
        n, kind, h = int.from_bytes(top[:4], "big"), top[4:8], 8
        if n == 1:
            n, h = int.from_bytes(top[8:16], "big"), 16
        elif n == 0:
            n = size - at
        if n < h:
            return
        if kind == b"moov" and n <= MAX_MOOV:
            fp.seek(at + h)
            moov = fp.read(n - h)
            _udta(moov, 0, len(moov), f)
        elif kind == b"uuid":
            fp.seek(at + h)
            if fp.read(16) == C2PA_UUID:
                add_blocks(f, [C2PA])
        elif kind == b"meta":  # a file-level item box (XML, EXIF, pictures) FFmpeg does not read
            add_blocks(f, ["MP4 meta box (file-level items: XML, EXIF or pictures)"])
        at += n


_NMEA = re.compile(rb"\$G[PNL](?:RMC|GGA|GLL)")  # a GPS receiver's sentences, as dashcams log them


def _udta(data: bytes, start: int, end: int, f: Findings, in_track: bool = False) -> None:
    """The ``udta`` boxes of a ``moov`` and of its tracks (a track's own boxes: one level, never deeper), and
    a dashcam's ``gps `` box (Novatek: where its GPS log lies in the file)."""
    labels: list[str] = []
    for kind, a, b in _boxes(data, start, end):
        if kind == b"trak" and not in_track:
            _udta(data, a, b, f, in_track=True)
        elif kind == b"gps " and not in_track:
            labels.append("MP4 box gps")
            f.gps.setdefault("MP4 box gps", "a dashcam's GPS log, kept elsewhere in the file")
        elif kind == b"udta":
            for item, a2, b2 in _boxes(data, a, b):
                if item == b"\xa9xyz" and in_track:  # FFmpeg maps only the file's own to a tag
                    _position(f, "track location (\xa9xyz)", clean(data[a2 + 4 : b2]))
                if item == b"meta" or item[:1] == b"\xa9":  # FFmpeg's tags (ilst, the (c) items)
                    continue
                name = item.decode("latin-1")
                if item == b"XMP_":
                    labels.append("XMP")
                    read_xmp(data[a2:b2], f)
                    continue
                labels.append(f"MP4 user data box {name}")
                if item == b"loci":
                    _loci(data[a2:b2], f)
                    continue
                text = b" ".join(_READABLE.findall(data[a2 : min(b2, a2 + 240)]))
                if _NMEA.search(data, a2, b2) or name.lower().startswith("gps"):
                    f.gps.setdefault(f"user data {name}", clean(text) or "a GPS log")
                elif text and len(f.device) < MAX_BLOCKS:
                    f.device.setdefault(f"user data {name}", clean(text))
    add_blocks(f, labels)


def _position(f: Findings, key: str, text: str) -> None:
    """An ISO 6709 location (``+22.5432+114.0578/``) into ``f.gps`` under ``key``, and as its position."""
    f.gps.setdefault(key, text)
    pos = parse_iso6709(text)
    if pos and "position" not in f.gps:
        f.gps["position"] = f"{pos['lat']}, {pos['lon']}" + (f", {pos['alt']} m" if "alt" in pos else "")


def _loci(payload: bytes, f: Findings) -> None:
    """3GPP's location box (``loci``): a place name, then longitude, latitude and altitude in 16.16 fixed
    point. Listed as a device's "user data loci=earth" before (a hunt, 2026-12-06)."""
    name_end = payload.find(b"\0", 6)
    at = name_end + 2  # the name's NUL, then the role byte
    if name_end < 0 or len(payload) < at + 12:
        f.gps.setdefault("3GPP location (loci)", "present")
        return
    lon, lat, alt = (int.from_bytes(payload[at + 4 * i : at + 4 * i + 4], "big", signed=True) / 65536
                     for i in range(3))
    place = clean(payload[6:name_end])
    f.gps.setdefault("3GPP location (loci)", f"{place} {lat:.5f}, {lon:.5f}".strip())  # 16.16: 1.5e-5 degrees
    f.gps.setdefault("position", f"{round(lat, 5)}, {round(lon, 5)}, {round(alt, 1)} m")


def _sample_faces(path: Path, detector, findings: Findings, max_pixels: int, samples: int = 8) -> None:
    """Most faces (and most confident faces), plates and text found in one of ``samples`` frames spread
    over the clip (decoding only those), into ``findings``."""
    most = MostInOneFrame(detector)
    with open_input(path) as c:
        v = video_stream(c)
        n = int(v.frames or 0)
        step = max(1, n // samples) if n else 15
        for fr in Reader(c, v, max_pixels=max_pixels).video_frames():
            if fr.index % step == 0:
                if fr.index == 0:
                    findings.size = (fr.rgb.shape[1], fr.rgb.shape[0])
                most.add(detector.detect(fr.rgb))
            if fr.index >= step * samples:
                break
    most.into(findings)
