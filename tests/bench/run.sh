#!/usr/bin/env bash
# Throughput of Kansli's pages as ratios to a plain actix-web hello-world, built and
# measured in this same run. Server on core 0, load tool (wrk) on core 1.
# Then every other figure of issue 21 from the same release build: binary size,
# start-up time, the crash test's long form (100 kills), a 10-minute mixed-load
# soak, 200 logins at once against the password-hash queue, 32 concurrent writers
# and 1,000 open connections; all in one table with their goals at the end.
# Usage: bash tests/bench/run.sh [seconds per measurement, default 10]
# (CRASH_CYCLES and SOAK_SECONDS shorten the long forms for a trial run.)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
conns=32

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
for tool in wrk taskset curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk util-linux curl >/dev/null
  fi
done
[ "$(nproc)" -ge 2 ] || { echo "needs 2 cores to pin server and load tool apart"; exit 1; }

cargo build --release --locked --bin kansli --example bench_hello --example bench_drafts --example bench_minimal
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -sf -o /dev/null "$@" && return 0; sleep 0.1; done; echo "server at $1 did not start"; exit 1; }

# rps URL [extra wrk args...]: requests per second, load tool on core 1.
rps() {
  local url=$1; shift
  taskset -c 1 wrk -t1 -c"$conns" -d2s "$@" "$url" >/dev/null  # warm-up
  taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" "$@" "$url" | awk '/Requests\/sec/ { print $2 }'
}

hello_port=$(free_port)
taskset -c 0 target/release/examples/bench_hello "127.0.0.1:$hello_port" & pids+=($!)
wait_up "http://127.0.0.1:$hello_port/"

# The reference for My Page rendered: the same page from the least actix-web +
# rusqlite + maud can do (tests/bench/minimal.rs).
minimal_port=$(free_port)
taskset -c 0 target/release/examples/bench_minimal "127.0.0.1:$minimal_port" & pids+=($!)
wait_up "http://127.0.0.1:$minimal_port/account" -b s=bench

kansli_port=$(free_port)
(cd "$work" && KANSLI_LISTEN="127.0.0.1:$kansli_port" KANSLI_DATA_DIR="$work/data" KANSLI_LOG=warn \
  taskset -c 0 "$OLDPWD/target/release/kansli" serve) & pids+=($!)
base="http://127.0.0.1:$kansli_port"
wait_up "$base/login"

# Confirmed accounts and their session cookies, through the real forms.
csrf() { curl -s -b "$1" -c "$1" "$base$2" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
pw="lingonberries under a violet moon"
# account EMAIL: creates and confirms the account; prints its session cookie.
account() {
  local jar="$work/cookies-$1" token code session
  token=$(csrf "$jar" /account/create)
  curl -s -o /dev/null -b "$jar" -c "$jar" -H "Origin: $base" --data-urlencode "csrf=$token" \
    --data-urlencode "email=$1" --data-urlencode "password=$pw" --data-urlencode "password_repeat=$pw" "$base/account/create"
  code=$(curl -s "$base/dev/mailbox" | grep -o 'class="code">[0-9]\{6\}' | head -1 | grep -o '[0-9]\{6\}')
  token=$(csrf "$jar" /account/confirm)
  curl -s -o /dev/null -b "$jar" -c "$jar" -H "Origin: $base" --data-urlencode "csrf=$token" --data-urlencode "code=$code" "$base/account/confirm"
  session=$(awk '$6 == "kansli_session" { print $7 }' "$jar")
  [ -n "$session" ] || { echo "could not log in $1 for the benchmark" >&2; exit 1; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' -b "kansli_session=$session" "$base/account")" = 200 ] || { echo "session not accepted" >&2; exit 1; }
  echo "$session"
}
session=$(account bench@example.se)
# My Page for people with 20 and with 100 submitted applications.
session20=$(account cases20@example.se)
session100=$(account cases100@example.se)
target/release/examples/bench_drafts cases "$work/data/kansli.db" cases20@example.se 20
target/release/examples/bench_drafts cases "$work/data/kansli.db" cases100@example.se 100
[ "$(curl -s -b "kansli_session=$session100" "$base/account" | grep -o 'class="case"' | wc -l)" = 100 ] || { echo "My Page does not show 100 cases"; exit 1; }

# Three interleaved rounds, medians: this machine's speed drifts from minute to minute.
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
# My Page rendered every time: a new query string per request misses the page cache.
cat > "$work/unique.lua" <<'LUA'
n = 0
request = function() n = n + 1; return wrk.format(nil, wrk.path .. "?n=" .. n) end
LUA
h=(); l=(); a=(); c20=(); c20r=(); c100=(); m=()
for round in 1 2 3; do
  h+=("$(rps "http://127.0.0.1:$hello_port/")")
  l+=("$(rps "$base/login")")
  a+=("$(rps "$base/account" -H "Cookie: kansli_session=$session")")
  c20+=("$(rps "$base/account" -H "Cookie: kansli_session=$session20")")
  c20r+=("$(rps "$base/account" -H "Cookie: kansli_session=$session20" -s "$work/unique.lua")")
  c100+=("$(rps "$base/account" -H "Cookie: kansli_session=$session100")")
  m+=("$(rps "http://127.0.0.1:$minimal_port/account" -H "Cookie: s=bench" -s "$work/unique.lua")")
  echo "round $round: hello ${h[-1]}  login ${l[-1]}  account ${a[-1]}  my page/20 ${c20[-1]} (rendered ${c20r[-1]})  my page/100 ${c100[-1]}  minimal ${m[-1]}"
done
hello=$(median "${h[@]}"); login=$(median "${l[@]}"); account=$(median "${a[@]}")
cases20=$(median "${c20[@]}"); cases20r=$(median "${c20r[@]}"); cases100=$(median "${c100[@]}")
minimal=$(median "${m[@]}")

# Saving an application page (POST: CSRF, validation, upsert, 303) against a raw
# SQLite insert loop with the same durability (WAL, synchronous=FULL).
save=$(taskset -c 1 target/release/examples/bench_drafts save "$base" "kansli_session=$session" "$secs")
insert=$(taskset -c 0 target/release/examples/bench_drafts insert "$secs")
# The draft expiry job over a million drafts, half of them expired.
read -r job_s raw_s longest_ms < <(taskset -c 0 target/release/examples/bench_drafts expiry 1000000 2>/dev/null)

echo
echo "requests/second, median of 3 (${secs}s each, $conns connections, server on core 0, wrk on core 1)"
printf '  %-34s %10.0f\n' "actix-web hello-world" "$hello" "GET /login (anonymous)" "$login" "GET /account (logged in)" "$account" \
  "GET /account, 20 cases" "$cases20" "GET /account, 20 cases, rendered" "$cases20r" \
  "GET /account, 100 cases" "$cases100" "minimal page, 20 cases, rendered" "$minimal"
echo "ratios to hello-world"

awk -v h="$hello" -v l="$login" -v a="$account" -v c="$cases20" -v r="$cases20r" -v d="$cases100" -v m="$minimal" 'BEGIN {
  printf "  login page      %.2fx  (goal >= 0.50x)\n", l / h
  printf "  logged-in page  %.2fx\n", a / h
  printf "  My Page, 20     %.2fx kept, %.2fx rendered  (goal >= 0.20x rendered)\n", c / h, r / h
  printf "  My Page, 100    %.2fx\n", d / h
  printf "  minimal page    %.2fx (My Page rendered is %.2fx of it)\n", m / h, r / m
}'
echo
echo "saving an application page: $save/s; raw SQLite insert loop (WAL, synchronous=FULL): $insert/s"
awk -v s="$save" -v i="$insert" 'BEGIN { printf "  page save       %.2fx  (goal >= 0.70x)\n", s / i }'
echo "draft expiry over 1,000,000 drafts (500,000 expired): job ${job_s}s, raw batched DELETE ${raw_s}s"
awk -v j="$job_s" -v r="$raw_s" -v l="$longest_ms" 'BEGIN {
  printf "  expiry job      %.2fx the speed of the raw DELETE; longest write transaction %.1f ms (goal <= 50 ms)\n", r / j, l
}'

# Faults, load and the binary: each script starts its own Kansli (release build).
bin=target/release/kansli
failed=()
size=$(stat -c %s "$bin")
# (Not tee /dev/stderr: when stderr is a file, opening it again truncates it.)
started=$(python3 tests/bench/startup.py "$bin" 20) || failed+=(startup)
echo "$started"
start_ms=$(awk '/median/ { print $(NF-1) }' <<<"$started")
crash=$(KANSLI_BIN="$bin" bash tests/crash/run.sh "${CRASH_CYCLES:-100}" | tail -1) || failed+=(crash)
# The load checks too: the server on core 0 (with one hashing thread), the load tool
# on core 1, and raw argon2 measured on the server's core.
export SERVER_CPUS=0 CLIENT_CPUS=1
soak=$(python3 tests/soak/load.py "$bin" soak "${SOAK_SECONDS:-600}") || failed+=(soak)
echo "$soak"
soak=$(tail -1 <<<"$soak")
raw_argon2=$(taskset -c 0 target/release/examples/bench_drafts argon2 5)
logins=$(python3 tests/soak/load.py "$bin" logins 200 | tail -1) || failed+=(logins)
writers=$(python3 tests/soak/load.py "$bin" writers 32 | tail -1) || failed+=(writers)
conns=$(python3 tests/soak/load.py "$bin" connections 1000 | tail -1) || failed+=(connections)
unset SERVER_CPUS CLIENT_CPUS

# field LINE WORD: the word after WORD in LINE.
field() { awk -v w="$2" '{ for (i = 1; i < NF; i++) if ($i == w) { print $(i + 1); exit } }' <<<"$1"; }
p99=$(field "$logins" p99)
logins_s=$(awk '{ print $(NF - 1) }' <<<"$logins")
rss_login=$(field "$conns" RSS)
rss_mypage=$(field "$(sed 's/.*My Page/My/' <<<"$conns")" RSS)

echo
echo "Every figure of issue 21, one run ($(nproc) cores; ${secs}s per throughput measurement)"
row() { printf '  %-44s %-50s %s\n' "$@"; }
row "figure" "measured" "goal"
row "login page / hello-world" "$(awk -v a="$login" -v b="$hello" 'BEGIN { printf "%.2fx", a / b }')" ">= 0.50x"
row "My Page, 20 cases, kept / hello-world" "$(awk -v a="$cases20" -v b="$hello" 'BEGIN { printf "%.2fx", a / b }')" "(page cache in front)"
row "My Page, 20 cases, rendered / hello-world" "$(awk -v a="$cases20r" -v b="$hello" 'BEGIN { printf "%.2fx", a / b }')" ">= 0.20x"
row "minimal page of that shape / hello-world" "$(awk -v a="$minimal" -v b="$hello" -v r="$cases20r" 'BEGIN { printf "%.2fx (My Page rendered: %.2fx of it)", a / b, r / a }')" "(reference)"
row "page save / raw SQLite insert" "$(awk -v a="$save" -v b="$insert" 'BEGIN { printf "%.2fx", a / b }')" ">= 0.70x"
row "expiry job, longest write transaction" "${longest_ms} ms" "<= 50 ms"
row "binary (cargo build --release)" "$(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }')" "<= 15 MB"
row "start, exec to first answer (median of 20)" "${start_ms} ms" "<= 25 ms"
row "crash: ${crash%%,*}" "$(sed 's/^[^,]*, //' <<<"$crash")" "0 lost"
row "soak ${SOAK_SECONDS:-600} s, mixed load" "$(sed 's/^[^:]*: //' <<<"$soak")" "0 errors; RSS growth over the 2nd half <= 0.5 MB/min; fds flat; WAL bounded"
row "200 logins at once: 503 p99" "${p99} ms" "<= 10 ms"
row "password hashing under overload / raw argon2" "$(awk -v a="$logins_s" -v b="$raw_argon2" 'BEGIN { printf "%.2fx (%.1f/s of %.1f/s)", a / b, a, b }')" ">= 0.90x"
row "32 writers x 1000 saves" "$(sed 's/^[^:]*: //' <<<"$writers")" "0 failed"
row "1,000 connections, RSS on the login page" "${rss_login} MB" "<= 64 MB"
row "1,000 connections, RSS on My Page" "${rss_mypage} MB" "<= 64 MB"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed checks: ${failed[*]}"
  exit 1
fi
