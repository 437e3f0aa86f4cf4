#!/usr/bin/env python3
"""Loads an mnf-tui checkpoint (format version 2) into the PyTorch reference modules and runs them.

The checkpoint's model-*.safetensors holds the state_dict of
nn.ModuleDict({"student": R2Plus1D, "head": <the method's head>}) in PyTorch names and layouts
(src/train/torch-state.ts), so with the `safetensors` package

    modules.load_state_dict(safetensors.torch.load_file(path), strict=True)

is all it takes; without it (Debian has no package) the file is read with numpy below.

Usage: /usr/bin/python3 scripts/reference/load_checkpoint.py CHECKPOINT_DIR --clips CLIPS.npy [--teacher A.npy]
  CLIPS.npy  float32 (B, T, H, W, 3), the layout mnf-tui feeds its student (NDHWC)
  A.npy      float32 (B, teacherDim) teacher features, for the MNF head's outputs
Prints one JSON document: {"reader", "logits", "pooled"[, "mnfLogits", "gate", "attention"]} (eval mode).
"""
import argparse
import hashlib
import json
import pathlib
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from torch_models import MnfHead, R2Plus1D  # noqa: E402

NUMPY_DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1"}


class ProjectionHead(nn.Module):
    """The head of 'feat-kd', 'contrastive' and 'csc': a learned Linear(D, D) of the teacher feature (TS name proj.*)."""

    def __init__(self, d):
        super().__init__()
        self.proj = nn.Linear(d, d)


def read_safetensors_numpy(path):
    """{name: torch tensor} of a safetensors file: u64 LE header length, JSON header, raw LE data."""
    data = pathlib.Path(path).read_bytes()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    start = 8 + n
    out = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = np.dtype(NUMPY_DTYPES[entry["dtype"]])
        values = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=start + begin)
        out[name] = torch.from_numpy(values.reshape(entry["shape"]).copy())
    return out


def read_safetensors(path):
    try:
        from safetensors.torch import load_file
    except ImportError:
        return read_safetensors_numpy(path), "numpy"
    return load_file(str(path)), "safetensors"


def checkpoint_folder(path):
    path = pathlib.Path(path)
    if not (path / "manifest.json").exists() and (path / "checkpoint-last" / "manifest.json").exists():
        path = path / "checkpoint-last"
    return path


def build_modules(manifest):
    model = manifest["config"]["model"]
    modules = {"student": R2Plus1D(model["width"], model["featureDim"], model["layers"], model["numClasses"])}
    method = manifest["method"]
    if method == "mnf-csc":
        modules["head"] = MnfHead(model["featureDim"], model["numClasses"])
    elif method in ("feat-kd", "contrastive", "csc"):
        modules["head"] = ProjectionHead(model["featureDim"])
    elif method != "ce":
        raise SystemExit(f"method '{method}': no PyTorch reference head")
    return nn.ModuleDict(modules)


def load_checkpoint(path):
    """(nn.ModuleDict with 'student' and, where the method has one, 'head'; the manifest; the reader used)"""
    folder = checkpoint_folder(path)
    manifest = json.loads((folder / "manifest.json").read_text())
    if manifest.get("version") != 2:
        raise SystemExit(f"{folder}/manifest.json: format version {manifest.get('version')}, expected 2")
    entry = manifest["files"]["model"]
    file = folder / entry["file"]
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    if digest != entry["sha256"]:
        raise SystemExit(f"{file}: sha256 mismatch (file changed after it was written)")
    state, reader = read_safetensors(file)
    modules = build_modules(manifest)
    modules.load_state_dict(state, strict=True)
    return modules.eval(), manifest, reader


def adapt_teacher(a, d):
    """models/teacher.ts: consecutive groups of teacherDim/D channels averaged to D"""
    return a if a.shape[1] == d else a.reshape(a.shape[0], d, -1).mean(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--clips", required=True)
    parser.add_argument("--teacher")
    args = parser.parse_args()
    modules, manifest, reader = load_checkpoint(args.checkpoint)
    clips = torch.from_numpy(np.load(args.clips).astype(np.float32)).permute(0, 4, 1, 2, 3).contiguous()
    out = {"reader": reader}
    with torch.no_grad():
        feature_map, pooled, logits = modules["student"](clips)
        out["logits"] = logits.tolist()
        out["pooled"] = pooled.tolist()
        if args.teacher and "head" in modules and hasattr(modules["head"], "mnf"):
            a = adapt_teacher(torch.from_numpy(np.load(args.teacher).astype(np.float32)), manifest["config"]["model"]["featureDim"])
            mnf = modules["head"].mnf(feature_map, a)
            out["mnfLogits"] = mnf["logits"].tolist()
            out["gate"] = mnf["gate"].tolist()
            out["attention"] = mnf["attention"].tolist()
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
