#!/usr/bin/env bash
# Kansli killed with SIGKILL in the middle of mixed writes, N times (default 10),
# restarted each time: every acknowledged write must be there, the database whole,
# the outbox with one message per committed change. See tests/crash/crash.py.
# Ends with `N cycles, A acknowledged writes, L lost`; exit status 0 when L is 0
# and every other check holds.
# Usage: bash tests/crash/run.sh [N]   (KANSLI_BIN=... to use a binary already built;
# otherwise the release binary is built)
set -euo pipefail
cd "$(dirname "$0")/../.."
cycles=${1:-10}
if [ -z "${KANSLI_BIN:-}" ]; then
  cargo build --release --locked --bin kansli
  KANSLI_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/kansli"
fi
exec python3 tests/crash/crash.py "$cycles" "$KANSLI_BIN"
