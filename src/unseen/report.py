"""The per-file report: what was found, what was covered, what was dropped, where it went.

It never contains pixels, landmarks or embeddings: only counts, names of dropped metadata blocks,
paths and timings, so it is safe to keep next to published files.
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
    faces: int = 0
    manual_regions: int = 0
    self_check_extra: int = 0
    frames: int = 1
    tracks: int | None = None
    audio: str | None = None
    metadata_dropped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verify: dict[str, Any] | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 3)
        return {k: v for k, v in d.items() if v is not None}
