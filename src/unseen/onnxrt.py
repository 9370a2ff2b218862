"""onnxruntime, imported only through here, with its telemetry off before it starts.

Official onnxruntime wheels since 1.29 send usage telemetry from Linux and macOS too (1DS, to
mobile.events.data.microsoft.com) and keep a persistent device identifier and an event cache under
~/.cache/Microsoft/DeveloperTools/.onnxruntime. Measured here with onnxruntime 1.32: a DNS lookup of
that host from a Ray worker, and both files created by one session. ``ORT_DISABLE_TELEMETRY=1``, set
before onnxruntime initialises, creates none of it (tests/test_no_network.py checks both). It is set,
not defaulted: nothing may turn it back on for unseen's processes, Ray workers included (they import
this module before any model loads).
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import onnxruntime as ort  # noqa: E402

ort.disable_telemetry_events()

__all__ = ["ort"]
