#!/usr/bin/env bash
# Smoke test of the built bundle (`make dist-check`, docs/packaging.md): no test packages inside,
# the CLI ingests a generated file and its counts and sums match the generator's truth, the HTTP
# server answers /healthz and one POST and ends with 0 on SIGTERM, the window comes up offscreen
# and closes with 0. Prints the bundle's size and the time to the first window (under Xvfb when
# it is installed). Everything runs in a temporary HOME: the user's store and settings are untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle="${1:-dist/eventdesk}"
exe="$(cd "$bundle" && pwd)/eventdesk"
gen="${GEN_EVENTS:-$(dirname "$0")/../tests/data/gen_events.py}"
events="${DIST_CHECK_EVENTS:-45000}"  # over 4 MiB: ingest starts its worker processes (freeze_support)
python="${PYTHON:-python3}"
[ -x "$exe" ] || { echo "dist-check: no bundle at $bundle (run make dist)" >&2; exit 1; }
[ -f "$gen" ] || { echo "dist-check: no event generator at $gen (set GEN_EVENTS)" >&2; exit 1; }

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache"
unset EVENTDESK_STORE EVENTDESK_RESOURCES
mkdir -p "$HOME"
store="$work/store.db"

step() { echo "dist-check: $*"; }
fail() { echo "dist-check: FAILED: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
# wait_for FILE PATTERN SECONDS PID: until FILE holds PATTERN; fails if PID ends first or time runs out
wait_for() {
    local deadline=$(( $(now_ms) + $3 * 1000 ))
    until grep -q "$2" "$1" 2>/dev/null; do
        kill -0 "$4" 2>/dev/null || { cat "$1" >&2; fail "process ended before '$2'"; }
        [ "$(now_ms)" -lt "$deadline" ] || { cat "$1" >&2; fail "no '$2' within $3 s"; }
        sleep 0.02
    done
}
# clean_stderr FILE: nothing but the offscreen platform's one known notice
clean_stderr() {
    if grep -v "This plugin does not support propagateSizeHints" "$1" | grep -q .; then
        cat "$1" >&2
        fail "unexpected output on stderr ($1)"
    fi
}

size_mb="$(du -s --block-size=1M "$bundle" | cut -f1)"
step "bundle ${size_mb} MB ($bundle; target 150, limit ${DIST_MAX_MB:=160})"
# a regression guard (a Qt module or a plugin family creeping back in), not the target itself
[ "$size_mb" -le "$DIST_MAX_MB" ] || fail "the bundle is ${size_mb} MB, over DIST_MAX_MB=${DIST_MAX_MB}"
for name in pytest _pytest hypothesis mongomock pytestqt schemathesis; do
    [ ! -e "$bundle/_internal/$name" ] || fail "test package $name is in the bundle"
done
if "$python" -c "import PyInstaller" 2>/dev/null; then  # the pure-Python modules are inside the executable
    "$python" - "$exe" <<'EOF' || fail "test packages in the executable's archive"
import sys, tempfile
from PyInstaller.archive.readers import CArchiveReader, ZlibArchiveReader
archive = CArchiveReader(sys.argv[1])
with tempfile.NamedTemporaryFile(suffix=".pyz") as pyz:
    pyz.write(archive.extract(next(name for name in archive.toc if name.endswith(".pyz"))))
    pyz.flush()
    modules = ZlibArchiveReader(pyz.name).toc
test_packages = {"pytest", "_pytest", "hypothesis", "mongomock", "pytestqt", "schemathesis"}
found = sorted({name.split(".")[0] for name in modules} & test_packages)
sys.exit(f"bundled: {found}" if found else 0)
EOF
    step "no test packages in the bundle"
fi
"$exe" --version | grep -q "^eventdesk " || fail "eventdesk --version"

step "ingest of $events generated events (worker processes)"
"$python" "$gen" --n "$events" --seed 14 --out "$work/events.jsonl" --truth "$work/truth.json" \
    --mappings "$work/mappings.json" >/dev/null
"$exe" ingest "$work/events.jsonl" --mappings "$work/mappings.json" --workers 2 --json --store "$store" \
    > "$work/ingest.json" || fail "eventdesk ingest ended with $?"
"$exe" aggregates --json --store "$store" > "$work/aggregates.json" || fail "eventdesk aggregates ended with $?"
"$python" - "$work" <<'EOF' || fail "ingest does not match the truth file"
import json, sys
from decimal import Decimal
work = sys.argv[1]
truth = json.load(open(f"{work}/truth.json"))
got = json.load(open(f"{work}/ingest.json"))
want = {"lines": truth["lines"], "accepted": truth["normalized"], "duplicate": truth["exact_duplicates"],
        "semantic_duplicate": truth["semantic_duplicates"], "rejected": truth["rejected"], "failed": 0}
wrong = {key: (got.get(key), value) for key, value in want.items() if got.get(key) != value}
rows = json.load(open(f"{work}/aggregates.json"))["rows"]
sums = {f"{row['client_id']}|{row['metric']}": (row["count"], Decimal(row["sum"])) for row in rows}
expected = {key: (value["count"], Decimal(value["sum"])) for key, value in truth["by_client_metric"].items()}
if sums != expected:
    wrong["aggregates"] = sorted(set(sums.items()) ^ set(expected.items()))[:4]
sys.exit(f"(got, want): {wrong}" if wrong else 0)
EOF

step "serve: GET /healthz, POST /api/events, SIGTERM"
port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$exe" serve --no-auth --port "$port" --store "$store" > "$work/serve.out" 2> "$work/serve.err" &
server=$!
pids+=("$server")
wait_for "$work/serve.err" "listening on http://127.0.0.1:$port" 30 "$server"
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"ok"' || fail "/healthz"
status="$(curl -sS -o "$work/post.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"source": "dist_check", "payload": {"metric": "smoke", "amount": "1.50", "timestamp": "2024-01-02T03:04:05Z"}}' \
    "http://127.0.0.1:$port/api/events")"
[ "$status" = 201 ] && grep -q '"accepted"' "$work/post.json" || fail "POST /api/events: $status $(cat "$work/post.json")"
kill -TERM "$server"
code=0; wait "$server" || code=$?
[ "$code" = 0 ] || { cat "$work/serve.err" >&2; fail "serve ended with $code after SIGTERM"; }
grep -v "^eventdesk: listening on\|^eventdesk: stopped" "$work/serve.err" > "$work/serve.rest" || true
clean_stderr "$work/serve.rest"

# gui PLATFORM: start the window on the store, wait until it is shown, close it (SIGINT: the app's
# Ctrl+C closes the window properly), expect 0 and a clean stderr. Prints the milliseconds to the window.
gui() {
    local log="$work/gui-$1.err" start shown app code=0
    start="$(now_ms)"
    QT_QPA_PLATFORM="$1" "$exe" --store "$store" > /dev/null 2> "$log" &
    app=$!
    pids+=("$app")
    if [ "$1" = offscreen ]; then
        wait_for "$log" "propagateSizeHints" 30 "$app"  # offscreen says so when the window is shown
    else
        until xdotool search --onlyvisible --pid "$app" >/dev/null 2>&1; do
            kill -0 "$app" 2>/dev/null || { cat "$log" >&2; fail "the window never came up ($1)"; }
            [ $(( $(now_ms) - start )) -lt 30000 ] || fail "no window within 30 s ($1)"
            sleep 0.02
        done
    fi
    shown="$(now_ms)"
    sleep 1  # let the first queries of the window finish
    kill -INT "$app"
    wait "$app" || code=$?
    [ "$code" = 0 ] || { cat "$log" >&2; fail "the window ended with $code ($1)"; }
    clean_stderr "$log"
    step "window ($1) shown $(( shown - start )) ms after exec, closed with 0"
}

step "desktop app offscreen"
gui offscreen
if command -v Xvfb >/dev/null && command -v xdotool >/dev/null; then
    display=":$(( 90 + RANDOM % 400 ))"
    Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp > "$work/xvfb.log" 2>&1 &
    pids+=("$!")
    export DISPLAY="$display"
    for _ in $(seq 100); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.05; done
    step "desktop app under Xvfb ($display), twice: the first start reads the files from disk"
    gui xcb
    gui xcb
else
    step "no Xvfb/xdotool: start-up time under X not measured"
fi
step "passed"
