"""What happens to a video's sound: dropped (the default: never read), kept (re-encoded), or kept with
its speech muted (``mute.py``: a speech detector, ``speech.py``, finds the voices; ``bed.py`` fills
them with the clip's own non-speech noise).

Imports point down: the engine uses this package; it uses only ``media`` (to open and decode) and
``errors``.
"""

from __future__ import annotations

from .mute import AudioAnalysis, Muter, analyse
from .speech import VadParams

__all__ = ["AudioAnalysis", "Muter", "VadParams", "analyse"]
