"""Detection: backends (one module each: faces, plates and text) behind the ``Detector`` ensemble front."""

from .ensemble import CHECK_PASSES, DEFAULT_PASSES, FAST_PASSES, PRESETS, Detector, Pass, text_passes

__all__ = ["CHECK_PASSES", "DEFAULT_PASSES", "FAST_PASSES", "PRESETS", "Detector", "Pass", "text_passes"]
