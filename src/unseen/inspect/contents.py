"""What an XMP packet, an IPTC record or a PNG's text chunks say about people, places and devices.

``unseen inspect`` named these blocks and stopped there: a creator's name, a city, an XMP GPS position, a
camera's serial number or an editor's file path in an XMP history showed as "metadata blocks: XMP" or
"IPTC", while the same items in EXIF were listed by name and value (hunt of 2026-12-06). This reads the
items a reader of the block would act on, by name; the rest of the block stays one word.

XMP is read with regular expressions, not an XML parser: packets in the wild are often not well-formed
(a cut extended XMP, a maker's stray bytes), and no entity is ever expanded.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import zlib
from typing import Any

from .findings import Findings, clean

MAX_PACKET = 1 << 20  # bytes of one XMP packet or XML box read; what a maker writes is a few KB

# XMP properties by local name (any namespace prefix) -> the section of ``Findings`` they belong to.
_XMP = {
    "people": ("creator", "rights", "Owner", "OwnerName", "CameraOwnerName", "Artist", "Author", "AuthorsPosition",
               "CaptionWriter", "Credit", "description", "title", "Headline", "Instructions", "Source",
               "CiAdrExtadr", "CiAdrCity", "CiAdrRegion", "CiAdrPcode", "CiAdrCtry", "CiEmailWork", "CiTelWork",
               "CiUrlWork", "City", "State", "Country", "CountryCode", "Location", "Sublocation", "ProvinceState",
               "CountryName", "PersonInImage", "Name", "filePath", "UserComment",
               # who is in the picture, who made or edited it, and the files it came from, as Windows' Photo
               # People, IPTC's extension, PLUS, Lightroom, digiKam and Photoshop write them: listed only as "XMP"
               # (a hunt, 2026-12-06)
               "PersonDisplayName", "PersonName", "ImageCreatorName", "CopyrightOwnerName", "contributor",
               "publisher", "author", "subject", "hierarchicalSubject", "TagsList", "LastKeywordXMP", "History",
               "parameters", "RawFileName"),
    "device": ("Make", "Model", "SerialNumber", "BodySerialNumber", "LensSerialNumber", "CameraSerialNumber",
               "InternalSerialNumber", "ImageUniqueID", "Lens", "LensModel", "LensMake", "DocumentID",
               "OriginalDocumentID", "InstanceID",
               # a 360 camera's (GPano): its app with the camera's serial ("Insta360 X3 SN ..."), its stitcher
               "CaptureSoftware", "StitchingSoftware"),
    "dates": ("DateCreated", "CreateDate", "DateTimeOriginal", "DateTimeDigitized", "ModifyDate", "MetadataDate",
              "when"),
    "gps": ("GPSLatitude", "GPSLongitude", "GPSAltitude", "GPSAreaInformation", "GPSDestLatitude",
            "GPSDestLongitude", "LocationCreatedGPSLatitude", "LocationShownGPSLatitude",
            # DJI's drones, in decimal degrees (and "Longtitude", so spelled), with the height flown
            "GpsLatitude", "GpsLongitude", "GpsLongtitude", "AbsoluteAltitude", "RelativeAltitude",
            # a 360 photo's compass heading (GPano; a hunt, 2026-12-06: listed only as "XMP")
            "PoseHeadingDegrees"),
}
_TAG = re.compile(rb"<[^<>]*+>")
_SPACE = re.compile(r"\s+")
_XMP_DEG = re.compile(r"^(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])$")
# One pass each over a packet: every ``prefix:name="value"`` attribute, and every element tag.
# Possessive quantifiers and a look-behind: every match attempt moves on without backtracking, so a megabyte of
# letters, dots or unclosed tags is read in linear time (a hunt timed 64 KB of "a" at 11 s with plain ones).
_ATTR = re.compile(rb"(?<![\w.-])[\w.-]++:([\w.-]++)\s*+=\s*+(?:\"([^\"<]*+)\"|'([^'<]*+)')")
_ELEMENT = re.compile(rb"<(/?)([\w.-]++:([\w.-]++))([^<>]*+)>")
MAX_VALUES = 20  # values kept per property (an XMP history of thousands of steps)
MAX_BODY = 4096  # bytes of an element read for its value (shown cut to 120 characters anyway)


def _properties(packet: bytes, names: set[str]) -> dict[str, list[str]]:
    """Every value of the properties ``names`` in ``packet``: as an attribute (``ns:name="v"``) or an element
    (``<ns:name>v</ns:name>``, an ``rdf:Alt``/``Seq``/``Bag`` of ``rdf:li`` flattened to its text).

    Linear in the packet: a search per property for its closing tag took quadratic time on a packet of
    many opening tags and no closing ones, and this runs on every photo a run covers (``engine.image``)."""
    out: dict[str, list[str]] = {}
    for m in _ATTR.finditer(packet):
        name = m.group(1).decode("latin-1")
        if name in names:
            out.setdefault(name, []).append(clean(m.group(2) if m.group(2) is not None else m.group(3)))
    tags = list(_ELEMENT.finditer(packet))
    closing: dict[bytes, list[int]] = {}
    for k, t in enumerate(tags):
        if t.group(1):
            closing.setdefault(t.group(2), []).append(k)
    for k, t in enumerate(tags):
        name = t.group(3).decode("latin-1")
        if t.group(1) or t.group(4).endswith(b"/") or name not in names or len(out.get(name, ())) >= MAX_VALUES:
            continue
        ends = closing.get(t.group(2), [])
        j = bisect.bisect_right(ends, k)
        if j < len(ends):
            body = packet[t.end() : min(tags[ends[j]].start(), t.end() + MAX_BODY)]  # nested: not the rest
            out.setdefault(name, []).append(clean(b" / ".join(x.strip() for x in _TAG.split(body) if x.strip())))
    return {k: [v for v in (_SPACE.sub(" ", x) for x in vs) if v] for k, vs in out.items()}


def _degrees(text: str) -> float | None:
    """XMP's GPS coordinate ("48,51.504N" or "48,51,30.24N", or DJI's "+22.543210") in degrees."""
    m = _XMP_DEG.match(text.replace(" ", ""))
    if not m:
        with contextlib.suppress(ValueError):
            value = float(text)
            return round(value, 6) if -180 <= value <= 180 else None
        return None
    value = float(m.group(1)) + float(m.group(2)) / 60 + float(m.group(3) or 0) / 3600
    return round(-value if m.group(4) in "SW" else value, 6)


def read_xmp(packet: bytes, f: Findings, where: str = "XMP") -> None:
    """The XMP items of ``_XMP`` found in ``packet`` into ``f``, each under ``where`` and its name."""
    found = _properties(packet[:MAX_PACKET], {n for names in _XMP.values() for n in names} |
                        {"CreatorTool", "softwareAgent"})
    for section, names in _XMP.items():
        target: dict[str, Any] = getattr(f, section)
        for name in names:
            values = list(dict.fromkeys(found.get(name, ())))
            if values:
                target.setdefault(f"{where} {name}", clean(" / ".join(values)))
    tool = found.get("CreatorTool") or found.get("softwareAgent")
    if tool and not f.software:
        f.software = tool[0]
    lat = f.gps.get(f"{where} GPSLatitude") or f.gps.get(f"{where} GpsLatitude")
    lon = next((f.gps[k] for k in (f"{where} GPSLongitude", f"{where} GpsLongitude", f"{where} GpsLongtitude")
                if f.gps.get(k)), None)
    if lat and lon and "position" not in f.gps:
        la, lo = _degrees(lat.split(" / ")[0]), _degrees(lon.split(" / ")[0])
        if la is not None and lo is not None:
            f.gps["position"] = f"{la}, {lo}"


# IPTC-IIM application record (2) datasets a reader acts on -> (section of ``Findings``, name).
_IPTC = {5: ("people", "Object Name"), 25: ("people", "Keywords"), 40: ("people", "Special Instructions"),
         55: ("dates", "Date Created"), 60: ("dates", "Time Created"), 62: ("dates", "Digital Creation Date"),
         80: ("people", "By-line"), 85: ("people", "By-line Title"), 90: ("people", "City"),
         92: ("people", "Sub-location"), 95: ("people", "Province-State"), 100: ("people", "Country Code"),
         101: ("people", "Country"), 103: ("people", "Original Transmission Reference"),
         105: ("people", "Headline"), 110: ("people", "Credit"), 115: ("people", "Source"),
         116: ("people", "Copyright Notice"), 118: ("people", "Contact"), 120: ("people", "Caption"),
         122: ("people", "Writer-Editor")}


def iptc_fields(raw: bytes) -> dict[tuple[int, int], list[bytes]]:
    """The datasets of a raw IPTC-IIM stream (a Photoshop resource 1028, a TIFF's IPTC tag): tag
    0x1C, record, dataset, a 2-byte length (or an extended one). A damaged stream gives what precedes it."""
    out: dict[tuple[int, int], list[bytes]] = {}
    at = 0
    while at + 5 <= len(raw) and raw[at] == 0x1C:
        record, dataset, size = raw[at + 1], raw[at + 2], int.from_bytes(raw[at + 3 : at + 5], "big")
        at += 5
        if size & 0x8000:  # extended dataset: the next (size & 0x7FFF) bytes hold the length
            n = size & 0x7FFF
            size, at = int.from_bytes(raw[at : at + n], "big"), at + n
        out.setdefault((record, dataset), []).append(raw[at : at + size])
        at += size
    return out


def _text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def read_iptc(fields: dict[tuple[int, int], Any], f: Findings) -> None:
    """IPTC datasets (``iptc_fields`` or Pillow's ``getiptcinfo``: bytes or lists of bytes) into ``f``."""
    for (record, dataset), value in fields.items():
        if record != 2 or dataset not in _IPTC:
            continue
        section, name = _IPTC[dataset]
        values = value if isinstance(value, list) else [value]
        text = " / ".join(dict.fromkeys(t for t in (clean(_text(v)) for v in values if isinstance(v, bytes)) if t))
        if text:
            getattr(f, section).setdefault(f"IPTC {name}", clean(text))


# PNG text keywords whose value names or describes someone (the PNG spec's own keywords, and what
# editors write); other keywords are listed by name only.
_PNG_PEOPLE = {"Author", "Comment", "Copyright", "Description", "Title", "Source", "Disclaimer", "Warning"}
MAX_TEXT = 1 << 20  # a compressed text chunk is inflated to this many bytes at most
MAX_TEXTS = 1 << 24  # and all of a file's together (4000 chunks of a megabyte each took 30 s)


def png_text(found: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Keyword -> text of a PNG's tEXt, zTXt and iTXt chunks (``image_check.chunks``), in file order, from
    the chunks themselves: Pillow decodes every pixel to reach those after the image data, which let
    a 200 KB PNG of 40000 x 40000 pixels take 1.6 GB under ``inspect --no-faces`` (hunt of 2026-12-06)."""
    out: dict[str, str] = {}
    budget = MAX_TEXTS
    for ctype, body in found:
        if ctype not in (b"tEXt", b"zTXt", b"iTXt"):
            continue
        key, _, rest = body.partition(b"\0")
        if budget <= 0:
            out.setdefault(clean(key.decode("latin-1")) or "unnamed", "(not read: too much text)")
            continue
        try:
            if ctype == b"zTXt":
                rest = zlib.decompressobj().decompress(rest[1:], MAX_TEXT)
            elif ctype == b"iTXt":
                compressed, rest = rest[:1] == b"\1", rest[2:]
                rest = rest.split(b"\0", 2)[-1]  # language tag, translated keyword
                rest = zlib.decompressobj().decompress(rest, MAX_TEXT) if compressed else rest
        except zlib.error:
            rest = b"(damaged)"
        budget -= len(rest)
        name = clean(key.decode("latin-1")) or "unnamed"
        out.setdefault(name, clean(_text(rest)))
    return out


def png_exif(found: list[tuple[bytes, bytes]]) -> bytes:
    """A PNG's EXIF from its chunks: ``eXIf``, or ImageMagick's "Raw profile type exif" text (hex). Pillow's
    ``getexif`` decodes every pixel first when the EXIF is not before the image data (1.6 GB for a 200 KB
    PNG under ``inspect --no-faces``); given this, it decodes none. b"": none."""
    for ctype, body in found:
        if ctype == b"eXIf":
            return body
    for ctype, body in found:
        key, _, rest = body.partition(b"\0")
        if ctype in (b"tEXt", b"zTXt") and key == b"Raw profile type exif":
            try:
                text = zlib.decompressobj().decompress(rest[1:], MAX_TEXT) if ctype == b"zTXt" else rest
                return bytes.fromhex("".join(text.decode("latin-1").split("\n")[3:]))
            except (zlib.error, ValueError):
                return b""
    return b""


def read_png_text(found: list[tuple[bytes, bytes]], f: Findings) -> None:
    """A PNG's text chunks into ``f``: their keywords as a block, the values of ``_PNG_PEOPLE`` as names."""
    text = png_text(found)
    if text:
        f.blocks.append("PNG text chunks (" + ", ".join(text) + ")")
    for key, value in text.items():
        if key in _PNG_PEOPLE and value:
            f.people.setdefault(key, value)
        elif key == "XML:com.adobe.xmp":
            read_xmp(value.encode(), f)


GPS_IFD = 0x8825
EXIF_IFD = 0x8769
# EXIF 3.0's tags, newer than Pillow's names.
_EXIF3 = {0xA437: "Photographer", 0xA438: "ImageEditor", 0xA439: "CameraFirmware", 0xA43A: "RAWDevelopingSoftware",
          0xA43B: "ImageEditingSoftware", 0xA43C: "MetadataEditingSoftware"}
_DEVICE_TAGS = {"Make", "Model", "BodySerialNumber", "LensMake", "LensModel", "LensSerialNumber",
                "CameraOwnerName", "SerialNumber", "ImageUniqueID", "HostComputer", "CameraFirmware",
                # DNG's, which raw converters carry into JPEG and TIFF: the camera's serial (a hunt, 2026-12-06)
                "CameraSerialNumber", "UniqueCameraModel", "LocalizedCameraModel"}
# DocumentName and PageName: a scanner's or an editor's file name ("C:\Users\jane\kids_school.jpg").
_PEOPLE_TAGS = {"Artist", "Copyright", "CameraOwnerName", "XPAuthor", "ImageDescription", "UserComment", "XPComment",
                "XPSubject", "XPKeywords", "XPTitle", "DocumentName", "PageName", "Photographer", "ImageEditor",
                "OriginalRawFileName"}  # DNG's: the raw file's name, often with its folder
_DATE_TAGS = {"DateTime", "DateTimeOriginal", "DateTimeDigitized", "OffsetTime", "OffsetTimeOriginal"}
_XP = {"XPTitle", "XPComment", "XPAuthor", "XPKeywords", "XPSubject"}  # Windows' tags: UTF-16LE bytes
# UserComment's 8-byte character-code prefix (EXIF 2.3, 4.6.5).
_CODES = {b"ASCII\0\0\0": "latin-1", b"UNICODE\0": "utf-16", b"JIS\0\0\0\0\0": "shift_jis", b"\0" * 8: "utf-8"}


def _dms(values: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(x) for x in values)
        sign = -1 if str(ref).upper().startswith(("S", "W")) else 1
        return round(sign * (d + m / 60 + s / 3600), 6)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def tag_text(name: str, value: Any) -> str:
    """An EXIF value as text: Windows' XP tags are UTF-16LE bytes (shown as b'J\\x00a\\x00...' before),
    UserComment and GPSAreaInformation start with an 8-byte character code; decoded before the
    120-character cut so the cut keeps 120 characters, not 60."""
    if isinstance(value, tuple) and name in _XP and all(isinstance(x, int) for x in value):
        value = bytes(value)
    if name == "GPSVersionID" and isinstance(value, (bytes, tuple)):  # four bytes: 2.3.0.0, not "\x02\x03"
        return ".".join(str(int(b)) for b in value)
    if isinstance(value, bytes):
        if name in _XP:
            value = value.decode("utf-16-le", "replace").rstrip("\0")
        elif value[:8] in _CODES:
            code = _CODES[value[:8]]
            body = value[8:]
            if code == "utf-16":  # the byte order is the file's; a BOM, or guess by where the zero bytes fall
                le = body[1::2].count(0) >= body[0::2].count(0)
                code = "utf-16" if body[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-16-le" if le else "utf-16-be"
            value = body.decode(code, "replace").rstrip("\0")
    if isinstance(value, str) and not value.isascii():
        # EXIF says ASCII and Pillow reads it as Latin-1; phones and exiftool write UTF-8 ("JosÃ©")
        with contextlib.suppress(UnicodeError):
            value = value.encode("latin-1").decode("utf-8")
    return clean(value)


def read_exif(exif: Any, f: Findings) -> None:
    """EXIF's dates, device, names and GPS into ``f`` (``Image.Exif``: IFD0, the EXIF IFD, the GPS IFD)."""
    from PIL import ExifTags

    tags = dict(exif)
    with contextlib.suppress(Exception):  # a broken sub-IFD must not hide the rest
        tags.update(exif.get_ifd(EXIF_IFD))
    for tag, value in tags.items():
        name = ExifTags.TAGS.get(tag, "") or _EXIF3.get(tag, "")
        if name in _DATE_TAGS:
            f.dates[name] = clean(value)
        elif name in _DEVICE_TAGS:
            f.device[name] = tag_text(name, value)
        elif name in _PEOPLE_TAGS and tag_text(name, value):
            f.people[name] = tag_text(name, value)
        elif name in ("Software", "ImageEditingSoftware", "RAWDevelopingSoftware") and not f.software:
            f.software = clean(value)
        elif name == "MakerNote":
            f.blocks.append("maker notes")
    try:
        gps = exif.get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001
        gps = {}
    if gps:
        named = {ExifTags.GPSTAGS.get(k, str(k)): v for k, v in gps.items()}
        f.gps = {k: tag_text(k, v) for k, v in named.items()}
        if f.gps.get("GPSAreaInformation"):
            f.people.setdefault("GPSAreaInformation", f.gps["GPSAreaInformation"])
        lat = _dms(named.get("GPSLatitude"), named.get("GPSLatitudeRef"))
        lon = _dms(named.get("GPSLongitude"), named.get("GPSLongitudeRef"))
        if lat is not None and lon is not None:
            f.gps["position"] = f"{lat}, {lon}"
