"""No model unseen ships holds denormal float weights.

The text detector as RapidOCR ships it had 255,958 (under 2**-126 in magnitude, nearly all in two 1x1
convolutions); on an Intel Xeon those two convolutions took 0.55 s of a 0.9 s pass, and with the
weights at zero (tools/flush_denormals.py) the pass takes ~0.3 s with the same map bit for bit
(docs/BENCHMARKS.md, "Plates and text: the text models' denormal weights"). A model added or
replaced later must not bring them back. onnx is not a runtime dependency, so the weights are read
here from the protobuf wire format: the graph's initializers and its Constant nodes' tensors.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pytest

FLOAT = 1  # onnx.TensorProto.FLOAT


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def _fields(buf: bytes):
    """(field number, wire type, value) of a protobuf message: ints for varints, bytes otherwise."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def _float_tensor(tensor: bytes) -> np.ndarray | None:
    """A TensorProto's float32 values (raw_data, field 9, or packed float_data, field 4)."""
    data_type, values = None, []
    for number, wire, value in _fields(tensor):
        if number == 2 and wire == 0:
            data_type = value
        elif number in (4, 9) and wire == 2:
            values.append(np.frombuffer(value, "<f4") if len(value) % 4 == 0 else np.zeros(0, np.float32))
        elif number == 4 and wire == 5:
            values.append(np.frombuffer(value, "<f4"))
    return np.concatenate(values) if data_type == FLOAT and values else None


def float_weights(model: bytes) -> list[np.ndarray]:
    """The float32 weights of an ONNX model: ModelProto.graph (7) -> initializer (5), and node (1) ->
    attribute (5) -> t (5), where converters leave Constant nodes."""
    out = []
    for number, _, graph in _fields(model):
        if number != 7:
            continue
        for field, _, value in _fields(graph):
            if field == 5:
                tensors = [value]
            elif field == 1:
                tensors = [t for a_field, _, attr in _fields(value) if a_field == 5
                           for t_field, _, t in _fields(attr) if t_field == 5]
            else:
                continue
            out += [a for a in map(_float_tensor, tensors) if a is not None]
    return out


def _shipped() -> list[Path]:
    found = []
    for package in ("unseen.detect", "unseen.audio"):
        folder = resources.files(package) / "models"
        found += sorted(Path(str(folder)).glob("*.onnx"))
    return found


def test_the_reader_sees_the_weights():
    """The parser reads every model's weights (not an empty list that would pass anything)."""
    counts = {p.name: sum(a.size for a in float_weights(p.read_bytes())) for p in _shipped()}
    assert counts["PP-OCRv6_det_small.onnx"] > 2_000_000
    assert counts["centerface.onnx"] > 1_000_000
    assert counts["ch_PP-OCRv4_rec_infer.onnx"] > 1_000_000, counts


def _message(*fields: tuple[int, int | bytes]) -> bytes:
    """A protobuf message of (field number, varint or bytes) pairs."""
    def varint(n: int) -> bytes:
        out = b""
        while True:
            out += bytes([(n & 0x7F) | (0x80 if n > 0x7F else 0)])
            n >>= 7
            if not n:
                return out

    return b"".join(varint(f << 3) + varint(v) if isinstance(v, int) else varint(f << 3 | 2) + varint(len(v)) + v
                    for f, v in fields)


def test_a_denormal_is_seen():
    """A model with one denormal weight, as an initializer or in a Constant node, is caught (the check
    can fail); a model's other fields (ir_version, producer) and non-float tensors are skipped."""
    w = np.array([1.0, 1e-40, 0.0], np.float32).tobytes()
    tensor = _message((1, 3), (2, FLOAT), (8, b"w"), (9, w))
    constant = _message((4, b"Constant"), (5, _message((1, b"value"), (5, tensor))))
    model = _message((1, 8), (2, b"test"), (7, _message((1, constant), (5, tensor))))
    got = float_weights(model)
    assert [_denormals(a) for a in got] == [1, 1]
    assert float_weights(_message((1, 8), (7, _message((5, _message((2, 7), (9, w))))))) == []  # int64: not float


def _denormals(a: np.ndarray) -> int:
    return int(((a != 0) & (np.abs(a) < np.finfo(np.float32).tiny)).sum())


@pytest.mark.parametrize("path", _shipped(), ids=lambda p: p.name)
def test_no_shipped_model_has_denormal_weights(path):
    assert sum(_denormals(a) for a in float_weights(path.read_bytes())) == 0
