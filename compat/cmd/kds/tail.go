package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// tailConfig is what kds tail's flags ask for.
type tailConfig struct {
	stream   string
	from     startPosition
	format   recordFormat
	count    int64
	noFollow bool
	poll     time.Duration
}

// runTail is kds tail STREAM.
func runTail(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	c := newCLI("tail", "[flags] STREAM",
		`Print the stream's records to stdout as they arrive, reading every shard
with GetRecords. When a shard is split or merged, its children are read
once it is drained, so the records of a key come out in the order they
were put. Throttled calls are retried after a growing pause; an expired
iterator is replaced by one after the last record printed.

Formats: raw prints each record's data and a newline; base64 the data in
base64; json one object per line with shardId, sequenceNumber,
partitionKey, approximateArrivalTimestamp (RFC 3339, UTC, milliseconds)
and data: the data as text if it is valid UTF-8 (dataEncoding "utf-8"),
else in base64 (dataEncoding "base64").

at-sequence=N starts the shard that holds record N at N, and the other
shards at the time record N arrived.

kds tail runs until interrupted, until --count records are printed, or,
with --no-follow, until every shard is caught up.`, stderr)
	cfg := tailConfig{from: startPosition{kind: types.ShardIteratorTypeLatest}, format: formatRaw}
	c.fs.Var(&cfg.from, "from", "`position` to start at: trim-horizon, latest, at-timestamp=RFC3339 or at-sequence=N (default latest)")
	c.fs.Var(&cfg.format, "format", "`format` of the records: raw, json or base64")
	c.fs.Int64Var(&cfg.count, "count", 0, "stop after printing `N` records (0: no limit)")
	c.fs.BoolVar(&cfg.noFollow, "no-follow", false, "stop once every shard is caught up instead of waiting for more")
	c.fs.DurationVar(&cfg.poll, "poll", time.Second, "pause before asking a caught-up shard again (Kinesis allows 5 GetRecords calls a second per shard, for all its readers)")
	positional, code, ok := c.parse(args)
	if !ok {
		return code
	}
	if cfg.stream, code, ok = c.streamArg(positional); !ok {
		return code
	}
	if cfg.count < 0 {
		return c.usageError("--count %d: must not be negative", cfg.count)
	}
	if cfg.poll <= 0 {
		return c.usageError("--poll %v: must be positive", cfg.poll)
	}
	client, err := c.client(ctx, clientOptions{})
	if err != nil {
		return c.fail(err)
	}
	out := &tailOutput{w: bufio.NewWriter(stdout), format: cfg.format, limit: cfg.count}
	f := &follower{client: client, stream: cfg.stream, from: cfg.from, follow: !cfg.noFollow, poll: cfg.poll, emit: out.emit}
	// A live line only if it does not mix with the records on the
	// terminal.
	mode := progressNone
	if isTerminal(stderr) && !isTerminal(stdout) {
		mode = progressLive
	}
	prog := startProgress(stderr, mode, "kds tail: records", out.n.Load)
	err = f.run(ctx)
	elapsed := prog.Stop()
	if err == nil || out.n.Load() > 0 {
		fmt.Fprintf(stderr, "kds tail: %d records from %d shards in %v\n", out.n.Load(), f.started.Load(), elapsed.Round(time.Millisecond))
	}
	if err != nil {
		return c.fail(err)
	}
	return exitOK
}

// tailOutput writes records in a format, up to a limit.
type tailOutput struct {
	w      *bufio.Writer
	format recordFormat
	limit  int64 // 0: none
	n      atomic.Int64
}

// emit writes records of a shard and flushes them. It returns errEnough
// once the limit is reached.
func (o *tailOutput) emit(shardID string, recs []types.Record) error {
	for _, r := range recs {
		if o.limit > 0 && o.n.Load() >= o.limit {
			break
		}
		if err := o.format.write(o.w, shardID, r); err != nil {
			return err
		}
		o.n.Add(1)
	}
	if err := o.w.Flush(); err != nil {
		return err
	}
	if o.limit > 0 && o.n.Load() >= o.limit {
		return errEnough
	}
	return nil
}
