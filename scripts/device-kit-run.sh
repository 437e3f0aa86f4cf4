#!/usr/bin/env bash
# The device kit's launcher (scripts/device-kit.mjs copies it into the kit as run.sh):
#   bash run.sh SCRIPT [ARGS...]      SCRIPT: gpu-check.mjs or cli.mjs (the mnf-tui command line)
# Unpacks the kit's Node, addon and shared libraries into a fresh folder under $TMPDIR (removed on
# exit) and runs SCRIPT with that Node only: nothing of the machine's Node or node_modules is used.
# The addon is loaded through MNF_ADDON and its libraries through LD_LIBRARY_PATH; Python (the
# PyTorch baselines) runs through a wrapper that gives it the machine's own LD_LIBRARY_PATH back.
set -euo pipefail
kit="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 1 ] || [ ! -f "$kit/$1" ]; then
  echo "usage: bash $kit/run.sh SCRIPT [ARGS...] (SCRIPT: gpu-check.mjs or cli.mjs)" >&2
  exit 2
fi
script="$kit/$1"
shift

unpacked="$(mktemp -d "${TMPDIR:-/tmp}/mnf-kit.XXXXXX")"
trap 'rm -rf "$unpacked"' EXIT
# xz where the machine has it, else Python's lzma
if command -v xz >/dev/null 2>&1; then
  xz -dc "$kit/node.xz" >"$unpacked/node"
  xz -dc "$kit/native.tar.xz" | tar -x -C "$unpacked"
else
  python3 - "$kit" "$unpacked" <<'PY'
import lzma, os, shutil, sys, tarfile
kit, out = sys.argv[1], sys.argv[2]
with lzma.open(os.path.join(kit, "node.xz")) as src, open(os.path.join(out, "node"), "wb") as dst:
    shutil.copyfileobj(src, dst)
with tarfile.open(os.path.join(kit, "native.tar.xz"), "r:xz") as native:
    native.extractall(out)
PY
fi
chmod +x "$unpacked/node"

python="${MNF_PYTHON:-$(command -v python3 || echo /usr/bin/python3)}"
cat >"$unpacked/python3" <<EOF
#!/usr/bin/env bash
LD_LIBRARY_PATH='${LD_LIBRARY_PATH:-}' exec '$python' "\$@"
EOF
chmod +x "$unpacked/python3"

# cuDNN, cuBLAS(Lt) and NCCL from PyTorch's CUDA wheels, wherever that Python keeps its packages (a
# virtual environment too); they are also on the library path, for the libraries they load by name
if [ -z "${MNF_CUDA_LIBS:-}" ]; then
  MNF_CUDA_LIBS="$("$python" -c 'import glob, os, site; print(":".join(d for p in site.getsitepackages() for d in sorted(glob.glob(os.path.join(p, "nvidia", "*", "lib")))))' 2>/dev/null || true)"
fi
export MNF_CUDA_LIBS
export MNF_PYTHON="$unpacked/python3"
export MNF_ADDON="$unpacked/mnf_native.node"
export LD_LIBRARY_PATH="$unpacked/lib${MNF_CUDA_LIBS:+:$MNF_CUDA_LIBS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# no exec: the trap removes the unpacked folder when the script ends
"$unpacked/node" "$script" "$@"
