"""unseen: make the people in a photo or video unrecognizable, and strip what else identifies them.

Library API (the command line is a thin layer over it)::

    from unseen import Options, anonymize_path
    reports = anonymize_path(["crowd.jpg"], Options(style="fill"))

Importing unseen changes nothing in the process: image plugins and Pillow's pixel limit are set up
only while unseen reads a file (``media.image_open.open_image``). Nor does it load numpy: the names below
are imported on first use, so that the ``unseen`` command can choose numpy's BLAS threads before
numpy starts them (``cli.run``).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    import numpy as np

    from .errors import UnseenError
    from .options import Options
    from .regions import Frame, Regions
    from .report import Report

# The library's names and the module each comes from (PEP 562: imported when first asked for).
_LAZY = {"UnseenError": ".errors", "Options": ".options", "Frame": ".regions", "Regions": ".regions",
         "Report": ".report"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def anonymize_path(paths: list[str | Path], options: Options | None = None,
                   output_dir: str | Path | None = None) -> list[Report]:
    """Anonymise files and folders; one report per file (errors included, never raised). ``paths`` is a
    list: a single string was taken as its characters, "." and "/" among them, and anonymised the working
    folder and the whole file system (TypeError instead)."""
    from .engine import local
    from .engine.plan import plan
    from .media.video_write import output_extension
    from .options import Options

    if isinstance(paths, (str, bytes, Path)):
        raise TypeError("anonymize_path takes a list of paths, not one path: anonymize_path([path])")
    options = options or Options()
    jobs, reports = plan([Path(p) for p in paths], Path(output_dir) if output_dir else None,
                         video_ext=output_extension(options.codec))
    return reports + [report for _, report in local.run(jobs, options)]


def anonymize_image(pixels: np.ndarray, options: Options | None = None) -> tuple[np.ndarray, Regions]:
    """Mask one RGB ``(H, W, 3)`` uint8 array in memory; returns ``(pixels, Regions covered)``; ValueError for
    any other array (an empty one reached onnxruntime, a float one Pillow, each failing in its own words)."""
    import numpy as np

    from .engine.image import cover
    from .options import Options

    if not (isinstance(pixels, np.ndarray) and pixels.dtype == np.uint8 and pixels.ndim == 3
            and pixels.shape[2] == 3 and pixels.shape[0] >= 1 and pixels.shape[1] >= 1):
        raise ValueError("anonymize_image takes an RGB array of shape (H, W, 3) and dtype uint8")
    options = options or Options()
    result = cover(pixels, options.make_detector(), options)
    return result.pixels, result.regions


__all__ = ["Frame", "Options", "Regions", "Report", "UnseenError", "anonymize_image", "anonymize_path"]
