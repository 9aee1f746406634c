package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds/compat/internal/load"
)

// Limits of a PutRecords call and of its records.
const (
	// maxBatchRecords is the most records a PutRecords call takes.
	maxBatchRecords = 500
	// maxBatchBytes is the most data and partition key bytes kds put
	// sends in one call: Kinesis's limit before large records, which
	// every endpoint still accepts. A larger record goes alone.
	maxBatchBytes = 5 << 20
	// defaultRecordLimit is a record's most data and partition key bytes
	// unless the stream says otherwise (MaxRecordSizeInKiB).
	defaultRecordLimit = 1 << 20
	// maxKeyLength is the most characters of a partition key.
	maxKeyLength = 256
	// maxPutAttempts bounds the calls made for one record that Kinesis
	// keeps refusing.
	maxPutAttempts = 10
	// linger is how long a batch waits for more lines when the input is
	// idle, before it is sent as it is.
	linger = 50 * time.Millisecond
)

// putConfig is what kds put's flags ask for.
type putConfig struct {
	stream   string
	key      string
	keyField string
}

// runPut is kds put STREAM.
func runPut(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := newCLI("put", "[flags] STREAM",
		`Put the lines of stdin into the stream, one record per line (without
its line end; empty lines are skipped). Records go in PutRecords calls
of up to 500 records and 5 MiB, sent when full or when the input pauses.
Records that Kinesis refuses (throttling, internal errors) are sent again
after a growing pause, up to 10 times; a record sent again may land after
a later record with the same key. At the end, the count of records put
goes to stdout. A line longer than the stream's record size limit stops
kds put with an error that names it.`, stderr)
	var cfg putConfig
	c.fs.StringVar(&cfg.key, "key", "", "partition `key` of every record (default: a random key per line)")
	c.fs.StringVar(&cfg.keyField, "key-field", "", "take each record's partition key from this top-level `field` of the line, a JSON object (a string, or the text of a number or boolean)")
	positional, code, ok := c.parse(args)
	if !ok {
		return code
	}
	if cfg.stream, code, ok = c.streamArg(positional); !ok {
		return code
	}
	if cfg.key != "" && cfg.keyField != "" {
		return c.usageError("--key and --key-field exclude each other")
	}
	if cfg.key != "" {
		if err := checkKey(cfg.key); err != nil {
			return c.usageError("--key: %v", err)
		}
	}
	client, err := c.client(ctx, clientOptions{})
	if err != nil {
		return c.fail(err)
	}
	p := &putter{client: client, cfg: cfg, limit: recordLimit(ctx, client, cfg.stream)}
	mode := progressPlain
	switch {
	case isTerminal(stdin):
		mode = progressNone // someone is typing the records
	case isTerminal(stderr):
		mode = progressLive
	}
	prog := startProgress(stderr, mode, "kds put: records put", p.put.Load)
	err = p.run(ctx, stdin)
	elapsed := prog.Stop()
	fmt.Fprintf(stdout, "%d records put to %s in %v (%d PutRecords calls, %d records sent again)\n",
		p.put.Load(), cfg.stream, elapsed.Round(time.Millisecond), p.calls, p.resent)
	if err != nil {
		return c.fail(err)
	}
	return exitOK
}

// recordLimit returns the stream's most bytes per record, or the default
// if DescribeStreamSummary does not tell (an endpoint without the field,
// or a user allowed to put but not to describe).
func recordLimit(ctx context.Context, client *kinesis.Client, stream string) int {
	out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err == nil {
		if kib := aws.ToInt32(out.StreamDescriptionSummary.MaxRecordSizeInKiB); kib > 0 {
			return int(kib) << 10
		}
	}
	return defaultRecordLimit
}

// putter batches records and sends them.
type putter struct {
	client *kinesis.Client
	cfg    putConfig
	limit  int // the most bytes of a record, data and key

	put    atomic.Int64 // records accepted
	calls  int
	resent int

	batch []types.PutRecordsRequestEntry
	bytes int
}

// inputLine is one line of input, or the error that ends the input.
type inputLine struct {
	data []byte
	num  int
	err  error
}

// run reads lines from r until its end, puts them, and returns the
// first error.
func (p *putter) run(ctx context.Context, r io.Reader) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A goroutine reads, so that a batch can be sent while the input is
	// idle.
	lines := make(chan inputLine, maxBatchRecords)
	go func() {
		defer close(lines)
		lr := newLineReader(r, p.limit)
		for {
			data, num, err := lr.next()
			if err == io.EOF {
				return
			}
			select {
			case lines <- inputLine{data, num, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		l, ok, err := p.nextLine(ctx, lines)
		if err != nil {
			return err
		}
		if !ok {
			return p.flush(ctx)
		}
		if l.err != nil {
			return errors.Join(p.flush(ctx), l.err)
		}
		if len(l.data) == 0 {
			continue
		}
		if err := p.add(ctx, l); err != nil {
			return errors.Join(p.flush(ctx), err)
		}
	}
}

// nextLine returns the next line; ok is false at the end of the input.
// While a batch waits and no line is ready, it waits for one at most
// linger, then sends the batch.
func (p *putter) nextLine(ctx context.Context, lines <-chan inputLine) (l inputLine, ok bool, err error) {
	if len(p.batch) > 0 {
		select {
		case l, ok = <-lines:
			return l, ok, nil
		default:
		}
		t := time.NewTimer(linger)
		defer t.Stop()
		select {
		case l, ok = <-lines:
			return l, ok, nil
		case <-t.C:
			if err := p.flush(ctx); err != nil {
				return l, false, err
			}
		case <-ctx.Done():
			return l, false, ctx.Err()
		}
	}
	select {
	case l, ok = <-lines:
		return l, ok, nil
	case <-ctx.Done():
		return l, false, ctx.Err()
	}
}

// add appends a line's record to the batch, sending the batch first if
// the record would not fit, or after if it is full.
func (p *putter) add(ctx context.Context, l inputLine) error {
	key, err := p.key(l.data)
	if err != nil {
		return fmt.Errorf("line %d: %w", l.num, err)
	}
	size := len(key) + len(l.data)
	if size > p.limit {
		return fmt.Errorf("line %d: %d bytes with its partition key, more than the %d a record holds", l.num, size, p.limit)
	}
	if len(p.batch) > 0 && p.bytes+size > maxBatchBytes {
		if err := p.flush(ctx); err != nil {
			return err
		}
	}
	p.batch = append(p.batch, types.PutRecordsRequestEntry{Data: l.data, PartitionKey: aws.String(key)})
	p.bytes += size
	if len(p.batch) == maxBatchRecords {
		return p.flush(ctx)
	}
	return nil
}

// key returns the partition key of a line's record.
func (p *putter) key(data []byte) (string, error) {
	switch {
	case p.cfg.key != "":
		return p.cfg.key, nil
	case p.cfg.keyField != "":
		return keyField(data, p.cfg.keyField)
	}
	return load.RandomHex(16), nil
}

// keyField returns the value of a top-level field of a JSON object as a
// partition key: a string as it is, a number or boolean as its JSON text.
func keyField(data []byte, field string) (string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return "", fmt.Errorf("not a JSON object (for --key-field): %v", err)
	}
	raw, ok := obj[field]
	if !ok {
		return "", fmt.Errorf("no field %q for the partition key", field)
	}
	var key string
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &key); err != nil {
			return "", err
		}
	case '{', '[', 'n':
		return "", fmt.Errorf("field %q is %s, not a string, number or boolean", field, raw)
	default:
		key = string(raw)
	}
	return key, checkKey(key)
}

// checkKey checks a partition key's length as Kinesis would.
func checkKey(key string) error {
	if n := utf8.RuneCountInString(key); n == 0 || n > maxKeyLength {
		return fmt.Errorf("partition key of %d characters; it must have 1 to %d", n, maxKeyLength)
	}
	return nil
}

// flush sends the batch, if any, and then again those of its records
// that were refused, after a growing pause, until all are accepted or
// maxPutAttempts calls were made.
func (p *putter) flush(ctx context.Context) error {
	batch := p.batch
	p.batch, p.bytes = nil, 0
	var b backoff
	for attempt := 1; len(batch) > 0; attempt++ {
		out, err := p.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(p.cfg.stream), Records: batch})
		if err != nil {
			return err
		}
		p.calls++
		var refused []types.PutRecordsRequestEntry
		var first types.PutRecordsResultEntry
		for i, r := range out.Records {
			if r.ErrorCode != nil {
				if len(refused) == 0 {
					first = r
				}
				refused = append(refused, batch[i])
			}
		}
		p.put.Add(int64(len(batch) - len(refused)))
		if len(refused) == 0 {
			return nil
		}
		if attempt == maxPutAttempts {
			return fmt.Errorf("%d records still refused after %d calls; the last refusal: %s: %s",
				len(refused), attempt, aws.ToString(first.ErrorCode), aws.ToString(first.ErrorMessage))
		}
		p.resent += len(refused)
		batch = refused
		if err := b.wait(ctx); err != nil {
			return err
		}
	}
	return nil
}
