"""The ``--boxes`` file: extra regions to cover, written by the review page (docs/BOXES.md).

Only geometry is stored (x, y, w, h, kind, score, optional time range for video): never pixels,
landmarks or anything else derived from a face's appearance.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import UnseenError
from .regions import MAX_ITEMS, Regions, parse_items

SCHEMA_VERSION = 1
MODES = ("add", "only")
# Seconds a region's t0 and t1 are widened by: the review page stores times to the millisecond (``dump``),
# and a frame of a 29.97 fps clip at 0.0333667 s was left out of a region ending at 0.033, the frame the
# reviewer had marked as its end (hunt of 2026-12-06).
TIME_SLACK = 0.0005


@dataclass(frozen=True)
class BoxSet:
    """Regions for one image (or video), matched to inputs by file name."""

    image: str | None  # file name the regions belong to; None = every input
    regions: Regions
    mode: str = "add"  # add: detector + these; only: exactly these (a reviewer checked every face)
    times: tuple[tuple[float | None, float | None], ...] = ()  # per region, video only
    # The (width, height) of the upright picture the regions were drawn on, where the file says (one
    # per entry merged into this set).
    sizes: tuple[tuple[int, int], ...] = ()
    # When the boxes file was last changed (ns since the epoch; 0: unknown): ``--skip-existing`` keeps no
    # output made before it, since that output cannot hold its regions.
    changed_ns: int = 0
    # Its "only" came from an entry naming no file: one line of a file handed over turned detection off
    # for every input of the run, plates included, and nothing said so (a hunt, 2026-12-06).
    only_for_all: bool = False

    def matches(self, path: Path) -> bool:
        return self.image is None or Path(self.image).name == path.name

    def check_fits(self, width: int, height: int) -> None:
        """Refuse regions drawn on a picture of another size than this ``width`` x ``height`` one, or
        lying wholly outside it: they would cover other places, leave a face a person marked visible,
        and the report still counted them as covered."""
        for w, h in self.sizes:
            if (w, h) != (width, height):
                raise UnseenError(f"the boxes file's regions for {self.image or 'every input'} were drawn on a "
                                  f"{w}x{h} picture; this one is {width}x{height}")
        b = self.regions.boxes
        outside = (b[:, 2] <= 0) | (b[:, 3] <= 0) | (b[:, 0] >= width) | (b[:, 1] >= height)
        if outside.any():
            x0, y0, x1, y1 = b[int(outside.argmax())]
            raise UnseenError(f"a region of the boxes file ({x0:g},{y0:g} {x1 - x0:g}x{y1 - y0:g}) lies outside the "
                              f"{width}x{height} picture")

    def regions_at(self, t: float | None) -> Regions:
        """Regions active at time ``t`` (seconds); photos pass None and get all of them."""
        if t is None or not self.times:
            return self.regions
        return self.regions[self.active(t)]

    def active(self, t: float) -> np.ndarray:
        """Which regions are active at time ``t`` (all of them when the set has no times)."""
        if not self.times:
            return np.ones(len(self.regions), bool)
        e = TIME_SLACK
        return np.array([(a is None or t >= a - e) and (b is None or t <= b + e) for a, b in self.times], bool)

    def check_shown(self, shown: np.ndarray, last: float) -> None:
        """Refuse a video whose regions of the boxes file were active on no frame (``shown``: per region,
        any frame): timed after the clip's end, or between two frames. They covered nothing while the
        report counted them, as a region outside the picture did (``check_fits``)."""
        if len(shown) and not shown.all():
            a, b = self.times[int((~shown).argmax())]
            when = f"from {a:g} s" if b is None else f"{a if a is not None else 0:g}-{b:g} s"
            raise UnseenError(f"{int((~shown).sum())} region(s) of the boxes file are timed where the clip has no "
                              f"frame (the first: {when}; its frames run to {last:.3f} s)")


def _parse_entry(entry: dict[str, Any], where: str) -> BoxSet:
    if not isinstance(entry, dict) or not isinstance(entry.get("regions"), list):
        raise UnseenError(f"{where}: needs a 'regions' list")
    mode = entry.get("mode", "add")
    if mode not in MODES:
        raise UnseenError(f"{where}: mode must be one of {', '.join(MODES)}")
    image = entry.get("image")
    if image is not None and not isinstance(image, str):
        raise UnseenError(f"{where}: 'image' must be a file name")
    size = (entry.get("width"), entry.get("height"))
    if size != (None, None):
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 2**31 for v in size):
            raise UnseenError(f"{where}: 'width' and 'height' must be the picture's size in pixels, or both left out")
        size = (round(size[0]), round(size[1]))
    try:
        regions, times = parse_items(entry["regions"], source="boxes-file")
    except ValueError as exc:
        raise UnseenError(f"{where}: {exc}") from None
    return BoxSet(image=image, regions=regions, mode=mode, times=tuple(times),
                  sizes=() if size == (None, None) else (size,))


# A boxes file larger than this is refused before it is read: ``--boxes /dev/zero`` read until the
# kernel killed the process, and a FIFO hung the run. A million regions with times take ~150 MB.
MAX_BYTES = 256 * 2**20


def load(path: Path) -> list[BoxSet]:
    """Read a boxes file: one entry (a review sidecar) or ``{"files": [entry, ...]}``."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise UnseenError(f"boxes file {path}: not a regular file")
        if st.st_size > MAX_BYTES:
            raise UnseenError(f"boxes file {path}: {st.st_size / 2**20:.0f} MiB, over {MAX_BYTES // 2**20} MiB")
        with open(path, encoding="utf-8") as f:
            doc = json.loads(f.read(MAX_BYTES + 1))
    except (OSError, UnicodeDecodeError) as exc:
        raise UnseenError(f"cannot read boxes file {path}: {exc}") from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, and an integer of over 4300 digits
        raise UnseenError(f"boxes file {path} is not valid JSON: {str(exc)[:120]}") from None
    if not isinstance(doc, dict):
        raise UnseenError(f"boxes file {path}: expected a JSON object")
    if doc.get("version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise UnseenError(f"boxes file {path}: unsupported version {doc.get('version')}")
    if "files" in doc and ("regions" in doc or "image" in doc):  # the top-level ones were dropped unsaid
        raise UnseenError(f"boxes file {path}: has a 'files' list and regions or an image of its own at the top: "
                          "put those in an entry of 'files'")
    entries = doc.get("files", [doc])
    if not isinstance(entries, list):
        raise UnseenError(f"boxes file {path}: 'files' must be a list")
    sets = [dataclasses.replace(_parse_entry(e, f"boxes file {path}, entry {i}"), changed_ns=st.st_mtime_ns)
            for i, e in enumerate(entries)]
    total = sum(len(s.regions) for s in sets)
    if total > MAX_ITEMS:  # the limit was an entry's: 20 entries of 100,000 took 3.4 GB for one photo (a hunt)
        raise UnseenError(f"boxes file {path}: too many regions ({total}, max {MAX_ITEMS} in all its entries)")
    return sets


def unmatched(sets: list[BoxSet], paths: list[Path]) -> list[str]:
    """The file names entries of a boxes file give that name none of ``paths`` (a run's inputs): their
    regions would cover nothing, without a word (a sidecar kept after its photo was renamed, "G.JPG"
    written for "g.jpg")."""
    names = {p.name for p in paths}
    return list(dict.fromkeys(s.image for s in sets if s.image is not None and Path(s.image).name not in names))


def for_file(sets: list[BoxSet], path: Path) -> BoxSet | None:
    """Merge every entry that applies to ``path`` into one (``only`` wins over ``add``)."""
    hits = [s for s in sets if s.matches(path)]
    if not hits:
        return None
    times = tuple(t for s in hits for t in (s.times or ((None, None),) * len(s.regions)))
    mode = "only" if any(s.mode == "only" for s in hits) else "add"
    return BoxSet(image=path.name, regions=Regions.concat([s.regions for s in hits]), mode=mode, times=times,
                  sizes=tuple(dict.fromkeys(z for s in hits for z in s.sizes)),
                  changed_ns=max(s.changed_ns for s in hits),
                  only_for_all=any(s.mode == "only" and s.image is None for s in hits))


def dump(image_name: str, regions: Regions, width: int, height: int, mode: str = "add",
         times: list[tuple[float | None, float | None]] | None = None) -> str:
    items = regions.to_json()
    for item, (t0, t1) in zip(items, times or [], strict=False):
        if t0 is not None:
            item["t0"] = round(float(t0), 3)
        if t1 is not None:
            item["t1"] = round(float(t1), 3)
    doc = {"version": SCHEMA_VERSION, "image": image_name, "width": width, "height": height,
           "mode": mode, "regions": items}
    return json.dumps(doc, indent=1)
