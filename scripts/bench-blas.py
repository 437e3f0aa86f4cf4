"""Which BLAS this process's PyTorch calls, for the PyTorch baselines of `mnf-tui bench`
(scripts/bench-step.py, scripts/bench-kernels.py load it with importlib: the file name has a dash).

Debian's torch links libblas.so.3, which the alternatives system points at the reference BLAS
(about 7 GFLOP/s) unless libopenblas0-pthread is installed. The answer comes from the libraries
mapped into this process (/proc/self/maps), so call it after `import torch`."""
import ctypes
import os
import re


def _mapped_libraries():
    try:
        with open("/proc/self/maps") as maps:
            fields = (line.split(None, 5) for line in maps)
            return sorted({f[5].strip() for f in fields if len(f) == 6 and ".so" in f[5]})
    except OSError:
        return []


def _openblas(path):
    """{"name": "openblas-pthread 0.3.21", "core": "Cooperlake", "threads": 2, "library": path}"""
    # Debian installs each OpenBLAS variant in its own folder: openblas-pthread, -openmp, -serial.
    folder = os.path.basename(os.path.dirname(path))
    variant = folder if folder.startswith("openblas") else "openblas"
    info = {"name": variant, "core": None, "threads": None, "library": path}
    version = re.search(r"-r(\d+(?:\.\d+)+)", os.path.basename(path))
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        # e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64"
        config = lib.openblas_get_config().decode()
        version = re.search(r"OpenBLAS (\d+(?:\.\d+)+)", config) or version
        info["core"] = lib.openblas_get_corename().decode()
        info["threads"] = lib.openblas_get_num_threads()
    except (OSError, AttributeError):
        pass
    if version:
        info["name"] = f"{variant} {version.group(1)}"
    return info


def blas_in_use(torch):
    """{"name": ..., "library": ...}: name is e.g. "openblas-pthread 0.3.21" or "reference"."""
    libraries = _mapped_libraries()
    for path in libraries:
        if re.search(r"/libopenblas[^/]*\.so", path):
            return _openblas(path)
    for path in libraries:
        # Debian's reference BLAS (libblas3): /usr/lib/<triplet>/blas/libblas.so.3
        if re.search(r"/blas/libblas\.so", path):
            return {"name": "reference", "library": path}
    for kind in ("mkl", "blis", "flexiblas", "atlas"):
        for path in libraries:
            if os.path.basename(path).startswith(f"lib{kind}"):
                return {"name": kind, "library": path}
    # statically linked into torch (PyPI wheels bundle MKL): what the build says
    built = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    return {"name": f"{built.group(1)} (built into torch)" if built else "unknown", "library": None}
