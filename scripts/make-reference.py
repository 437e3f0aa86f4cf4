#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures under test/fixtures/reference/ (Debian python3-torch).

Each module in scripts/reference/ that defines write_fixtures(out_dir) contributes its files.
Run: /usr/bin/python3 scripts/make-reference.py
The fixtures come from Debian bookworm's python3-torch 1.13: keep that version, since F.cosine_similarity's
formula (and its gradient near a zero vector) changed between torch versions. Writing them twice gives
the same bytes.
"""
import importlib
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent / "test" / "fixtures" / "reference"
sys.path.insert(0, str(HERE / "reference"))

def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted((HERE / "reference").glob("*_fixtures.py")):
        module = importlib.import_module(path.stem)
        print(f"{path.stem}: writing fixtures", file=sys.stderr)
        module.write_fixtures(OUT)

if __name__ == "__main__":
    main()
