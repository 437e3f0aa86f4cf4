#!/usr/bin/env python3
"""Baseline for `mnf-tui bench decode`: the seed's per-clip pipeline in Pillow + numpy (h5py read,
PIL JPEG decode, torchvision-style resized crop = crop + BILINEAR resize, horizontal flip, /255,
ImageNet mean/std, stack to (T, H, W, 3) float32) over the clips of a plan written by the bench.

usage: /usr/bin/python3 scripts/bench-decode.py PLAN.json [--workers N]
PLAN.json: {"size": S, "clips": [{"path", "frames": [...], "box": [x, y, w, h], "flip": bool}, ...]}
Prints one JSON object: {"clips": n, "seconds": s, "clips_per_s": r, "workers": N, "pillow": version}."""
import io
import json
import multiprocessing
import sys
import time

import h5py
import numpy as np
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
SIZE = 112


def load_clip(clip):
    with h5py.File(clip['path'], 'r') as f:
        video = f['video']
        jpegs = [video[i].tobytes() for i in clip['frames']]
    x, y, w, h = clip['box']
    frames = []
    for data in jpegs:
        img = Image.open(io.BytesIO(data)).convert('RGB')
        img = img.crop((x, y, x + w, y + h)).resize((SIZE, SIZE), Image.BILINEAR)
        if clip['flip']:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        arr = np.asarray(img, dtype=np.float32) / 255.0
        frames.append((arr - MEAN) / STD)
    return np.stack(frames).shape


def init(size):
    global SIZE
    SIZE = size


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    plan = json.load(open(argv[1]))
    workers = int(argv[argv.index('--workers') + 1]) if '--workers' in argv else 1
    clips = plan['clips']
    init(plan['size'])
    load_clip(clips[0])  # warm-up (imports, file cache)
    start = time.perf_counter()
    if workers == 1:
        for clip in clips:
            load_clip(clip)
    else:
        with multiprocessing.Pool(workers, initializer=init, initargs=(plan['size'],)) as pool:
            pool.map(load_clip, clips, chunksize=max(1, len(clips) // (workers * 4)))
    seconds = time.perf_counter() - start
    print(json.dumps({'clips': len(clips), 'seconds': seconds, 'clips_per_s': len(clips) / seconds,
                      'workers': workers, 'pillow': Image.__version__}))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
