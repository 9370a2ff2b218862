"""What a file gives away besides its pixels: the ``Findings`` of ``unseen inspect``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Findings:
    """What one file would reveal. Values are shown to the user of their own file only."""

    path: str
    format: str = ""
    size: tuple[int, int] = (0, 0)
    gps: dict[str, Any] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    device: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    software: str = ""
    blocks: list[str] = field(default_factory=list)  # EXIF, XMP, IPTC, ICC, comment, text chunks…
    thumbnails: list[dict[str, Any]] = field(default_factory=list)
    faces: int | None = None
    # Of those, the ones scored CONFIDENT or more: unseen covers faint candidates too (recall first),
    # and on an output of unseen the covered areas and their edges give some; the confident count
    # is the one that says whether a face is plainly there.
    faces_confident: int | None = None
    # Plates and text unseen found in the picture (video: the most in one sampled frame): per kind
    # {"count": n, "boxes": [[x, y, w, h], ...]} (boxes for photos only). Never what the text says.
    found: dict[str, dict[str, Any]] = field(default_factory=dict)
    frames: int = 1  # an animation's frames (faces, plates and text: the most in one sampled frame)
    streams: list[dict[str, Any]] = field(default_factory=list)  # video: streams and their tags
    tags: dict[str, str] = field(default_factory=dict)  # video: container tags

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        out = [f"{self.path}: {self.format} {self.size[0]}x{self.size[1]}"
               + (f", {self.frames} frames (faces, plates and text: the most in one of those searched)"
                  if self.frames > 1 else "")]
        if self.gps:
            pos = self.gps.get("position")
            where = list(dict.fromkeys(  # where it lies, so the user knows what to strip: EXIF's tags by block
                "EXIF" if k.startswith("GPS") else "XMP" if k.startswith("XMP ") else k
                for k in self.gps if k != "position"))
            out.append(f"  GPS position: {pos}" + (f" (in {', '.join(where)})" if where else "") if pos else
                       "  GPS: " + "; ".join(f"{k}={v}" for k, v in self.gps.items()))
        for title, d in (("dates", self.dates), ("device", self.device), ("names/text", self.people)):
            if d:
                out.append(f"  {title}: " + "; ".join(f"{k}={v}" for k, v in d.items()))
        if self.software:
            out.append(f"  software: {self.software}")
        if self.blocks:
            out.append(f"  metadata blocks: {', '.join(self.blocks)}")
        for t in self.thumbnails:
            face = {True: "a face is visible in it", False: "no face found in it", None: "not checked"}
            out.append(f"  embedded {t['kind']} {t['size'][0]}x{t['size'][1]}: {face[t.get('face')]}")
        for s in self.streams:
            parts = [s["type"], f"[{s['flag']}]" if s.get("flag") else "", s.get("codec", ""), s.get("tags") or ""]
            out.append(f"  stream {s['index']}: " + " ".join(str(x) for x in parts if x))
        if self.tags:
            out.append("  container tags: " + "; ".join(f"{k}={v}" for k, v in self.tags.items()))
        if self.faces is not None:
            sure = ""
            if self.faces_confident is not None and self.faces:
                sure = (f" (all at score >= {CONFIDENT:g})" if self.faces_confident == self.faces else
                        f" ({self.faces_confident} at score >= {CONFIDENT:g}; the rest are faint candidates it "
                        "covers too)")
            out.append(f"  faces found by unseen: {self.faces}{sure}")
        for kind, entry in self.found.items():
            where = "; ".join(f"{x:.0f},{y:.0f} {w:.0f}x{h:.0f}" for x, y, w, h in entry.get("boxes", [])[:20])
            more = ", ..." if len(entry.get("boxes", [])) > 20 else ""
            at = f" at {where}{more}" if where else ""
            out.append(f"  {LABELS.get(kind, kind)} found by unseen: {entry['count']}{at}")
        if len(out) == 1:
            out.append("  no metadata found")
        return out


# A Content Credentials manifest (JPEG APP11 JUMBF, PNG caBX, WebP C2PA, an MP4's uuid box): signed claims of
# who made and edited the file, often with a name, a device and a place. Listed as a bare "APP11 segment (JP)"
# or not at all (a hunt, 2026-12-06).
C2PA = "Content Credentials (C2PA manifest: may name the author, the device and the place)"
C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")  # its MP4 box (C2PA 1.x, "uuid")
MAX_BLOCKS = 64  # distinct block names listed for a file; the rest are counted in one last entry


def add_blocks(f: Findings, labels: Iterable[str]) -> None:
    """``labels`` into ``f.blocks``, each once, in order; past MAX_BLOCKS names the rest are counted in one
    entry. A file of 300,000 differently named chunks or segments took minutes, each name checked against
    the list one by one, and ``engine.image`` lists every photo a run covers this way (hunt of 2026-12-06)."""
    seen, more = set(f.blocks), set()
    for label in labels:
        if label in seen or label in more:
            continue
        if len(f.blocks) >= MAX_BLOCKS:
            more.add(label)
        else:
            seen.add(label)
            f.blocks.append(label)
    if more:
        f.blocks.append(f"{len(more)} more blocks of other names")


LABELS = {"plate": "licence plates", "text": "text"}
# A face scored this or more is "confident": the self-check's threshold (detect/ensemble.CHECK_PASSES),
# at which a face left in an output makes unseen cover it again.
CONFIDENT = 0.5


def face_counts(regions: Any) -> tuple[int, int]:
    """(faces, confident faces) among ``Regions``."""
    faces = regions.of_kind("face")
    return len(faces), int((faces.scores >= CONFIDENT).sum())


class MostInOneFrame:
    """The most faces (and confident faces), plates and text found in one of several frames sampled
    from a video or an animation: counts only (which frame's boxes would mislead)."""

    def __init__(self, detector: Any) -> None:
        self.kinds = set(getattr(detector, "kinds", ()))
        self.faces, self.confident = 0, 0
        self.most: dict[str, int] = {}

    def add(self, regions: Any) -> None:
        faces, sure = face_counts(regions)
        self.faces, self.confident = max(self.faces, faces), max(self.confident, sure)
        for kind in ("plate", "text"):
            if kind in self.kinds or len(regions.of_kind(kind)):
                self.most[kind] = max(self.most.get(kind, 0), len(regions.of_kind(kind)))

    def into(self, findings: Findings) -> None:
        findings.faces, findings.faces_confident = self.faces, self.confident
        findings.found = {kind: {"count": n} for kind, n in self.most.items()}


def found_entry(regions: Any, kind: str, boxes: bool = True) -> dict[str, Any]:
    """One kind's entry of ``Findings.found`` from ``Regions``: count and boxes (x, y, w, h)."""
    mine = regions.of_kind(kind)
    entry: dict[str, Any] = {"count": len(mine)}
    if boxes:
        entry["boxes"] = [[round(float(b[0]), 1), round(float(b[1]), 1), round(float(b[2] - b[0]), 1),
                           round(float(b[3] - b[1]), 1)] for b in mine.boxes]
    return entry


def clean(v: Any) -> str:
    """A tag value as short text: bytes decoded, NULs and spaces trimmed, 120 characters. What a
    terminal would act on (an escape sequence in an Artist tag) is escaped where it is printed
    (``cli.common.printable``); JSON escapes it by itself."""
    if isinstance(v, bytes):
        v = v.rstrip(b"\0").decode("utf-8", "replace")
    return str(v).rstrip("\0").strip()[:120]  # a fixed-size field's padding (a Canon's owner name)
