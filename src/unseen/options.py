"""Everything a user can choose, in one frozen value passed through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from .boxes import BoxSet
from .mask import MaskSpec
from .media.image import DEFAULT_MAX_PIXELS

VIDEO_MAX_PIXELS = 8192 * 4320  # 8K (DCI), 35.4 MP: the largest video frame read by default
DEFAULT_PAD = 0.25  # fraction of the face box added on each side (35% more above, for hair)
DEFAULT_THRESHOLD = 0.1  # CenterFace score; other passes shift by the same amount
# What happens to a video's sound (--audio, and the review page's choice): dropped unread (the default),
# kept (re-encoded), or kept with every span of speech found replaced by the clip's own background noise.
AUDIO_CHOICES = ("drop", "keep", "mute-speech")


@dataclass(frozen=True)
class Options:
    style: str = "fill"
    shape: str = "ellipse"
    pad: float = DEFAULT_PAD
    threshold: float = DEFAULT_THRESHOLD
    preset: str = "thorough"  # detector passes: thorough (default) | fast
    self_check: bool = True
    max_pixels: int | None = None  # None: DEFAULT_MAX_PIXELS per photo, VIDEO_MAX_PIXELS per video frame
    force: bool = False
    skip_existing: bool = False  # an existing output counts the file as skipped, not failed (resume a run)
    boxes: tuple[BoxSet, ...] = ()  # from --boxes FILE.json (docs/BOXES.md)
    verify: bool = False  # run the recognizer adversary on each output (needs unseen[verify])
    # video
    audio: str = "drop"  # one of AUDIO_CHOICES
    codec: str = "h264"
    hold: float = 0.5  # seconds a track's mask is kept before its first / after its last detection

    def make_detector(self):
        """The detector these options ask for (models load once, on first use)."""
        from .detect import PRESETS, Detector

        return Detector(passes=PRESETS[self.preset], threshold_shift=self.threshold - DEFAULT_THRESHOLD)

    @property
    def photo_pixel_limit(self) -> int:
        return self.max_pixels or DEFAULT_MAX_PIXELS

    @property
    def frame_pixel_limit(self) -> int:
        """Video frames are refused above 8K unless ``--max-pixels`` says otherwise: every frame of a
        clip is decoded and searched, so a small file can hold an enormous amount of work."""
        return self.max_pixels or VIDEO_MAX_PIXELS

    @property
    def mask_spec(self) -> MaskSpec:
        return MaskSpec(style=self.style, shape=self.shape)
