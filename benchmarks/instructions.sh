#!/usr/bin/env bash
# Instructions per command of Venue.process, by callgrind: exact and repeatable.
# usage: benchmarks/instructions.sh [PYTHON] [COUNT] [--controls | --rulebook NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
COUNT=${2:-30000}
EXTRA=("${@:3}")
total() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$PY" benchmarks/instructions.py \
        --count "$COUNT" "$@" 2>&1 | awk '/Collected/ {print $4}'
}
with=$(total "${EXTRA[@]}")
without=$(total --setup-only "${EXTRA[@]}")
echo "instructions per command: $(( (with - without) / COUNT ))"
