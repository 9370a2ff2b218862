"""A text recogniser (PaddleOCR PP-OCRv4 rec, CTC), used only inside unseen, never as an output.

Two uses, both internal: the box rule (``detect/plates.py``) asks whether a large box found by the
text detector holds letters and digits at all (PP-OCRv6's detector also fires on suits, lawns and
photo frames), and ``unseen verify`` asks whether text read in an original can still be read at the
same place in its output. What is read stays in local variables: it is never stored, printed,
logged or reported; reports carry counts, boxes and similarities only.

The character dictionary is inside the model (ONNX metadata key ``character``, one per line);
class 0 is the CTC blank and the last class a space, as in PaddleOCR.
"""

from __future__ import annotations

import math
import unicodedata
from functools import cache

import numpy as np
from PIL import Image

from .onnx_session import session
from .text import grown
from .weights import text_rec_onnx

HEIGHT = 48  # the recogniser's input height
MIN_WIDTH = 320  # a batch is at least this wide (PaddleOCR's shape), wider for long lines
BATCH = 6


def _model() -> tuple[object, list[str]]:
    sess = session("text_rec", text_rec_onnx)
    return sess, _alphabet(sess)


@cache
def _alphabet(sess) -> list[str]:
    """The recogniser's characters (CTC blank first, space last), read from the model's metadata."""
    return ["", *sess.get_modelmeta().custom_metadata_map["character"].splitlines(), " "]


def crop(rgb: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quad (tl, tr, br, bl) rectified to an upright crop (Pillow's QUAD transform); tall crops
    are turned on their side, as PaddleOCR does for vertical text.

    Only the quad's bounding box is handed to Pillow, box-reduced first so the text line is at most
    about twice the recogniser's height: a detector box can span most of a 12 MP photo, and
    transforming that at full size cost 0.6 s per box.
    """
    q = np.asarray(quad, np.float64)
    H, W = rgb.shape[:2]
    x0, y0 = (max(0, int(np.floor(v))) for v in q.min(0))
    x1, y1 = min(W, int(np.ceil(q[:, 0].max())) + 1), min(H, int(np.ceil(q[:, 1].max())) + 1)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((1, 1, 3), np.uint8)
    w = max(np.hypot(*(q[0] - q[1])), np.hypot(*(q[3] - q[2])))
    h = max(np.hypot(*(q[0] - q[3])), np.hypot(*(q[1] - q[2])))
    f = max(1, int(min(w, h) // (2 * HEIGHT)))
    im = Image.fromarray(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
    if f > 1:
        im = im.reduce(f)
    q = (q - [x0, y0]) / f
    w, h = max(1, round(w / f)), max(1, round(h / f))
    data = tuple(float(v) for v in (*q[0], *q[3], *q[2], *q[1]))  # Pillow: ul, ll, lr, ur
    out = np.asarray(im.transform((w, h), Image.Transform.QUAD, data=data, resample=Image.Resampling.BICUBIC))
    return np.rot90(out) if h / w >= 1.5 else out


def _tensor(c: np.ndarray, width: int) -> np.ndarray:
    h, w = c.shape[:2]
    rw = max(1, min(width, math.ceil(HEIGHT * w / max(h, 1))))
    x = np.asarray(Image.fromarray(np.ascontiguousarray(c)).resize((rw, HEIGHT), Image.Resampling.BILINEAR),
                   np.float32)
    out = np.zeros((3, HEIGHT, width), np.float32)
    out[:, :, :rw] = ((x[..., ::-1] - 127.5) / 127.5).transpose(2, 0, 1)  # BGR, as PaddleOCR was trained
    return out


def _decode(prob: np.ndarray, chars: list[str]) -> tuple[str, float]:
    ids = prob.argmax(1)
    conf = prob.max(1)
    keep = np.ones(len(ids), bool)
    keep[1:] = ids[1:] != ids[:-1]
    keep &= ids != 0
    text = "".join(chars[i] for i in ids[keep] if i < len(chars))
    return text, float(conf[keep].mean()) if keep.any() else 0.0


def read_crops(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """(text, mean confidence) per crop, batched by aspect ratio."""
    sess, chars = _model()
    name = sess.get_inputs()[0].name
    out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    ratios = [c.shape[1] / max(c.shape[0], 1) for c in crops]
    order = np.argsort(ratios, kind="stable")
    for b in range(0, len(crops), BATCH):
        idx = order[b : b + BATCH]
        width = int(HEIGHT * max([MIN_WIDTH / HEIGHT] + [ratios[i] for i in idx]))
        prob = sess.run(None, {name: np.stack([_tensor(crops[i], width) for i in idx])})[0]
        for k, i in enumerate(idx):
            out[i] = _decode(prob[k], chars)
    return out


# The ways text can lie in a picture besides upright, as turns of ``crop``'s output: half a turn (a photo
# turned 180 degrees, or a quarter anticlockwise, which ``crop``'s own quarter turn of a tall line leaves
# upside down), mirrored left to right (a front camera's photo) and flipped top to bottom.
TURNS = ((2, False), (0, True), (2, True))  # (quarter turns anticlockwise, then mirrored)


def read_turned(rgb: np.ndarray, quads: np.ndarray, grow: float = 0.1) -> list[list[tuple[str, float]]]:
    """For each quad (grown as in ``read``), its reads turned each way of TURNS, in that order."""
    crops = [crop(rgb, grown(q, grow)) for q in quads]
    turned = [np.rot90(c, k)[:, ::-1] if mirror else np.rot90(c, k) for c in crops for k, mirror in TURNS]
    got = read_crops(turned)
    n = len(TURNS)
    return [got[j * n : (j + 1) * n] for j in range(len(quads))]


def read(rgb: np.ndarray, quads: np.ndarray, grow: float = 0.1) -> list[tuple[str, float]]:
    """Read each quad of ``rgb``, grown by ``grow`` x its height per side (the detector's box can
    cut the first and last characters)."""
    return read_crops([crop(rgb, grown(q, grow)) for q in quads])


def alnum(text: str) -> str:
    """Letters and digits only, NFKC, upper case: 'AB-123 cd' and 'AB123CD' read the same."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).upper() if ch.isalnum())


def similarity(a: str, b: str) -> float:
    """1 - normalised Levenshtein distance (1.0: the same string)."""
    if not a and not b:
        return 1.0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))
