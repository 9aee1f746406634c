package kds_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// Tests of the Producer run in synctest bubbles, where kds.RealClock and
// the Service's default clock read virtual time that moves only when
// every goroutine of the bubble is blocked.

// newBubbleService returns a Service on the bubble's clock with one
// stream of the given shards and limits.
func newBubbleService(t *testing.T, shards int, limits kds.ThroughputLimits) *kds.Service {
	t.Helper()
	svc, err := kds.NewService(kds.WithThroughputLimits(limits))
	if err != nil {
		t.Fatal(err)
	}
	createStream(t, svc, "s", shards)
	return svc
}

// newProducer starts a Producer for cfg, with StreamName "s" unless set,
// and closes it when the test ends.
func newProducer(t *testing.T, cfg kds.ProducerConfig) *kds.Producer {
	t.Helper()
	if cfg.StreamName == "" {
		cfg.StreamName = "s"
	}
	p, err := kds.NewProducer(cfg)
	if err != nil {
		t.Fatalf("NewProducer: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(context.Background()); err != nil {
			t.Errorf("cleanup Close: %v", err)
		}
	})
	return p
}

// ledger remembers what a test put: per key, the data in the order the
// producer accepted it, and each record's handle.
type ledger struct {
	pad     int // bytes of padding after each record's ID
	mu      sync.Mutex
	order   map[string][]string
	handles map[string]*kds.PendingPut // by data
	calls   map[string]*atomic.Int32   // callbacks, by data
}

func newLedger() *ledger {
	return &ledger{order: map[string][]string{}, handles: map[string]*kds.PendingPut{}, calls: map[string]*atomic.Int32{}}
}

// put puts one record, its ID data followed by the ledger's padding,
// with a counting callback, and remembers it. It fails the test if the
// producer does not accept it.
func (l *ledger) put(t *testing.T, p *kds.Producer, key, data string, opts ...kds.PutOption) *kds.PendingPut {
	t.Helper()
	n := &atomic.Int32{}
	opts = append(opts, kds.WithCallback(func(kds.PutResult) { n.Add(1) }))
	h, err := p.PutAsync(context.Background(), key, append([]byte(data), make([]byte, l.pad)...), opts...)
	if err != nil {
		t.Fatalf("PutAsync(%q, %q): %v", key, data, err)
	}
	l.mu.Lock()
	l.order[key] = append(l.order[key], data)
	l.handles[data] = h
	l.calls[data] = n
	l.mu.Unlock()
	return h
}

// stored is one user record read back from the stream.
type stored struct {
	key, data string
	seq       kds.SequenceNumber
	sub       int64
}

// replay reads back every user record of stream "s".
func replay(t *testing.T, svc *kds.Service) []stored {
	t.Helper()
	s, ok := svc.Stream("s")
	if !ok {
		t.Fatal("no stream s")
	}
	var out []stored
	for rec, err := range s.Replay(context.Background(), kds.TrimHorizon(), kds.IgnoreReadLimits()) {
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		out = append(out, stored{key: rec.PartitionKey, data: strings.TrimRight(string(rec.Data), "\x00"), seq: rec.SequenceNumber, sub: rec.SubSequenceNumber})
	}
	return out
}

// checkExactlyOnce checks that every record the ledger put was read back
// exactly once, in the order put within each key, that nothing else was
// stored, and that each handle's result names where it is.
func (l *ledger) checkExactlyOnce(t *testing.T, got []stored) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	seen := map[string]int{}
	perKey := map[string][]string{}
	for _, r := range got {
		seen[r.data]++
		perKey[r.key] = append(perKey[r.key], r.data)
		h, ok := l.handles[r.data]
		if !ok {
			t.Errorf("stored record %q was never put", r.data)
			continue
		}
		res := h.Result()
		if res.Err != nil || res.SequenceNumber != r.seq || res.SubSequenceNumber != r.sub {
			t.Errorf("record %q: result %+v, stored at %v/%d", r.data, res, r.seq, r.sub)
		}
	}
	for data, n := range seen {
		if n != 1 {
			t.Errorf("record %q stored %d times", data, n)
		}
	}
	total := 0
	for key, want := range l.order {
		total += len(want)
		if !slices.Equal(perKey[key], want) {
			t.Errorf("key %q: stored %d records %v, want %d in put order", key, len(perKey[key]), head(perKey[key]), len(want))
		}
	}
	if len(got) != total {
		t.Errorf("stored %d records, put %d", len(got), total)
	}
	for data, n := range l.calls {
		if c := n.Load(); c != 1 {
			t.Errorf("callback of %q called %d times", data, c)
		}
	}
}

// head returns the start of a long list, for messages.
func head(s []string) []string { return s[:min(len(s), 10)] }

func TestProducerConfigValidation(t *testing.T) {
	svc, _ := newService(t)
	ok := kds.ProducerConfig{StreamName: "s", Client: svc}
	tests := []struct {
		name string
		edit func(*kds.ProducerConfig)
		want string // a part of the error, "" for none
	}{
		{"defaults", func(*kds.ProducerConfig) {}, ""},
		{"no stream", func(c *kds.ProducerConfig) { c.StreamName = "" }, "StreamName"},
		{"long stream name", func(c *kds.ProducerConfig) { c.StreamName = strings.Repeat("s", 129) }, "StreamName"},
		{"no client", func(c *kds.ProducerConfig) { c.Client = nil }, "Client is required"},
		{"negative buffered time", func(c *kds.ProducerConfig) { c.MaxBufferedTime = -1 }, "MaxBufferedTime"},
		{"negative ttl", func(c *kds.ProducerConfig) { c.RecordTTL = -time.Second }, "RecordTTL"},
		{"collection count 501", func(c *kds.ProducerConfig) { c.CollectionMaxCount = 501 }, "CollectionMaxCount"},
		{"collection count negative", func(c *kds.ProducerConfig) { c.CollectionMaxCount = -1 }, "CollectionMaxCount"},
		{"collection size 10 MiB", func(c *kds.ProducerConfig) { c.CollectionMaxSize = 10 << 20 }, ""},
		{"collection size above 10 MiB", func(c *kds.ProducerConfig) { c.CollectionMaxSize = 10<<20 + 1 }, "CollectionMaxSize"},
		{"aggregate above record limit", func(c *kds.ProducerConfig) { c.AggregationMaxSize = 1<<20 + 1 }, "AggregationMaxSize"},
		{"aggregate at raised record limit", func(c *kds.ProducerConfig) { c.MaxRecordSizeInKiB, c.AggregationMaxSize = 2048, 2<<20 }, ""},
		{"record limit too small", func(c *kds.ProducerConfig) { c.MaxRecordSizeInKiB = 1000 }, "MaxRecordSizeInKiB"},
		{"record limit too large", func(c *kds.ProducerConfig) { c.MaxRecordSizeInKiB = 10241 }, "MaxRecordSizeInKiB"},
		{"negative buffer", func(c *kds.ProducerConfig) { c.MaxBufferedRecords = -1 }, "MaxBufferedRecords"},
		{"negative buffer bytes", func(c *kds.ProducerConfig) { c.MaxBufferedBytes = -1 }, "MaxBufferedBytes"},
		{"backoff max below base", func(c *kds.ProducerConfig) { c.RetryBaseDelay, c.RetryMaxDelay = time.Second, time.Millisecond }, "RetryMaxDelay"},
		{"rate limit off", func(c *kds.ProducerConfig) { c.RateLimitPercent = -1 }, ""},
		{"all wrong at once", func(c *kds.ProducerConfig) { c.Client, c.CollectionMaxCount = nil, 600 }, "CollectionMaxCount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			p, err := kds.NewProducer(cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("NewProducer: %v", err)
				}
				if err := p.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewProducer: %v, want an error about %s", err, tt.want)
			}
			if p != nil {
				t.Fatal("NewProducer returned a Producer with an error")
			}
		})
	}
}

func TestProducerPutAsyncArguments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newBubbleService(t, 1, kds.NoLimits)
		p := newProducer(t, kds.ProducerConfig{Client: svc})
		tests := []struct {
			name string
			key  string
			data []byte
			opts []kds.PutOption
			want *kds.Error // nil: accepted
		}{
			{"empty key", "", []byte("x"), nil, kds.ErrValidation},
			{"key of 256 characters", strings.Repeat("k", 256), []byte("x"), nil, nil},
			{"key of 257 characters", strings.Repeat("k", 257), []byte("x"), nil, kds.ErrValidation},
			{"key of 256 runes", strings.Repeat("é", 256), []byte("x"), nil, nil},
			{"empty data", "k", nil, nil, nil},
			{"record of 1 MiB", "k", make([]byte, 1<<20-1), nil, nil},
			{"record above 1 MiB", "k", make([]byte, 1<<20), nil, kds.ErrInvalidArgument},
			{"explicit hash key", "k", []byte("x"), []kds.PutOption{kds.WithExplicitHashKey(maxHashKey)}, nil},
			{"explicit hash key 2^128", "k", []byte("x"), []kds.PutOption{kds.WithExplicitHashKey(twoTo128)}, kds.ErrInvalidArgument},
			{"explicit hash key not a number", "k", []byte("x"), []kds.PutOption{kds.WithExplicitHashKey("-1")}, kds.ErrValidation}, // as PutRecord
		}
		for _, tt := range tests {
			h, err := p.PutAsync(context.Background(), tt.key, tt.data, tt.opts...)
			if tt.want == nil {
				if err != nil {
					t.Errorf("%s: %v", tt.name, err)
					continue
				}
				if res, err := h.Wait(context.Background()); err != nil || res.ShardId != "shardId-000000000000" {
					t.Errorf("%s: stored as %+v, %v", tt.name, res, err)
				}
				continue
			}
			if !errors.Is(err, tt.want) || h != nil {
				t.Errorf("%s: PutAsync = %v, %v; want %s", tt.name, h, err, tt.want.Code)
			}
		}
	})
}

func TestProducerStoresEveryRecordOnceInOrder(t *testing.T) {
	for _, agg := range []bool{true, false} {
		t.Run("aggregation="+strconv.FormatBool(agg), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := newBubbleService(t, 4, kds.NoLimits)
				p := newProducer(t, kds.ProducerConfig{Client: svc, DisableAggregation: !agg})
				l := newLedger()
				for i := range 5000 {
					l.put(t, p, "key-"+strconv.Itoa(i%37), fmt.Sprintf("r%05d", i))
					if i%700 == 0 {
						time.Sleep(30 * time.Millisecond)
					}
				}
				if err := p.Flush(context.Background()); err != nil {
					t.Fatal(err)
				}
				for data, h := range l.handles {
					select {
					case <-h.Done():
					default:
						t.Fatalf("record %q not finished after Flush", data)
					}
				}
				got := replay(t, svc)
				l.checkExactlyOnce(t, got)
				m := p.Metrics()
				if m.UserRecordsPut != 5000 || m.BufferedRecords != 0 || m.OldestBufferedAge != 0 || m.Failures != 0 {
					t.Errorf("metrics %+v", m)
				}
				aggregated := false
				for _, r := range got {
					aggregated = aggregated || r.sub > 0
				}
				if aggregated != agg || (agg && m.KinesisRecordsPut >= 5000) || (!agg && m.KinesisRecordsPut != 5000) {
					t.Errorf("aggregation %v: %d Kinesis records for 5000 user records, subsequence numbers used: %v", agg, m.KinesisRecordsPut, aggregated)
				}
			})
		})
	}
}

// checkingClient fails the test if an aggregate the producer sends is
// larger than max or is not byte for byte what AppendAggregate makes of
// its user records.
type checkingClient struct {
	kds.ProducerClient
	t          *testing.T
	max        int
	aggregates atomic.Int32
}

func (c *checkingClient) PutRecords(ctx context.Context, in kds.PutRecordsInput) (kds.PutRecordsOutput, error) {
	for _, e := range in.Records {
		users, ok := kds.Deaggregate(e.Data)
		if !ok {
			continue
		}
		c.aggregates.Add(1)
		if size := len(e.PartitionKey) + len(e.Data); size > c.max {
			c.t.Errorf("aggregate of %d user records is %d bytes, above %d", len(users), size, c.max)
		}
		if again := kds.AppendAggregate(nil, users); string(again) != string(e.Data) {
			c.t.Errorf("aggregate of %d user records differs from AppendAggregate's", len(users))
		}
		if e.PartitionKey != users[0].PartitionKey || e.ExplicitHashKey != kds.PartitionKeyHash(users[0].PartitionKey).String() && e.ExplicitHashKey != users[0].ExplicitHashKey {
			c.t.Errorf("aggregate sent under key %q/%q, first user record %q/%q", e.PartitionKey, e.ExplicitHashKey, users[0].PartitionKey, users[0].ExplicitHashKey)
		}
	}
	return c.ProducerClient.PutRecords(ctx, in)
}

func TestProducerAggregatesFitAndMatchTheCodec(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newBubbleService(t, 3, kds.NoLimits)
		const max = 4096
		c := &checkingClient{ProducerClient: svc, t: t, max: max}
		p := newProducer(t, kds.ProducerConfig{Client: c, AggregationMaxSize: max})
		l := newLedger()
		for i := range 3000 {
			// Order holds per partition key and explicit hash key: keys
			// put with an explicit hash key are kept apart.
			key := "key-" + strconv.Itoa(i%29)
			var opts []kds.PutOption
			if i%5 == 0 {
				key = "ehk-" + key
				opts = append(opts, kds.WithExplicitHashKey(strconv.Itoa(i%3)))
			}
			l.pad = (i * 37) % 700
			if i%500 == 0 {
				l.pad = 5000 // too large to share an aggregate
			}
			l.put(t, p, key, fmt.Sprintf("r%05d", i), opts...)
		}
		if err := p.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		l.checkExactlyOnce(t, replay(t, svc))
		if c.aggregates.Load() == 0 {
			t.Error("no aggregate sent")
		}
	})
}

// TestProducerValidationMatchesPutRecord checks that the Producer refuses
// bad keys with PutRecord's own words.
func TestProducerValidationMatchesPutRecord(t *testing.T) {
	ctx := context.Background()
	svc, _ := kds.NewService()
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "s", Client: svc})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	for _, key := range []string{"", strings.Repeat("k", 257)} {
		_, perr := p.PutAsync(ctx, key, []byte("x"))
		_, serr := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: key, Data: []byte("x")})
		if perr == nil || serr == nil || perr.Error() != serr.Error() {
			t.Errorf("key of %d characters: Producer says %v, PutRecord says %v", len(key), perr, serr)
		}
	}
}
