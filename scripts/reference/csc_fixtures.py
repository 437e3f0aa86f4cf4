"""CSC loss fixtures: inputs, loss and both gradients from the PyTorch reference (torch_csc.py).

Inputs are float32 values; the reference is evaluated in float64 on them, so the fixtures hold the
exact answer that a float32 implementation is compared against. Features are post-ReLU-like (non-negative)
for v and a, so the calibrated temperature cos(v, a) + theta stays away from zero (well-conditioned);
z is signed. Writes test/fixtures/reference/csc.json.
"""
import json

import torch

from torch_csc import csc_loss

# name, B, D, labels (None: all distinct), theta, calibrated, seed
CASES = [
    ("distinct", 6, 8, None, 0.07, True, 11),
    ("one_class", 8, 16, [3] * 8, 0.2, True, 12),
    ("singletons", 12, 32, [0, 0, 1, 2, 2, 2, 3, 4, 4, 5, 6, 6], 0.07, True, 13),
    ("uncalibrated", 10, 24, [1, 0, 1, 0, 2, 2, 1, 3, 0, 4], 0.1, False, 14),
    ("mixed", 24, 40, [i % 5 for i in range(24)], 0.07, True, 15),
    ("signed_theta_0.2", 16, 20, [i // 3 for i in range(16)], 0.2, True, 16),
]


def f32_list(t):
    """float32 values; 9 significant digits round-trip a float32 exactly."""
    return [float(f"{x:.9g}") for x in t.to(torch.float32).reshape(-1).tolist()]


def ref_list(t):
    """float64 reference values to 9 significant digits (far below the 1e-4 test tolerance)."""
    return [float(f"{x:.9g}") for x in t.reshape(-1).tolist()]


def make_case(name, b, d, labels, theta, calibrated, seed):
    gen = torch.Generator().manual_seed(seed)
    signed = name.startswith("signed")
    v = torch.randn(b, d, generator=gen)
    a = v + 0.5 * torch.randn(b, d, generator=gen)
    if not signed:
        v, a = v.abs(), a.abs()
    else:
        a = v.abs() + 0.5 * torch.rand(b, d, generator=gen)
        v = v.abs() - 0.2 * torch.rand(b, d, generator=gen)
    z = torch.randn(b, d, generator=gen)
    v, z, a = (x.to(torch.float32) for x in (v, z, a))
    y = torch.tensor(labels if labels is not None else list(range(b)), dtype=torch.int64)

    v64 = v.to(torch.float64).requires_grad_(True)
    z64 = z.to(torch.float64).requires_grad_(True)
    loss = csc_loss(v64, z64, a.to(torch.float64), y, theta, calibrated)
    dv, dz = torch.autograd.grad(loss, (v64, z64))
    if calibrated:
        tau = torch.nn.functional.normalize(v.double(), dim=1) @ torch.nn.functional.normalize(a.double(), dim=1).t() + theta
        assert tau.abs().min() > 0.05, f"{name}: temperature too close to zero"
    return {
        "name": name,
        "batch": b,
        "dim": d,
        "theta": theta,
        "calibrated": calibrated,
        "labels": y.tolist(),
        "v": f32_list(v),
        "z": f32_list(z),
        "a_sel": f32_list(a),
        "loss": float(loss),
        "dv": ref_list(dv),
        "dz": ref_list(dz),
    }


def write_fixtures(out_dir):
    cases = [make_case(*case) for case in CASES]
    doc = {
        "source": "scripts/reference/csc_fixtures.py (torch " + torch.__version__ + ", float64 on float32 inputs)",
        "cases": cases,
    }
    text = json.dumps(doc, separators=(",", ":"))
    (out_dir / "csc.json").write_text(text + "\n")
