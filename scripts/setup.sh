#!/usr/bin/env bash
# Create .venv and install the project from requirements.lock (idempotent; quick on re-run).
#   bash scripts/setup.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# run "$@", saying every 3 s that it still runs: no step is silent for long
ticking() {
    local what="$1" started=$SECONDS
    shift
    ( while sleep 3; do echo "setup: … still $what ($((SECONDS - started)) s)"; done ) &
    local ticker=$!
    local status=0
    "$@" || status=$?
    kill "$ticker" 2>/dev/null
    wait "$ticker" 2>/dev/null || true
    return "$status"
}
cd "$root"
venv="$root/.venv"
stamp="$venv/.xxgk-setup"

if [ ! -x "$venv/bin/python" ]; then
    python_bin="$(command -v python3.11 || command -v python3 || true)"
    if [ -z "$python_bin" ]; then
        echo "setup: python3.11 (or python3) is needed" >&2
        exit 1
    fi
    echo "setup: creating .venv with $("$python_bin" --version 2>&1)"
    ticking "creating .venv" "$python_bin" -m venv "$venv"
fi

# What the installed environment was made from; unchanged means nothing to do.
wanted="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -x "$venv/bin/xxgk" ]; then
    echo "setup: .venv is up to date"
    exit 0
fi

if [ ! -x "$venv/bin/uv" ]; then
    echo "setup: installing uv into .venv (pip, a few seconds)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv>=0.5,<1"
fi
packages="$(grep -c '^[A-Za-z0-9]' requirements.lock)"
echo "setup: installing the $packages packages of requirements.lock with uv (about a minute the"
echo "       first time: downloads, then compiling their bytecode; uv shows each stage)"
# Bytecode is compiled at install time: a first run must not pay for compiling ~900 MB of
# packages (and PYTHONDONTWRITEBYTECODE environments never would cache it).
ticking "installing, then compiling bytecode" \
    "$venv/bin/uv" pip install --python "$venv/bin/python" --compile-bytecode -r requirements.lock
echo "setup: installing the project itself (editable)"
"$venv/bin/uv" pip install --quiet --python "$venv/bin/python" --no-deps -e .
echo "$wanted" > "$stamp"
echo "setup: done: .venv/bin/xxgk and .venv/bin/python -m pytest are ready"
