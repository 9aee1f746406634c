#!/usr/bin/env bash
# peers.sh compares `kds serve` with kinesalite and kinesis-mock in one run:
# it starts the three servers on loopback, each with its in-memory defaults
# and no throughput limits, runs every kdsload scenario against each of
# them RUNS times (servers interleaved within a run) and prints the
# medians and the kds/peer ratios.
#
# The peers are npm packages installed outside the repository:
#
#   mkdir -p /work/peers && cd /work/peers && npm install kinesalite kinesis-local
#
# Settings (environment):
#   PEERS_DIR  where the peers are installed (default /work/peers)
#   KDS_BIN    a kds binary to benchmark (default: built from ./cmd/kds)
#   KDS_FLAGS  further flags for kds serve, e.g. "--log-level warn" (default none)
#   RUNS       runs of each scenario against each server (default 3)
#   DURATION   timed phase of putrecords and putrecord (default 10s)
#   WARMUP     untimed calls before it (default 2s)
#   RECORDS    records put, then drained, by getrecords (default 50000)
#   WORKERS    concurrent PutRecords workers (default 4)
#   PORT       first of the four loopback ports used (default 4600)
#
# Only deviations from the servers' defaults: stream creation and deletion
# delays are 0 on all three (they would only lengthen the untimed set-up),
# and kds runs with --limits=false (kinesalite and kinesis-mock do not
# throttle).
set -euo pipefail

PEERS_DIR=${PEERS_DIR:-/work/peers}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
RECORDS=${RECORDS:-50000}
WORKERS=${WORKERS:-4}
PORT=${PORT:-4600}

compat=$(cd "$(dirname "$0")/.." && pwd)
kinesalite_js=$PEERS_DIR/node_modules/kinesalite/cli.js
mock_dir=$PEERS_DIR/node_modules/kinesis-local
if [[ ! -f $kinesalite_js || ! -f $mock_dir/main.js ]]; then
	echo "peers.sh: kinesalite or kinesis-local missing under $PEERS_DIR; install them with:" >&2
	echo "  mkdir -p $PEERS_DIR && cd $PEERS_DIR && npm install kinesalite kinesis-local" >&2
	exit 1
fi

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

(cd "$compat" && go build -o "$work/kdsload" ./cmd/kdsload && go build -o "$work/nullkinesis" ./bench/nullkinesis)
if [[ -z ${KDS_BIN:-} ]]; then
	(cd "$compat" && go build -o "$work/kds" ./cmd/kds)
	KDS_BIN=$work/kds
fi

# start NAME PORT COMMAND... runs a server in the background, logging to
# $work/NAME.log, and waits until its port accepts connections.
start() {
	local name=$1 port=$2
	shift 2
	"$@" >"$work/$name.log" 2>&1 &
	pids+=($!)
	pid[$name]=$!
	url[$name]=http://127.0.0.1:$port
	for _ in $(seq 300); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
		kill -0 "${pid[$name]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "peers.sh: $name did not start on port $port:" >&2
	cat "$work/$name.log" >&2
	exit 1
}

declare -A pid url
servers=(kds kinesalite kinesis-mock)
# shellcheck disable=SC2086 # KDS_FLAGS is a list of words
start kds $PORT "$KDS_BIN" serve --addr 127.0.0.1:$PORT --limits=false ${KDS_FLAGS:-}
start kinesalite $((PORT + 1)) node "$kinesalite_js" --port $((PORT + 1)) --createStreamMs 0 --deleteStreamMs 0
start null $((PORT + 4)) "$work/nullkinesis" --addr 127.0.0.1:$((PORT + 4))
start kinesis-mock $((PORT + 2)) env -C "$mock_dir" KINESIS_MOCK_PLAIN_PORT=$((PORT + 2)) KINESIS_MOCK_TLS_PORT=$((PORT + 3)) \
	CREATE_STREAM_DURATION=0ms DELETE_STREAM_DURATION=0ms node main.js

echo "# kds:          $KDS_BIN serve --limits=false ${KDS_FLAGS:-}"
echo "# kinesalite:   $(node -p "require('$PEERS_DIR/node_modules/kinesalite/package.json').version")"
echo "# kinesis-mock: kinesis-local $(node -p "require('$mock_dir/package.json').version")"
echo "# node $(node --version), $(go version | cut -d' ' -f3-)"
echo "# $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "# runs=$RUNS duration=$DURATION warmup=$WARMUP records=$RECORDS workers=$WORKERS"

results=$work/results
for run in $(seq "$RUNS"); do
	for scenario in putrecords getrecords putrecord; do
		others=()
		# The floor: a server that answers PutRecord and stores nothing.
		[[ $scenario == putrecord ]] && others=(null)
		for s in "${servers[@]}" "${others[@]}"; do
			if line=$("$work/kdsload" --endpoint "${url[$s]}" --scenario "$scenario" --server-pid "${pid[$s]}" \
				--duration "$DURATION" --warmup "$WARMUP" --records "$RECORDS" --workers "$WORKERS"); then
				echo "run=$run server=$s $line" | tee -a "$results"
			else
				echo "run=$run server=$s scenario=$scenario failed"
			fi
		done
	done
done

# The figures compared: scenario, key in kdsload's output, label.
figures="putrecords records_per_s records/s
putrecords server_cpu_us_per_record server_CPU_us/record
putrecords client_cpu_us_per_record client_CPU_us/record
getrecords records_per_s records/s
getrecords server_cpu_us_per_record server_CPU_us/record
getrecords client_cpu_us_per_record client_CPU_us/record
putrecord p50_ms median_latency_ms
putrecord p99_ms p99_latency_ms
putrecord server_cpu_us_per_call server_CPU_us/call
putrecord client_cpu_us_per_call client_CPU_us/call"

# One "scenario key server value" line per run and figure, sorted so that
# each group's runs are adjacent and in order; then the median of each.
awk '{ for (i = 3; i <= NF; i++) { split($i, kv, "="); if (i == 3) sc = kv[2]; else if (kv[1] != "endpoint") print sc, kv[1], substr($2, 8), kv[2] } }' "$results" |
	sort -k1,1 -k2,2 -k3,3 -k4,4g >"$work/values"
awk '
	function flush() { if (n) { med[key] = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; runs[key] = list } n = 0; list = "" }
	function show(k) { return (k in med) ? sprintf("%.3f", med[k]) : "-" }
	function ratio(a, b) { return (a in med && b in med && med[b] != 0) ? sprintf("%.2f", med[a] / med[b]) : "-" }
	FILENAME == ARGV[1] { k = $1 " " $2 " " $3; if (k != key) { flush(); key = k } v[++n] = $4; list = list (n > 1 ? "," : "") $4; next }
	FNR == 1 { flush() }
	{
		k = $1 " " $2 " "
		printf "%-11s %-22s %12s %12s %12s %10s %10s\n", $1, $3, show(k "kds"), show(k "kinesalite"), show(k "kinesis-mock"),
			ratio(k "kds", k "kinesalite"), ratio(k "kds", k "kinesis-mock")
		runsline = runsline sprintf("%-11s %-22s kds=%s kinesalite=%s kinesis-mock=%s\n", $1, $3, runs[k "kds"], runs[k "kinesalite"], runs[k "kinesis-mock"])
	}
	BEGIN { printf "\n%-11s %-22s %12s %12s %12s %10s %10s\n", "scenario", "median of runs", "kds", "kinesalite", "kinesis-mock", "kds/klite", "kds/kmock" }
	END { printf "\nruns (sorted):\n%s", runsline }
' "$work/values" - <<<"$figures"

# The floor of the single-PutRecord figures: nullkinesis, net/http alone.
awk '
	function out() { printf "floor (nullkinesis) putrecord %-24s median %.3f\n", k, (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
	$3 == "null" && ($2 ~ /^p(50|99)_ms$/ || $2 ~ /_per_call$/) { if ($2 != k) { if (n) out(); k = $2; n = 0 } v[++n] = $4 }
	END { if (n) out() }
' "$work/values" | sort -u
