#!/usr/bin/env bash
# Create the isolated venv of the peer tool (deface) that bench/protection.py and bench/time_12mp.py
# compare unseen against. A separate venv keeps deface's own dependency pins (and its CLI) from
# touching unseen's environment. Idempotent: an existing, working venv is left as it is.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-deface"
python="${PYTHON:-python3}"

if [[ -x "$venv/bin/deface" ]] && "$venv/bin/python" -c "import deface, onnxruntime" 2>/dev/null; then
    echo "deface venv already present: $venv"
    exit 0
fi

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet "deface==1.5.0" onnxruntime
"$venv/bin/deface" --version
echo "deface venv ready: $venv"
