"""Saving from the review page: the reviewed regions as a ``NAME.unseen.json`` sidecar, then the
output through the same engine as the command line (``engine.file.anonymize_file``).

The sidecar is written first, so a review is never lost when the output fails (it can be re-run
with ``unseen --boxes``). Like outputs, an existing sidecar is only replaced with ``force``, or when
this session wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import boxes as boxes_file
from ..engine.file import anonymize_file
from ..engine.output import atomic_output
from ..errors import UnseenError
from ..mask import REVERSIBLE_STYLES, REVERSIBLE_WARNING, STYLES
from ..options import AUDIO_CHOICES, Options
from ..regions import Regions, parse_items
from .items import Item


class RequestError(Exception):
    """A request the page should not have sent: answered with ``status`` and one line."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


MAX_REGIONS = 5000


def parse_regions(items: Any, width: int, height: int,
                  timed: bool = False) -> tuple[Regions, list[tuple[float | None, float | None]]]:
    """Regions sent by the page, through the one validator (``regions.parse_items``), clipped to
    the image; a 400 on anything malformed."""
    if isinstance(items, list) and len(items) > MAX_REGIONS:
        raise RequestError(400, f"too many regions (max {MAX_REGIONS})")
    try:
        regions, times = parse_items(items, "review", width, height)
    except ValueError as exc:
        raise RequestError(400, str(exc)) from None
    return regions, (times if timed else [])


def check_style(body: dict, default: str) -> str:
    style = body.get("style", default)
    if style not in STYLES:
        raise RequestError(400, f"style must be one of {', '.join(STYLES)}")
    return style


def check_audio(body: dict) -> str:
    """What happens to a video's sound (``options.AUDIO_CHOICES``); dropped unless the page asks."""
    audio = body.get("audio", "drop")
    if audio not in AUDIO_CHOICES:
        raise RequestError(400, f"audio must be one of {', '.join(AUDIO_CHOICES)}")
    return audio


def prepare(item: Item, body: dict, default_style: str) -> tuple[Regions, list, str, bool, str]:
    """Validate a save request: (regions, times, style, force, audio)."""
    style = check_style(body, default_style)
    audio = check_audio(body)
    if item.state != "ready":
        raise RequestError(409, "detection has not finished for this file")
    video = item.kind == "video"
    regions, times = parse_regions(body.get("regions", []), item.width, item.height, timed=video)
    if video or item.animated:
        keep = regions.kinds == "manual"  # the detector runs on every frame anyway
        regions = regions[keep]
        times = [t for t, k in zip(times, keep, strict=False) if k] if video else []
    # Replacing is the user's call (force), except for files this session wrote itself: saving
    # again after another look must not need a checkbox.
    ours = item.output is not None and item.output.exists()
    force = bool(body.get("force")) or item.uploaded or ours
    return regions, times, style, force, audio


def save(item: Item, regions: Regions, times: list, style: str, force: bool, detector: Any,
         progress: Callable[[int, int], None], audio: str = "drop") -> dict:
    """Write the sidecar, then the output. Returns the page's ``save`` state; never raises."""
    mode = "add" if item.kind == "video" or item.animated else "only"
    text = boxes_file.dump(item.src.name, regions, item.width, item.height, mode=mode, times=times or None)
    side = item.job.sidecar
    try:
        with atomic_output(side, force=force or item.sidecar == side) as tmp:
            tmp.write_text(text, encoding="utf-8")
        item.sidecar = side
        sets = tuple(boxes_file.load(side))  # exactly what `unseen --boxes` reads
        options = Options(style=style, boxes=sets, force=force, audio=audio)
        report = anonymize_file(item.job, options, detector, progress)
        if report.status != "ok" or not report.output:
            raise UnseenError(f"{report.error or 'failed'}. The reviewed regions are kept in {side.name}")
        item.output = Path(report.output)
        info = report.to_json()
        if item.uploaded:  # temporary paths mean nothing to the user: offer downloads instead
            info.pop("input", None)
            info["output"] = item.output.name
        warnings = list(report.warnings)
        if style in REVERSIBLE_STYLES:
            warnings.append(REVERSIBLE_WARNING.format(style=style))
        reviewed = {"faces": int((regions.kinds == "face").sum()),
                    "added": int((regions.kinds == "manual").sum())}
        return {"state": "done", "report": info, "warnings": warnings, "reviewed": reviewed,
                "output": info.get("output"), "sidecar": side.name if item.uploaded else str(side),
                "download": f"/api/files/{item.id}/download",
                "sidecar_download": f"/api/files/{item.id}/download?what=sidecar"}
    except UnseenError as exc:
        return {"state": "error", "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - say so on the page, never silently
        return {"state": "error", "error": f"{type(exc).__name__}: {exc}"}
