package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds/compat/internal/load"
	"golang.org/x/time/rate"
)

// benchConfig is what kds bench's flags ask for.
type benchConfig struct {
	stream       string
	size         int
	rate         float64
	duration     time.Duration
	concurrency  int
	batch        int
	createShards int
}

// benchKeyBytes is the length of the random partition keys of
// load.Putter, which kds bench uses.
const benchKeyBytes = 16

// runBench is kds bench STREAM.
func runBench(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	c := newCLI("bench", "[flags] STREAM",
		`Put load on the stream for a while: concurrent loops of PutRecords calls,
each of --batch records of --size random bytes with random partition keys,
at --rate records a second or as fast as the stream takes them. Then
report records and MiB (of data) per second, failed records and calls,
and the latency of the calls: p50, p90, p99 and max. Calls are not
retried, so every failure is counted. With --create-shards, STREAM (by
default a fresh kds-bench-... name) is created for the run and deleted
after it; it must not exist.`, stderr)
	cfg := benchConfig{}
	c.fs.IntVar(&cfg.size, "size", 100, "data `bytes` of each record")
	c.fs.Float64Var(&cfg.rate, "rate", 0, "put `N` records a second, all calls together (0: as fast as possible)")
	c.fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long to put load")
	c.fs.IntVar(&cfg.concurrency, "concurrency", 4, "PutRecords calls in flight at once")
	c.fs.IntVar(&cfg.batch, "batch", maxBatchRecords, "records per PutRecords call (1 to 500); with --rate, at most a tenth of the rate, so that calls are spread over each second")
	c.fs.IntVar(&cfg.createShards, "create-shards", 0, "create the stream with `N` shards for the run and delete it after (0: use an existing stream)")
	positional, code, ok := c.parse(args)
	if !ok {
		return code
	}
	if cfg.createShards > 0 && len(positional) == 0 {
		positional = []string{"kds-bench-" + load.RandomHex(4)}
	}
	if cfg.stream, code, ok = c.streamArg(positional); !ok {
		return code
	}
	if err := cfg.check(); err != nil {
		return c.usageError("%v", err)
	}
	if cfg.rate > 0 {
		cfg.batch = max(1, min(cfg.batch, int(cfg.rate/10)))
	}
	client, err := c.client(ctx, clientOptions{conns: cfg.concurrency + 4, noRetries: true})
	if err != nil {
		return c.fail(err)
	}
	if cfg.createShards > 0 {
		if err := createBenchStream(ctx, client, cfg.stream, cfg.createShards); err != nil {
			return c.fail(err)
		}
		defer func() {
			// Even after an interrupt, so that no stream is left behind.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if _, err := client.DeleteStream(dctx, &kinesis.DeleteStreamInput{StreamName: aws.String(cfg.stream)}); err != nil {
				fmt.Fprintf(stderr, "kds bench: deleting stream %s: %v\n", cfg.stream, err)
			}
		}()
	}

	p := &load.Putter{Client: client, Stream: cfg.stream, Data: []byte(load.RandomHex((cfg.size + 1) / 2))[:cfg.size], Latencies: &load.Latencies{}}
	var limiter *rate.Limiter
	if cfg.rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(cfg.rate), cfg.batch)
	}
	mode := progressPlain
	if isTerminal(stderr) {
		mode = progressLive
	}
	prog := startProgress(stderr, mode, "kds bench: records put", p.Counts.Records.Load)
	elapsed := p.Run(ctx, cfg.concurrency, cfg.batch, time.Now().Add(cfg.duration), limiter)
	prog.Stop()
	writeBenchReport(stdout, cfg, p, elapsed)
	if p.Counts.Records.Load() == 0 {
		return c.fail(fmt.Errorf("no record was put; first failure: %v", p.Counts.FirstError()))
	}
	return exitOK
}

// check finds flag values out of range.
func (cfg *benchConfig) check() error {
	switch {
	case cfg.size < 1 || cfg.size+benchKeyBytes > defaultRecordLimit:
		return fmt.Errorf("--size %d: want 1 to %d bytes", cfg.size, defaultRecordLimit-benchKeyBytes)
	case cfg.batch < 1 || cfg.batch > maxBatchRecords:
		return fmt.Errorf("--batch %d: want 1 to %d records", cfg.batch, maxBatchRecords)
	case cfg.batch*(cfg.size+benchKeyBytes) > maxBatchBytes:
		return fmt.Errorf("--batch %d of --size %d: a call would carry more than %d MiB", cfg.batch, cfg.size, maxBatchBytes>>20)
	case cfg.rate < 0:
		return fmt.Errorf("--rate %g: must not be negative", cfg.rate)
	case cfg.duration <= 0:
		return fmt.Errorf("--duration %v: must be positive", cfg.duration)
	case cfg.concurrency < 1:
		return fmt.Errorf("--concurrency %d: must be at least 1", cfg.concurrency)
	case cfg.createShards < 0:
		return fmt.Errorf("--create-shards %d: must not be negative", cfg.createShards)
	}
	return nil
}

// createTimeout bounds the wait for a stream kds bench creates: Kinesis
// takes a minute or so.
const createTimeout = 5 * time.Minute

// createBenchStream creates a stream that must not exist yet, since the
// run deletes it, and waits until it is ACTIVE.
func createBenchStream(ctx context.Context, client *kinesis.Client, name string, shards int) error {
	_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(int32(shards))})
	if err != nil {
		return fmt.Errorf("creating stream %s: %w", name, err)
	}
	return load.WaitActive(ctx, client, name, createTimeout)
}

// writeBenchReport writes the run's figures.
func writeBenchReport(w io.Writer, cfg benchConfig, p *load.Putter, elapsed time.Duration) {
	pc := &p.Counts
	secs := elapsed.Seconds()
	records := pc.Records.Load()
	fmt.Fprintf(w, "kds bench %s: %v, %d calls in flight, calls of %d records of %d bytes\n",
		cfg.stream, elapsed.Round(time.Millisecond), cfg.concurrency, cfg.batch, cfg.size)
	fmt.Fprintf(w, "records:  %d put, %.0f records/s, %.2f MiB/s; %d failed\n",
		records, float64(records)/secs, float64(records)*float64(cfg.size)/(1<<20)/secs, pc.FailedRecords.Load())
	fmt.Fprintf(w, "calls:    %d, %d failed\n", pc.Calls.Load(), pc.FailedCalls.Load())
	lat := p.Latencies.Sorted()
	if len(lat) > 0 {
		fmt.Fprintf(w, "latency:  p50 %v  p90 %v  p99 %v  max %v\n",
			roundLatency(load.Percentile(lat, 50)), roundLatency(load.Percentile(lat, 90)),
			roundLatency(load.Percentile(lat, 99)), roundLatency(lat[len(lat)-1]))
	}
	if err := pc.FirstError(); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(w, "first failure: %v\n", err)
	}
}

// roundLatency rounds a latency to three significant digits or so.
func roundLatency(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
