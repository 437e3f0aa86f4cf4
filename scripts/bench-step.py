#!/usr/bin/env python3
"""PyTorch CPU baseline of one full mnf-csc training step (student + MNF + all losses + both Adam
steps), for `mnf-tui bench step`. Run with Debian's torch: /usr/bin/python3 scripts/bench-step.py
--config '<RunConfig JSON>' --threads N --steps S --warmup W. Prints one JSON object, with the BLAS
torch calls (scripts/bench-blas.py)."""
import argparse
import importlib
import json
import pathlib
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "reference"))
from torch_models import MnfHead, R2Plus1D, make_optimizers, mnf_csc_step  # noqa: E402

blas_in_use = importlib.import_module("bench-blas").blas_in_use


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True, help="RunConfig as JSON")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    cfg = json.loads(args.config)
    model = cfg["model"]
    torch.set_num_threads(args.threads)
    torch.manual_seed(cfg["seed"])
    student = R2Plus1D(model["width"], model["featureDim"], model["layers"], model["numClasses"])
    head = MnfHead(model["featureDim"], model["numClasses"])
    opt_s, opt_m = make_optimizers(student, head, cfg)
    b, t, s = cfg["batch"], cfg["clipLength"], cfg["size"]
    x = torch.randn(b, 3, t, s, s)
    a = torch.relu(torch.randn(b, model["featureDim"]))
    labels = torch.randint(0, model["numClasses"], (b,))
    for _ in range(args.warmup):
        mnf_csc_step(student, head, x, a, labels, cfg, opt_s, opt_m)
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        mnf_csc_step(student, head, x, a, labels, cfg, opt_s, opt_m)
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({
        "ms_per_step": sum(times) / len(times),
        "ms_min": min(times),
        "steps": args.steps,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "blas": blas_in_use(torch),
    }))


if __name__ == "__main__":
    main()
