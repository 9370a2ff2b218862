"""The per-file report: what was found, what was covered, what was dropped, where it went.

It never contains pixels, landmarks or embeddings: only counts, names of dropped metadata blocks,
paths and timings. The paths are the inputs' and outputs' as given, and an input's name or folder can
say who took it, where and when (``IMG_20240512_183045.jpg``, ``~/protest/``): a report is for the
person running unseen, not to publish beside its outputs (``--rename`` keeps names out of outputs only).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Report:
    input: str
    output: str | None = None
    status: str = "ok"  # ok | error | skipped
    error: str | None = None
    kind: str = "image"  # image | video
    format_in: str = ""
    format_out: str = ""
    style: str = "fill"
    faces: int = 0  # faces found (video: most in one analysed frame)
    manual_regions: int = 0  # regions a person added (--boxes, the review page)
    regions: dict[str, int] = field(default_factory=dict)  # covered per kind (kinds.KINDS), zeros left out
    self_check_extra: int = 0
    frames: int = 1
    tracks: int | None = None
    audio: str | None = None  # video: none | dropped | kept (AAC) | speech muted (AAC) (Opus for WebM)
    speech_removed_seconds: float | None = None  # video with --audio mute-speech: seconds of audio muted
    metadata_dropped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verify: dict[str, Any] | None = None
    detector_passes: int | None = None  # video: passes the detection schedule ran
    seconds: float = 0.0

    def set_counts(self, counts: dict[str, int]) -> None:
        """Regions per kind: ``faces`` and ``manual_regions`` stay as their own fields for scripts."""
        self.regions = {k: int(n) for k, n in counts.items() if n}
        self.faces = int(counts.get("face", 0))
        self.manual_regions = int(counts.get("manual", 0))

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 3)
        return {k: v for k, v in d.items() if v is not None}
