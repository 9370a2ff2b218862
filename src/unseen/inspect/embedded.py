"""Pictures and blocks a file keeps beside the one it shows: what ``unseen inspect`` lists as embedded.

A HEIF's thumbnail, a second picture, an HDR gain map or a depth map; a Photoshop file's layers and its
resources (a thumbnail, IPTC, XMP, a URL); a TIFF's sub-images (a camera's preview or full JPEG); a JPEG 2000's
XML and UUID boxes. ``inspect`` said "no metadata found" for a HEIC whose thumbnail showed the street,
and "faces found by unseen: 0" for one whose second picture was a portrait (hunt of 2026-12-06). Each is
listed with its size and, when faces are counted, whether one is seen in it. Nothing here decodes a
picture unless faces are counted (``face_counter``): ``engine.image`` lists what a run drops with the
same reader, on every photo.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from ..media.image_open import open_allowed
from ..media.isobmff import _boxes
from .contents import MAX_PACKET, iptc_fields, read_iptc, read_xmp
from .findings import Findings, add_blocks, clean

FaceCounter = Callable[[Image.Image], int] | None
ITEM_MAX_PIXELS = 50_000_000  # an embedded picture larger than this is listed, not searched for faces
SEARCH_BUDGET = 100_000_000  # pixels of a file's embedded pictures searched for faces, all together
MAX_BOXES = 10_000  # a JPEG 2000's top-level boxes walked (610,000 empty XML boxes took 12 s)
MAX_XML = 8  # XML boxes whose text is shown


def embedded_jpeg(data: bytes, face_counter: FaceCounter, f: Findings) -> tuple[Any, bool | None] | None:
    """Size of a JPEG picture embedded in a file's metadata and whether a face is seen in it (None: not
    looked for); None when the bytes are no JPEG. JPEG only: nothing else parses what a maker embeds.
    ``f``: the file's findings, whose search budget it spends (``_searchable``)."""
    try:
        with open_allowed(io.BytesIO(data), ("JPEG",)) as t:
            if face_counter is None or not _searchable(f, t.size):
                return t.size, None
            t.load()
            return t.size, face_counter(t.convert("RGB")) > 0
    except Exception:  # noqa: BLE001 - damaged or not a JPEG
        return None


def _searchable(f: Findings, size: tuple[int, int]) -> bool:
    """Whether faces are looked for in an embedded picture of ``size``: each at most ITEM_MAX_PIXELS, all of
    a file's together at most SEARCH_BUDGET (sixteen sub-images pointing at one 49 MP JPEG took minutes)."""
    pixels = size[0] * size[1]
    spent = f.__dict__.get("_searched", 0)  # not a field: never in the JSON
    if pixels > ITEM_MAX_PIXELS or spent + pixels > SEARCH_BUDGET:
        return False
    f.__dict__["_searched"] = spent + pixels
    return True


def _picture(f: Findings, kind: str, size: tuple[int, int], make: Callable[[], Image.Image],
             face_counter: FaceCounter) -> None:
    """List one embedded picture; ``make`` decodes it, called only when faces are counted."""
    face = None
    if face_counter is not None and _searchable(f, size):
        try:
            face = face_counter(make().convert("RGB")) > 0
        except Exception:  # noqa: BLE001 - listed even when it cannot be decoded
            kind += " (unreadable)"
    f.thumbnails.append({"kind": kind, "size": tuple(size), "face": face})


def heif_items(path: Path | str, f: Findings, face_counter: FaceCounter) -> None:
    """A HEIF's pictures other than the one shown: other top-level pictures, thumbnails, auxiliary
    pictures (an iPhone's HDR gain map is a grey copy of the whole scene) and depth maps."""
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(path, convert_hdr_to_8bit=True)
        n = len(heif)
        for i, item in enumerate(heif):
            if i != heif.primary_index:
                _picture(f, f"HEIF picture {i + 1} of {n} (not the one viewers show)", item.size, item.to_pillow,
                         face_counter)
            for k in range(len(item.info.get("thumbnails") or ())):
                thumb = item.get_thumbnail(k)
                _picture(f, "HEIF thumbnail", thumb.size, thumb.to_pillow, face_counter)
            for urn, ids in (item.info.get("aux") or {}).items():
                if "alpha" in urn:  # the shown picture's own transparency
                    continue
                for aux_id in ids:
                    aux = item.get_aux_image(aux_id)
                    _picture(f, f"HEIF auxiliary picture ({urn.rsplit(':', 1)[-1]})", aux.size, aux.to_pillow,
                             face_counter)
            for depth in item.info.get("depth_images") or ():
                _picture(f, "HEIF depth map", depth.size, depth.to_pillow, face_counter)
    except Exception:  # noqa: BLE001 - the picture itself was read; its other items could not be listed
        f.blocks.append("HEIF items (unreadable)")


_SIGNATURES = (b"8BIM", b"MeSa", b"AgHg", b"PHUT", b"DCSR")


def photoshop_blocks(raw: bytes) -> dict[int, bytes]:
    """Resource id -> data of a Photoshop image-resource stream (a TIFF's tag 34377): signature, id,
    a Pascal name padded to an even length, a size and the data padded to even."""
    out: dict[int, bytes] = {}
    at = 0
    while at + 12 <= len(raw) and raw[at : at + 4] in _SIGNATURES:
        rid, n = int.from_bytes(raw[at + 4 : at + 6], "big"), raw[at + 6]
        at += 6 + ((n + 2) & ~1)
        size = int.from_bytes(raw[at : at + 4], "big")
        out.setdefault(rid, raw[at + 4 : at + 4 + size])
        at += 4 + size + (size & 1)
    return out


def read_resources(res: dict[int, bytes], f: Findings, face_counter: FaceCounter) -> None:
    """What a Photoshop resource block carries: IPTC (1028), XMP (1060), a URL (1035), EXIF (1058) and the
    thumbnail (1036, or 1033 in old files: a JPEG after a 28-byte header)."""
    if res.get(1028):
        f.blocks += [] if any(b.startswith("IPTC") for b in f.blocks) else ["IPTC"]
        read_iptc(iptc_fields(res[1028]), f)
    if res.get(1060):
        f.blocks += [] if "XMP" in f.blocks else ["XMP"]
        read_xmp(res[1060], f)
    if res.get(1035):
        f.people.setdefault("Photoshop URL", clean(res[1035]))
    if res.get(1058) or res.get(1059):
        f.blocks.append("EXIF in the Photoshop resources")
    for rid in (1036, 1033):
        if res.get(rid):
            found = embedded_jpeg(res[rid][28:], face_counter, f)
            size, face = found if found else ((0, 0), None)
            f.thumbnails.append({"kind": "Photoshop thumbnail" + ("" if found else " (unreadable)"),
                                 "size": size, "face": face})
            break


def psd_layers(im: Image.Image, path: Path | str, f: Findings, face_counter: FaceCounter) -> None:
    """A Photoshop file's resources and its layers: each layer is a picture of its own (a hidden one
    too), and viewers show only the merged picture."""
    read_resources({rid: data for rid, _name, data in getattr(im, "resources", None) or ()}, f, face_counter)
    layers = getattr(im, "layers", None) or []
    if not layers:
        return
    f.blocks.append(f"Photoshop layers ({len(layers)}: each a picture of its own, hidden ones too)")
    if face_counter is None:  # listed, not decoded
        for k, (_name, _mode, bbox, _tile) in enumerate(layers, start=1):
            f.thumbnails.append({"kind": f"Photoshop layer {k} of {len(layers)}",
                                 "size": (bbox[2] - bbox[0], bbox[3] - bbox[1]), "face": None})
        return
    with open_allowed(path, ("PSD",)) as p:
        for k, (_name, _mode, bbox, _tile) in enumerate(layers, start=1):
            def layer(k: int = k) -> Image.Image:
                p.seek(k)
                p.load()
                return p.copy()

            _picture(f, f"Photoshop layer {k} of {len(layers)}", (bbox[2] - bbox[0], bbox[3] - bbox[1]), layer,
                     face_counter)


def tiff_sub_images(path: Path | str, im: Image.Image, f: Findings, face_counter: FaceCounter) -> None:
    """A TIFF's sub-images (tag 330): where cameras and DNG files keep a preview or the full JPEG."""
    from PIL.TiffImagePlugin import ImageFileDirectory_v2

    try:
        offsets = im.tag_v2.get(330)
    except AttributeError:
        return
    if not offsets:
        return
    offsets = offsets if isinstance(offsets, tuple) else (offsets,)
    with open(path, "rb") as fp:
        head = fp.read(8)
        head += fp.read(8) if head[2:3] == b"+" else b""  # BigTIFF: a 16-byte header
        for offset in list(dict.fromkeys(offsets))[:16]:
            try:
                fp.seek(int(offset))
                ifd = ImageFileDirectory_v2(ifh=head)
                ifd.load(fp)
                size = (int(ifd.get(256, 0)), int(ifd.get(257, 0)))
                start, length = ifd.get(513), ifd.get(514)
                face = None
                if start and length and length <= 1 << 26:
                    fp.seek(int(start))
                    found = embedded_jpeg(fp.read(int(length)), face_counter, f)
                    if found:
                        size, face = found
            except Exception:  # noqa: BLE001 - listed, unread
                size, face = (0, 0), None
            f.thumbnails.append({"kind": "TIFF sub-image (a camera's preview or full picture)", "size": size,
                                 "face": face})


_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
_XML_TEXT = re.compile(rb">([^<>]+)<")


def jp2_boxes(data: bytes, f: Findings) -> None:
    """A JPEG 2000's top-level boxes beyond the picture: XML (an address, a caption), XMP in a UUID box,
    intellectual-property rights. Pillow reads none of them."""
    xml, labels = 0, []
    for kind, a, b in itertools.islice(_boxes(data), MAX_BOXES):  # the same box layout as ISO media's
        body = data[a : min(b, a + MAX_PACKET)]
        if kind == b"xml ":
            labels.append("JPEG 2000 XML box")
            xml += 1
            if xml <= MAX_XML:  # each box under a name of its own: a date in one, a street address in the next
                words = [w.strip() for w in _XML_TEXT.findall(body) if w.strip()]
                if words:
                    f.people.setdefault(f"JPEG 2000 XML {xml}", clean(b" / ".join(words)))
                read_xmp(body, f)
        elif kind == b"uuid" and body[:16] == _XMP_UUID:
            labels.append("XMP")
            read_xmp(body[16:], f)
        elif kind in (b"jp2i", b"uuid", b"uinf"):
            labels.append(f"JPEG 2000 box {kind.decode('latin-1')}")
    add_blocks(f, labels)
