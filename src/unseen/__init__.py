"""unseen: make the people in a photo or video unrecognizable, and strip what else identifies them.

Library API (the CLI is a thin layer over it)::

    from unseen import Options, anonymize_path
    reports = anonymize_path(["crowd.jpg"], Options(style="fill"))
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"

from .errors import UnseenError  # noqa: E402
from .options import Options  # noqa: E402
from .regions import Frame, Regions  # noqa: E402
from .report import Report  # noqa: E402


def anonymize_path(paths: list[str | Path], options: Options | None = None,
                   output_dir: str | Path | None = None) -> list[Report]:
    """Anonymise files and folders; one report per file (errors included, never raised)."""
    from .files import anonymize_file, plan

    options = options or Options()
    jobs, reports = plan([Path(p) for p in paths], Path(output_dir) if output_dir else None)
    detector = options.make_detector()
    return reports + [anonymize_file(job, options, detector) for job in jobs]


def anonymize_image(pixels, options: Options | None = None):
    """Mask one RGB ``(H, W, 3)`` uint8 array in memory; returns ``(pixels, Regions covered)``."""
    from .pipeline import anonymize_pixels

    options = options or Options()
    out, info = anonymize_pixels(pixels, options.make_detector(), options)
    return out, info["regions"]


__all__ = ["Frame", "Options", "Regions", "Report", "UnseenError", "anonymize_image", "anonymize_path"]
