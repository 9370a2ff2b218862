"""Everything a user can choose, in one frozen value passed through the pipeline."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .boxes import BoxSet
from .mask import SHAPES, STYLES, MaskSpec
from .media.image import DEFAULT_MAX_PIXELS

VIDEO_MAX_PIXELS = 8192 * 4320  # 8K (DCI), 35.4 MP: the largest video frame read by default
DEFAULT_PAD = 0.25  # fraction of the face box added on each side (35% more above, for hair)
DEFAULT_THRESHOLD = 0.1  # CenterFace score; other passes shift by the same amount
DEFAULT_HOLD = 0.5  # video: seconds a face's mask stays before it is first and after it is last found
# What happens to a video's sound (--audio, and the review page's choice): dropped unread (the default),
# kept (re-encoded), or kept with every span of speech found replaced by the clip's own background noise.
AUDIO_CHOICES = ("drop", "keep", "mute-speech")
# What is covered by default (--cover): faces, and licence plates, which lead straight to an owner.
# Text is opt-in: the sign a protester holds is often the story.
DEFAULT_COVER = ("face", "plate")
COVER_WORDS = {"faces": "face", "plates": "plate", "text": "text"}  # --cover's words -> kinds.KINDS


def parse_cover(value: str) -> tuple[str, ...]:
    """``"faces,plates"`` -> ``("face", "plate")``; ValueError naming the words it accepts."""
    words = [w.strip().lower() for w in value.split(",") if w.strip()]
    bad = [w for w in words if w not in COVER_WORDS and w not in COVER_WORDS.values()]
    if bad or not words:
        raise ValueError(f"--cover takes a comma list of {', '.join(COVER_WORDS)} (got {value!r})")
    kinds = {COVER_WORDS.get(w, w) for w in words}
    return tuple(k for k in COVER_WORDS.values() if k in kinds)


PRESET_NAMES = ("thorough", "fast")  # detect.PRESETS' keys (--fast), without importing the detectors


def _number(value: object) -> bool:
    """A finite real number (bools are not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Options:
    style: str = "fill"
    shape: str = "ellipse"
    pad: float = DEFAULT_PAD
    threshold: float = DEFAULT_THRESHOLD
    preset: str = "thorough"  # detector passes: thorough (default) | fast
    cover: tuple[str, ...] = DEFAULT_COVER  # kinds the detector looks for: face, plate, text
    self_check: bool = True
    max_pixels: int | None = None  # None: DEFAULT_MAX_PIXELS per photo, VIDEO_MAX_PIXELS per video frame
    force: bool = False
    skip_existing: bool = False  # an existing output counts the file as skipped, not failed (resume a run)
    boxes: tuple[BoxSet, ...] = ()  # from --boxes FILE.json (docs/BOXES.md)
    verify: bool = False  # run the recognizer adversary on each output (needs unseen[verify])
    verify_every: float = 1.0  # video: seconds between the frames --verify checks (0: every frame)
    device: str = "cpu"  # cpu | cuda, already resolved from --device (detect/onnx_session.py)
    # video
    audio: str = "drop"  # one of AUDIO_CHOICES
    codec: str = "h264"
    hold: float = DEFAULT_HOLD  # seconds a track's mask is kept before its first / after its last detection
    second_look: bool = True  # low-score face tracks masked only once confirmed (detect/second_look.py)

    def __post_init__(self) -> None:
        """Refuse values no run can honour, in one ValueError, and take --cover's words ("faces") as the
        kinds they name. The command line checked these and the library did not: ``Options(pad=nan)``,
        ``pad=-0.5`` or ``threshold=nan`` wrote outputs reported "ok" with every face visible, and
        ``cover=("faces", "plates")`` (the README's words) covered nothing at all."""
        cover = (self.cover,) if isinstance(self.cover, str) else tuple(self.cover)
        object.__setattr__(self, "cover", parse_cover(",".join(map(str, cover))) if cover else ())
        checks = [
            (self.style in STYLES, f"style must be one of {', '.join(STYLES)}"),
            (self.shape in SHAPES, f"shape must be one of {', '.join(SHAPES)}"),
            (self.preset in PRESET_NAMES, f"preset must be one of {', '.join(PRESET_NAMES)}"),
            (bool(self.cover), "--cover takes a comma list of " + ", ".join(COVER_WORDS)),
            (_number(self.threshold) and 0 < self.threshold < 1, "--threshold must be between 0 and 1"),
            (_number(self.pad) and 0 <= self.pad <= 3, "--pad must be between 0 and 3"),
            (self.max_pixels is None or (_number(self.max_pixels) and self.max_pixels >= 1),
             "--max-pixels must be a number of pixels, 1 or more"),
            (_number(self.hold) and 0 <= self.hold <= 10, "--hold must be between 0 and 10 seconds"),
            (_number(self.verify_every) and self.verify_every >= 0,
             "--verify-every must be 0 (every frame) or a positive number of seconds"),
            (self.audio in AUDIO_CHOICES, f"--audio must be one of {', '.join(AUDIO_CHOICES)}"),
            (all(isinstance(b, BoxSet) for b in self.boxes), "boxes must be BoxSets (boxes.load)"),
        ]
        for ok, why in checks:
            if not ok:
                raise ValueError(why)
        if self.max_pixels is not None:
            object.__setattr__(self, "max_pixels", int(self.max_pixels))  # --max-pixels 2e7 is a float

    def weakened(self) -> list[str]:
        """What these options take away from the default protection, in the user's words (the command
        prints them as one warning). ``--cover`` without faces and the reversible styles have their
        own warnings; these did not have any, and each finds or covers fewer faces."""
        out = []
        if self.preset == "fast":
            out.append("--fast runs one detector model (fewer small faces found: docs/BENCHMARKS.md)")
        if not self.self_check and "face" in self.cover:
            out.append("--no-self-check leaves faces found again on the result uncovered")
        if self.threshold > DEFAULT_THRESHOLD:
            out.append(f"--threshold above {DEFAULT_THRESHOLD:g} finds fewer faces")
        if self.pad < DEFAULT_PAD:
            out.append(f"--pad under {DEFAULT_PAD:g} covers less of each head")
        if self.hold < DEFAULT_HOLD:
            out.append(f"--hold under {DEFAULT_HOLD:g} s lets a face the video detector loses show sooner")
        return out

    def make_detector(self):
        """The detector these options ask for (models load once, on first use)."""
        from .detect import CHECK_PASSES, PRESETS, Detector, text_passes

        faces = "face" in self.cover
        return Detector(passes=(PRESETS[self.preset] if faces else ()) + text_passes(self.cover),
                        threshold_shift=self.threshold - DEFAULT_THRESHOLD,
                        check_passes=CHECK_PASSES if faces else (), device=self.device)

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
