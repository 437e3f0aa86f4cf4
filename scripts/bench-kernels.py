#!/usr/bin/python3
"""PyTorch CPU timings for `mnf-tui bench kernels`.

Reads {"threads", "warmup", "repeats", "problems": [...]} as JSON on stdin, prints
{"torch", "threads", "mkldnn", "blas", "ms": [median ms per problem], "min_ms": [fastest repeat]}
as JSON on stdout ("blas": the BLAS torch calls, from scripts/bench-blas.py).
Problems use the tfjs (channels-last) shapes of src/bench/kernels.ts:
  conv:   x [N, *spatial, Cin], filter [*k, Cin, Cout], strides, dilations, padBefore, padAfter,
          inputGrad (whether dx is computed), filterGrad; timed as forward + backward(dy) on
          NC(D)HW tensors, as a PyTorch model runs them.
  matmul: a [batch, rows, cols], b [batch, rows, cols], transposeA, transposeB; forward only.
Run with Debian's /usr/bin/python3 (python3-torch).
"""
import importlib
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

blas_in_use = importlib.import_module("bench-blas").blas_in_use


def conv_case(p):
    rank = len(p["x"])
    spatial = rank - 2
    n, cin, cout = p["x"][0], p["x"][-1], p["filter"][-1]
    x_dims = [n, cin] + p["x"][1:-1]
    w_dims = [cout, cin] + p["filter"][:spatial]
    x = torch.randn(x_dims)
    pad_before, pad_after = p["padBefore"], p["padAfter"]
    if pad_before != pad_after or min(pad_before) < 0:
        # asymmetric or negative ('same' in tfjs) pads: pad / crop once, outside the timing
        pads = []
        for i in reversed(range(spatial)):
            pads += [pad_before[i], pad_after[i]]
        x = F.pad(x, pads)
        padding = [0] * spatial
    else:
        padding = pad_before
    x = x.contiguous().requires_grad_(bool(p["inputGrad"]))
    w = torch.randn(w_dims, requires_grad=True)
    conv = F.conv2d if spatial == 2 else F.conv3d
    stride, dilation = p["strides"], p["dilations"]
    with torch.no_grad():
        dy = torch.randn(conv(x, w, None, stride, padding, dilation).shape)

    def run():
        x.grad = None
        w.grad = None
        y = conv(x, w, None, stride, padding, dilation)
        y.backward(dy)

    return run


def matmul_case(p):
    a = torch.randn(p["a"])
    b = torch.randn(p["b"])

    def run():
        aa = a.transpose(1, 2) if p["transposeA"] else a
        bb = b.transpose(1, 2) if p["transposeB"] else b
        torch.matmul(aa, bb)

    return run


def times_ms(run, warmup, repeats):
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000.0)
    return times


def main():
    request = json.load(sys.stdin)
    torch.set_num_threads(int(request["threads"]))
    torch.manual_seed(0)
    ms, min_ms = [], []
    for p in request["problems"]:
        run = conv_case(p) if p["kind"] == "conv" else matmul_case(p)
        times = times_ms(run, int(request["warmup"]), int(request["repeats"]))
        ms.append(statistics.median(times))
        min_ms.append(min(times))
    json.dump(
        {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "mkldnn": torch.backends.mkldnn.is_available(),
            "blas": blas_in_use(torch),
            "ms": ms,
            "min_ms": min_ms,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
