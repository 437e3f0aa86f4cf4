"""CSC loss fixtures: inputs, loss and both gradients from the PyTorch reference (torch_csc.py).

Inputs are float32 values; the reference is evaluated in float64 on them, so the fixtures hold the
exact answer that a float32 implementation is compared against. Features are post-ReLU-like (non-negative)
for v and a, so the calibrated temperature cos(v, a) + theta stays away from zero (well-conditioned);
z is signed. The zero_* cases hold all-zero rows (a silent video's teacher feature, and a v or z row that a
ReLU zeroed), where F.normalize's eps decides the result. Writes test/fixtures/reference/csc.json.

Also writes test/fixtures/reference/cosine.json: F.cosine_similarity (the triplet term's cosine) and the
triplet loss, with zero rows and rows whose norm is below the 1e-8 eps.
"""
import json

import torch

from torch_csc import csc_loss
from torch_models import COSINE_EPS, triplet_loss

# name, B, D, labels (None: all distinct), theta, calibrated, seed[, {input: rows set to zero}]
CASES = [
    ("distinct", 6, 8, None, 0.07, True, 11),
    ("one_class", 8, 16, [3] * 8, 0.2, True, 12),
    ("singletons", 12, 32, [0, 0, 1, 2, 2, 2, 3, 4, 4, 5, 6, 6], 0.07, True, 13),
    ("uncalibrated", 10, 24, [1, 0, 1, 0, 2, 2, 1, 3, 0, 4], 0.1, False, 14),
    ("mixed", 24, 40, [i % 5 for i in range(24)], 0.07, True, 15),
    ("signed_theta_0.2", 16, 20, [i // 3 for i in range(16)], 0.2, True, 16),
    ("zero_teacher", 8, 16, [0, 1, 0, 1, 2, 2, 0, 3], 0.07, True, 17, {"a": [2]}),
    ("zero_rows", 10, 12, [0, 0, 1, 1, 2, 2, 3, 3, 0, 1], 0.2, True, 18, {"a": [0, 5], "v": [3], "z": [7]}),
    ("zero_rows_uncalibrated", 6, 8, [0, 1, 0, 1, 2, 2], 0.1, False, 19, {"v": [1], "z": [4]}),
]


def f32_list(t):
    """float32 values; 9 significant digits round-trip a float32 exactly."""
    return [float(f"{x:.9g}") for x in t.to(torch.float32).reshape(-1).tolist()]


def ref_list(t):
    """float64 reference values to 9 significant digits (far below the 1e-4 test tolerance)."""
    return [float(f"{x:.9g}") for x in t.reshape(-1).tolist()]


def make_case(name, b, d, labels, theta, calibrated, seed, zero_rows=None):
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
    for key, rows in (zero_rows or {}).items():
        {"v": v, "z": z, "a": a}[key][rows] = 0
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
        "zero_rows": zero_rows or {},
    }


def cosine_case(seed):
    """rows: ordinary, x zero, y zero, both zero, x tiny (norm < eps), y tiny, both tiny, ordinary"""
    b, d = 8, 6
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(b, d, generator=gen)
    y = torch.randn(b, d, generator=gen)
    x[1] = 0
    y[2] = 0
    x[3] = y[3] = 0
    x[4] *= 3e-9 / x[4].norm()
    y[5] *= 5e-9 / y[5].norm()
    x[6] *= 2e-9 / x[6].norm()
    y[6] *= 4e-9 / y[6].norm()
    weights = torch.randn(b, generator=gen)
    x, y, weights = (t.to(torch.float32) for t in (x, y, weights))
    x64 = x.double().requires_grad_(True)
    y64 = y.double().requires_grad_(True)
    cos = torch.nn.functional.cosine_similarity(x64, y64, dim=1, eps=COSINE_EPS)
    dx, dy = torch.autograd.grad((cos * weights.double()).sum(), (x64, y64))
    return {"batch": b, "dim": d, "eps": COSINE_EPS, "x": f32_list(x), "y": f32_list(y), "weights": f32_list(weights),
            "cos": ref_list(cos), "dx": ref_list(dx), "dy": ref_list(dy)}


def triplet_case(seed):
    """v post-ReLU-like; row 1 a silent video (a = 0, so a_tilde = g * a = 0), row 3 only a_tilde zero"""
    b, d, margin = 6, 10, 0.2
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(b, d, generator=gen).abs()
    a = torch.randn(b, d, generator=gen).abs()
    a_tilde = a * torch.rand(b, d, generator=gen)
    a[1] = 0
    a_tilde[1] = 0
    a_tilde[3] = 0
    v, a, a_tilde = (t.to(torch.float32) for t in (v, a, a_tilde))
    v64 = v.double().requires_grad_(True)
    at64 = a_tilde.double().requires_grad_(True)
    loss = triplet_loss(v64, a.double(), at64, margin)
    dv, da_tilde = torch.autograd.grad(loss, (v64, at64))
    return {"batch": b, "dim": d, "margin": margin, "v": f32_list(v), "a": f32_list(a), "a_tilde": f32_list(a_tilde),
            "loss": float(loss), "dv": ref_list(dv), "da_tilde": ref_list(da_tilde)}


def write_fixtures(out_dir):
    source = "scripts/reference/csc_fixtures.py (torch " + torch.__version__ + ", float64 on float32 inputs)"
    cases = [make_case(*case) for case in CASES]
    doc = {"source": source, "cases": cases}
    (out_dir / "csc.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    doc = {"source": source, "cosine": cosine_case(21), "triplet": triplet_case(22)}
    (out_dir / "cosine.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n")
