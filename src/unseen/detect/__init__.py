"""Face detection: backends (one module each) behind the ``Detector`` ensemble front."""

from .ensemble import DEFAULT_PASSES, FAST_PASSES, PRESETS, Detector, Pass

__all__ = ["DEFAULT_PASSES", "FAST_PASSES", "PRESETS", "Detector", "Pass"]
