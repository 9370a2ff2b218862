"""The table of region kinds: everything that differs between a face, a plate, text or a box a
person drew lives in one row here, so a new kind is one row plus its detector.

Every stage reads this table instead of testing kind names: padding (``Regions.padded``), the mask's
shape (``mask.apply``), whether video tracks it across frames (``track.Tracker``), how the review
page draws it, and which kinds ``--boxes`` files and the page may carry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what a user reads: "face", "licence plate"
    pad: float | None  # fraction of the box added per side; None: the user's --pad (faces)
    head: bool  # extra room above the box (hair, forehead: face detectors crop tightly)
    shape: str | None  # "box" always; None: the user's --shape (ellipse by default)
    tracked: bool  # video: linked across frames, bridged over misses and held (track.py)
    colour: str  # review page outline colour (CSS)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("face", "face", pad=None, head=True, shape=None, tracked=True, colour="#ffc800"),
        # A person drew exactly what they want gone: taken as drawn, never grown or rounded.
        Kind("manual", "added region", pad=0.0, head=False, shape="box", tracked=False, colour="#3b82f6"),
        Kind("plate", "licence plate", pad=0.1, head=False, shape="box", tracked=True, colour="#22c55e"),
        Kind("text", "text", pad=0.15, head=False, shape="box", tracked=True, colour="#e879f9"),
    )
}
KIND_DTYPE = "<U16"  # wide enough for every name above; Regions refuses names it would truncate


def get(name: str) -> Kind:
    """The row for ``name``; a ValueError that names the known kinds otherwise."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown region kind {name!r}; known kinds: {', '.join(KINDS)}") from None
