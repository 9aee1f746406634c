#!/usr/bin/env bash
# Tries kds serve with real clients other than the Go SDK: the AWS CLI (if
# installed; Debian package awscli) and the AWS SDK for JavaScript v3 (npm
# package @aws-sdk/client-kinesis, installed here on first use). Run from
# anywhere; it starts its own server on a free port and stops it. The
# server verifies signatures (--credentials), so each client's SigV4 is
# checked for real, and a wrong secret must be refused.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

go build -o "$here/.kds" ./compat/cmd/kds
log="$(mktemp)"
keys="$(mktemp)"
echo '[{"AccessKeyId": "AKIDCHECK", "SecretAccessKey": "check-secret"}]' >"$keys"
"$here/.kds" serve --addr 127.0.0.1:0 --credentials "$keys" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log" "$keys" "$here/.kds"' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$log" && break; sleep 0.05; done
endpoint="$(grep -o 'http://[^ ]*' "$log" | head -1)"
echo "kds serve at $endpoint"

export AWS_ACCESS_KEY_ID=AKIDCHECK AWS_SECRET_ACCESS_KEY=check-secret AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
if command -v aws >/dev/null; then
	aws --version
	aws() { command aws --endpoint-url "$endpoint" "$@"; }
	aws kinesis create-stream --stream-name cli --shard-count 2
	aws kinesis put-record --stream-name cli --partition-key k --data aGVsbG8= >/dev/null
	it="$(aws kinesis get-shard-iterator --stream-name cli --shard-id shardId-000000000001 \
		--shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)"
	got="$(aws kinesis get-records --shard-iterator "$it" --query 'Records[0].PartitionKey' --output text)"
	[ "$got" = k ] || { echo "FAIL: aws get-records returned $got"; exit 1; }
	aws kinesis split-shard --stream-name cli --shard-to-split shardId-000000000000 --new-starting-hash-key 1000
	[ "$(aws kinesis list-shards --stream-name cli --query 'length(Shards)')" = 4 ] || { echo "FAIL: list-shards after split"; exit 1; }
	if aws kinesis describe-stream --stream-name missing 2>"$log.err"; then echo "FAIL: missing stream"; exit 1; fi
	grep -q ResourceNotFoundException "$log.err" || { cat "$log.err"; exit 1; }
	if AWS_SECRET_ACCESS_KEY=wrong aws kinesis list-streams 2>"$log.err"; then echo "FAIL: wrong secret accepted"; exit 1; fi
	grep -q InvalidSignatureException "$log.err" || { cat "$log.err"; exit 1; }
	rm -f "$log.err"
	echo "ok: AWS CLI"
else
	echo "skipped: the AWS CLI is not installed"
fi

if command -v node >/dev/null; then
	if (cd "$here" && { [ -d node_modules/@aws-sdk/client-kinesis ] || npm install --no-audit --no-fund --silent; }); then
		(cd "$here" && KDS_ENDPOINT="$endpoint" node --no-warnings check.mjs)
		echo "ok: AWS SDK for JavaScript v3"
	else
		echo "SKIPPED (loudly): npm could not install @aws-sdk/client-kinesis; the JavaScript check did not run"
	fi
else
	echo "skipped: Node.js is not installed"
fi
grep -o 'proto=[^ ]*' "$log" | sort | uniq -c
