#!/usr/bin/env python3
"""PyTorch baseline of one full mnf-csc training step (student + MNF + all losses + both Adam
steps), for `mnf-tui bench step`: eager mode, on the CPU or a CUDA GPU, in fp32 or under bf16 autocast.
  python3 scripts/bench-step.py --config '<RunConfig JSON>' --threads N --steps S --warmup W
      [--device cpu|cuda] [--precision fp32|bf16] [--tf32 on|off]
Prints one JSON object, with the BLAS torch calls (scripts/bench-blas.py) and the GPU's name."""
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
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32", help="bf16: autocast to bfloat16 (no loss scaling)")
    parser.add_argument("--tf32", choices=["on", "off"], default="on", help="fp32 matmuls and convolutions on TF32 tensor cores (cuda)")
    args = parser.parse_args()
    cfg = json.loads(args.config)
    model = cfg["model"]
    device = torch.device(args.device)
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("bench-step.py: --device cuda, but torch sees no CUDA device")
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = args.tf32 == "on"
    torch.backends.cudnn.allow_tf32 = args.tf32 == "on"
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(cfg["seed"])
    student = R2Plus1D(model["width"], model["featureDim"], model["layers"], model["numClasses"]).to(device)
    head = MnfHead(model["featureDim"], model["numClasses"]).to(device)
    opt_s, opt_m = make_optimizers(student, head, cfg)
    b, t, s = cfg["batch"], cfg["clipLength"], cfg["size"]
    x = torch.randn(b, 3, t, s, s, device=device)
    a = torch.relu(torch.randn(b, model["featureDim"], device=device))
    labels = torch.randint(0, model["numClasses"], (b,), device=device)

    def step():
        # autocast covers the forward, the losses and the gradients (each backward op runs in its forward's dtype)
        with torch.autocast(args.device, dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            mnf_csc_step(student, head, x, a, labels, cfg, opt_s, opt_m)
        if args.device == "cuda":
            torch.cuda.synchronize()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({
        "device": args.device,
        "gpu": torch.cuda.get_device_name(0) if args.device == "cuda" else None,
        "precision": args.precision,
        "tf32": args.tf32 == "on",
        "ms_per_step": sum(times) / len(times),
        "ms_min": min(times),
        "steps": args.steps,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "blas": blas_in_use(torch),
    }))


if __name__ == "__main__":
    main()
