"""Make unseen's text recogniser from RapidOCR's file: denormal weights at zero, and the elementwise
steps PaddleOCR's export wrote out one by one folded into the operators around them.

Usage:  python tools/fold_recogniser.py SRC [DST]
  SRC: RapidOCR's ch_PP-OCRv4_rec_infer.onnx as the wheel named in
  src/unseen/detect/models/LICENSE-ppocr-rec.txt ships it (``SOURCE_SHA256`` below); DST defaults to
  the file of that name in src/unseen/detect/models.

Build-time only: needs the ``onnx`` package (tested with onnx 1.23); the result loads in onnxruntime
without it.

Why: the recogniser (PP-LCNetV3 backbone, SVTR neck, CTC head) spent more than half its time in
elementwise operators over whole feature maps, not in its convolutions (onnxruntime's node profile of
a batch of six 48 x 320 crops, one thread: Conv 25%, Mul 24%, Add 19%, Clip 9%, Div 7%, layout
reorders 12%). The export writes each of PP-LCNetV3's "learnable affine blocks" (y = a * x + b, a and
b scalars) as a Mul and an Add, and each hard-swish as Add(3), Clip(0, 6), Mul, Div(6); onnxruntime
fuses neither with the convolution next to them. Folded, the same batch takes ~0.6x the time
(docs/BENCHMARKS.md, "Plates and text: the recogniser's folded file"), and the reads are the same:
on every crop the plate/text pass read in the shared photos and clips, the same strings, confidences
within ~1e-5 (float rounding: a * (W x) + b and (a W) x + b are the same numbers, rounded in another
order).

Recipe (``fold``; every other node and weight is kept as it is):
  1. check the source SHA-256;
  2. set its denormal weights to zero (``flush_denormals.flush``, 31,350 of them);
  3. a convolution followed only by Mul(a) then Add(b), a and b scalar constants: the convolution
     takes weights a * W and bias a * B + b, the Mul and Add go (28);
  4. a hard-swish written as Add(x, 3) -> Clip(0, 6) -> Mul(x, .) -> Div(6) becomes
     Mul(x, HardSigmoid(x; alpha 1/6, beta 1/2)), the same function in the opset the file has (28);
  5. Mul(a) then Add(b), scalars, feeding only a 1 x 1 convolution without padding or groups: that
     convolution takes weights a * W and bias B + b * sum(W) (12; convolutions with padding are left,
     where the zero padding would see b);
  6. set denormal weights to zero again (products of steps 3 and 5 could be; none are), drop the constants
     no node uses any more, order the nodes topologically, check the model, serialise, and compare the
     result's SHA-256 with the one unseen records (``weights.TEXT_REC_SHA256``).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
from flush_denormals import flush

from unseen.detect.weights import TEXT_REC_SHA256

SOURCE_SHA256 = "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b"  # rapidocr_onnxruntime 1.4.4
NAME = "ch_PP-OCRv4_rec_infer.onnx"
EXPECTED = {"denormals": 31_350, "conv_affine": 28, "hard_swish": 28, "affine_conv": 12, "denormals_after": 0}


class _Graph:
    """The model's nodes with their Constant values and consumers, as the folds need them."""

    def __init__(self, model) -> None:
        from onnx import numpy_helper

        self.graph = model.graph
        self.values = {n.output[0]: numpy_helper.to_array(n.attribute[0].t)
                       for n in self.graph.node if n.op_type == "Constant"}

    def constant(self, name: str) -> np.ndarray | None:
        """The value of the Constant node that makes ``name``, or None."""
        return self.values.get(name)

    def scalar(self, node, other_than: str) -> np.float32 | None:
        """The scalar constant among ``node``'s inputs besides ``other_than``, or None."""
        rest = [i for i in node.input if i != other_than]
        value = self.constant(rest[0]) if len(rest) == 1 else None
        return np.float32(value.ravel()[0]) if value is not None and value.size == 1 else None

    def only_consumer(self, name: str, op_type: str):
        """The one node that reads ``name``, if it is an ``op_type``; else None."""
        users = [n for n in self.graph.node if name in n.input]
        return users[0] if len(users) == 1 and users[0].op_type == op_type else None

    def add_constant(self, name: str, value: np.ndarray) -> str:
        """A new Constant node making ``name`` (float32); returns the name."""
        from onnx import helper, numpy_helper

        self.values[name] = value = value.astype(np.float32)
        self.graph.node.append(helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value, name)))
        return name

    def weights(self, conv) -> tuple[np.ndarray, np.ndarray]:
        """A convolution's weights and bias (zeros when it has none)."""
        w = self.constant(conv.input[1])
        b = self.constant(conv.input[2]) if len(conv.input) > 2 else np.zeros(w.shape[0], np.float32)
        return w, b


def _conv_affine(g: _Graph) -> int:
    """Step 3: Conv -> Mul(a) -> Add(b) becomes one Conv with weights a W and bias a B + b."""
    done = 0
    for conv in [n for n in g.graph.node if n.op_type == "Conv"]:
        mul = g.only_consumer(conv.output[0], "Mul")
        add = mul and g.only_consumer(mul.output[0], "Add")
        a = mul and g.scalar(mul, conv.output[0])
        b = add and g.scalar(add, mul.output[0])
        if a is None or b is None:
            continue
        w, bias = g.weights(conv)
        names = (g.add_constant(f"{conv.name}.folded_w", w * a), g.add_constant(f"{conv.name}.folded_b", bias * a + b))
        del conv.input[1:]
        conv.input.extend(names)
        conv.output[0] = add.output[0]
        g.graph.node.remove(mul)
        g.graph.node.remove(add)
        done += 1
    return done


def _hard_swish(g: _Graph) -> int:
    """Step 4: Add(x, 3) -> Clip(0, 6) -> Mul(x, .) -> Div(6) becomes Mul(x, HardSigmoid(x))."""
    from onnx import helper

    done = 0
    for add in [n for n in g.graph.node if n.op_type == "Add"]:
        x = next((i for i in add.input if g.constant(i) is None), None)
        if x is None or g.scalar(add, x) != 3.0:
            continue
        clip = g.only_consumer(add.output[0], "Clip")
        mul = clip and g.only_consumer(clip.output[0], "Mul")
        div = mul and g.only_consumer(mul.output[0], "Div")
        if div is None or x not in mul.input or g.scalar(div, mul.output[0]) != 6.0 \
                or [float(g.constant(i)) for i in clip.input[1:]] != [0.0, 6.0]:
            continue
        out = div.output[0]
        at = list(g.graph.node).index(add)
        for node in (add, clip, mul, div):
            g.graph.node.remove(node)
        g.graph.node.insert(at, helper.make_node("HardSigmoid", [x], [f"{out}.hsig"], name=f"{out}.hsig",
                                                 alpha=1 / 6, beta=0.5))
        g.graph.node.insert(at + 1, helper.make_node("Mul", [x, f"{out}.hsig"], [out], name=f"{out}.hswish"))
        done += 1
    return done


def _affine_conv(g: _Graph) -> int:
    """Step 5: Mul(a) -> Add(b) -> a 1 x 1 Conv (no padding, no groups) becomes that Conv with
    weights a W and bias B + b sum(W)."""
    from onnx import helper

    done = 0
    for mul in [n for n in g.graph.node if n.op_type == "Mul"]:
        x = next((i for i in mul.input if g.constant(i) is None), None)
        a = g.scalar(mul, x) if x is not None else None
        add = g.only_consumer(mul.output[0], "Add") if a is not None else None
        b = add and g.scalar(add, mul.output[0])
        conv = b is not None and g.only_consumer(add.output[0], "Conv")
        if not conv:
            continue
        attrs = {at.name: helper.get_attribute_value(at) for at in conv.attribute}
        if list(attrs.get("kernel_shape", [])) != [1, 1] or any(attrs.get("pads", [0])) or attrs.get("group", 1) != 1:
            continue
        w, bias = g.weights(conv)
        names = (g.add_constant(f"{conv.name}.post_w", w * a),
                 g.add_constant(f"{conv.name}.post_b", bias + b * w.sum(axis=(1, 2, 3))))
        del conv.input[:]
        conv.input.extend([x, *names])
        g.graph.node.remove(mul)
        g.graph.node.remove(add)
        done += 1
    return done


def _tidy(g: _Graph) -> None:
    """Drop Constants nothing reads; order the nodes so each comes after what it reads."""
    used = {i for n in g.graph.node for i in n.input} | {o.name for o in g.graph.output}
    nodes = [n for n in g.graph.node if n.op_type != "Constant" or n.output[0] in used]
    ready = {i.name for i in g.graph.input} | {i.name for i in g.graph.initializer} | {""}
    ordered = []
    while nodes:
        rest = []
        for n in nodes:
            if set(n.input) <= ready:
                ordered.append(n)
                ready.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(nodes):
            raise SystemExit("the folded graph has a cycle or an input nothing makes")
        nodes = rest
    copies = [type(n)() for n in ordered]
    for copy, n in zip(copies, ordered, strict=True):
        copy.CopyFrom(n)
    del g.graph.node[:]
    g.graph.node.extend(copies)


def fold(data: bytes) -> tuple[bytes, dict[str, int]]:
    """Steps 2-6 on the source model's bytes: the folded model's bytes, and how many of each fold."""
    import onnx

    flushed, denormals = flush(data)
    model = onnx.ModelProto()
    model.ParseFromString(flushed)
    g = _Graph(model)
    counts = {"denormals": denormals,
              "conv_affine": _conv_affine(g), "hard_swish": _hard_swish(g), "affine_conv": _affine_conv(g)}
    _tidy(g)
    out, counts["denormals_after"] = flush(model.SerializeToString())  # checks the model too
    return out, counts


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    src = Path(sys.argv[1])
    data = src.read_bytes()
    if (got := hashlib.sha256(data).hexdigest()) != SOURCE_SHA256:
        sys.exit(f"{src}: SHA-256 {got} is not RapidOCR's recogniser ({SOURCE_SHA256})")
    models = Path(__file__).resolve().parents[1] / "src" / "unseen" / "detect" / "models"
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else models / NAME
    out, counts = fold(data)
    if counts != EXPECTED:
        sys.exit(f"folds {counts}, expected {EXPECTED}")
    sha = hashlib.sha256(out).hexdigest()
    dst.write_bytes(out)
    print(f"{dst}: {len(out)} bytes, folds {counts}, SHA-256 {sha}")
    if sha != TEXT_REC_SHA256:
        sys.exit(f"SHA-256 differs from the one detect/weights.py records ({TEXT_REC_SHA256}): record it there")


if __name__ == "__main__":
    main()
