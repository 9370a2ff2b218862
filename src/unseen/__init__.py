"""unseen: make the people in a photo or video unrecognizable, and strip what else identifies them.

Library API (the command line is a thin layer over it)::

    from unseen import Options, anonymize_path
    reports = anonymize_path(["crowd.jpg"], Options(style="fill"))

Importing unseen changes nothing in the process: image plugins and Pillow's pixel limit are set up
only while unseen reads a file (``media.image.open_image``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__version__ = "0.1.0"

from .errors import UnseenError  # noqa: E402
from .options import Options  # noqa: E402
from .regions import Frame, Regions  # noqa: E402
from .report import Report  # noqa: E402


def anonymize_path(paths: list[str | Path], options: Options | None = None,
                   output_dir: str | Path | None = None) -> list[Report]:
    """Anonymise files and folders; one report per file (errors included, never raised)."""
    from .engine import local
    from .engine.plan import plan
    from .media.video_write import output_extension

    options = options or Options()
    jobs, reports = plan([Path(p) for p in paths], Path(output_dir) if output_dir else None,
                         video_ext=output_extension(options.codec))
    return reports + [report for _, report in local.run(jobs, options)]


def anonymize_image(pixels: np.ndarray, options: Options | None = None) -> tuple[np.ndarray, Regions]:
    """Mask one RGB ``(H, W, 3)`` uint8 array in memory; returns ``(pixels, Regions covered)``."""
    from .engine.image import cover

    options = options or Options()
    result = cover(pixels, options.make_detector(), options)
    return result.pixels, result.regions


__all__ = ["Frame", "Options", "Regions", "Report", "UnseenError", "anonymize_image", "anonymize_path"]
