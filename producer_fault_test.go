package kds_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// faultyClient wraps a ProducerClient and lets a test decide the fate of
// each PutRecords call: fault returns handled == false to pass the call
// through.
type faultyClient struct {
	kds.ProducerClient
	fault func(call int, in kds.PutRecordsInput) (out kds.PutRecordsOutput, err error, handled bool)

	mu    sync.Mutex
	calls int
}

func (c *faultyClient) PutRecords(ctx context.Context, in kds.PutRecordsInput) (kds.PutRecordsOutput, error) {
	c.mu.Lock()
	c.calls++
	call := c.calls
	c.mu.Unlock()
	if out, err, handled := c.fault(call, in); handled {
		return out, err
	}
	return c.ProducerClient.PutRecords(ctx, in)
}

// failRecords passes every other entry of a call through and fails the
// others with code, as a partly throttled PutRecords does: it fails the
// entries of even index in odd calls and of odd index in even calls.
func failRecords(ctx context.Context, next kds.ProducerClient, call int, in kds.PutRecordsInput, code string) (kds.PutRecordsOutput, error) {
	var pass []kds.PutRecordsRequestEntry
	var passed []int
	for i, e := range in.Records {
		if (i+call)%2 == 0 {
			passed = append(passed, i)
			pass = append(pass, e)
		}
	}
	var got kds.PutRecordsOutput
	if len(pass) > 0 {
		var err error
		if got, err = next.PutRecords(ctx, kds.PutRecordsInput{StreamName: in.StreamName, Records: pass}); err != nil {
			return got, err
		}
	}
	out := kds.PutRecordsOutput{Records: make([]kds.PutRecordsResultEntry, len(in.Records)), FailedRecordCount: len(in.Records) - len(pass)}
	for i := range out.Records {
		out.Records[i] = kds.PutRecordsResultEntry{ErrorCode: code, ErrorMessage: "injected"}
	}
	for j, i := range passed {
		out.Records[i] = got.Records[j]
	}
	return out, nil
}

func TestProducerRetriesFaults(t *testing.T) {
	faults := []struct {
		name  string
		fault func(next kds.ProducerClient) func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool)
	}{
		{"internal failure of every other call", func(kds.ProducerClient) func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			return func(call int, _ kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
				return kds.PutRecordsOutput{}, &kds.Error{Code: kds.ErrInternalFailure.Code, Message: "injected"}, call%2 == 1
			}
		}},
		{"throttling of every other call", func(kds.ProducerClient) func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			return func(call int, _ kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
				return kds.PutRecordsOutput{}, &kds.Error{Code: kds.ErrProvisionedThroughputExceeded.Code, Message: "injected"}, call%2 == 1
			}
		}},
		{"network error of every other call", func(kds.ProducerClient) func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			return func(call int, _ kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
				return kds.PutRecordsOutput{}, errors.New("connection reset"), call%2 == 1
			}
		}},
		{"throttled records in every other call", func(next kds.ProducerClient) func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			return func(call int, in kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
				if call%2 == 0 {
					return kds.PutRecordsOutput{}, nil, false
				}
				out, err := failRecords(context.Background(), next, call, in, "ProvisionedThroughputExceededException")
				return out, err, true
			}
		}},
		{"failed records in every call", func(next kds.ProducerClient) func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			return func(call int, in kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
				out, err := failRecords(context.Background(), next, call, in, "InternalFailure")
				return out, err, true
			}
		}},
	}
	for _, f := range faults {
		for _, agg := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/aggregation=%v", f.name, agg), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					svc := newBubbleService(t, 3, kds.NoLimits)
					client := &faultyClient{ProducerClient: svc, fault: f.fault(svc)}
					p := newProducer(t, kds.ProducerConfig{Client: client, DisableAggregation: !agg, CollectionMaxCount: 20})
					l := newLedger()
					for i := range 3000 {
						l.put(t, p, fmt.Sprintf("key-%d", i%23), fmt.Sprintf("r%05d", i))
						if i%100 == 0 {
							time.Sleep(7 * time.Millisecond)
						}
					}
					if err := p.Close(context.Background()); err != nil {
						t.Fatal(err)
					}
					l.checkExactlyOnce(t, replay(t, svc))
					if m := p.Metrics(); m.Retries == 0 || m.Failures != 0 {
						t.Errorf("metrics %+v: want retries and no failure", m)
					}
				})
			})
		}
	}
}

func TestProducerFailsOnPermanentError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newBubbleService(t, 1, kds.NoLimits)
		denied := &kds.Error{Code: kds.ErrAccessDenied.Code, Message: "injected"}
		client := &faultyClient{ProducerClient: svc, fault: func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			return kds.PutRecordsOutput{}, denied, true
		}}
		p := newProducer(t, kds.ProducerConfig{Client: client})
		res, err := p.Put(context.Background(), "k", []byte("x"))
		if !errors.Is(err, kds.ErrAccessDenied) || res.Attempts != 1 || !errors.Is(res.Err, kds.ErrAccessDenied) {
			t.Fatalf("Put = %+v, %v; want AccessDeniedException after one attempt", res, err)
		}
	})
}

func TestProducerPutContextEndsMidFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newBubbleService(t, 1, kds.NoLimits)
		release := make(chan struct{})
		client := &faultyClient{ProducerClient: svc, fault: func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			<-release
			return kds.PutRecordsOutput{}, nil, false
		}}
		p := newProducer(t, kds.ProducerConfig{Client: client})
		results := make(chan kds.PutResult, 1)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			_, err := p.Put(ctx, "k", []byte("x"), kds.WithCallback(func(r kds.PutResult) { results <- r }))
			done <- err
		}()
		synctest.Wait() // the call is in flight, blocked in the client
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Put = %v, want context.Canceled", err)
		}
		close(release)
		if err := p.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if r := <-results; r.Err != nil || r.ShardId == "" {
			t.Fatalf("record after its Put's context ended: %+v, want stored", r)
		}
		if got := replay(t, svc); len(got) != 1 {
			t.Fatalf("stored %d records, want 1", len(got))
		}
	})
}

// throttleAll fails every record of every call as throttled.
func throttleAll(_ int, in kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
	out := kds.PutRecordsOutput{Records: make([]kds.PutRecordsResultEntry, len(in.Records)), FailedRecordCount: len(in.Records)}
	for i := range out.Records {
		out.Records[i] = kds.PutRecordsResultEntry{ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded"}
	}
	return out, nil, true
}

func TestProducerCloseDuringRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newBubbleService(t, 2, kds.NoLimits)
		p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "s", Client: &faultyClient{ProducerClient: svc, fault: throttleAll}})
		if err != nil {
			t.Fatal(err)
		}
		var handles []*kds.PendingPut
		for i := range 100 {
			h, err := p.PutAsync(context.Background(), fmt.Sprintf("k%d", i%7), []byte("x"))
			if err != nil {
				t.Fatal(err)
			}
			handles = append(handles, h)
		}
		time.Sleep(time.Second) // several rounds of retries
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		if err := p.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close = %v, want DeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != 2*time.Second {
			t.Errorf("Close returned after %v, want 2s", waited)
		}
		// Records that were never sent (their queue waited for an older
		// one to drain) fail with ErrProducerClosed alone.
		retried := 0
		for i, h := range handles {
			res := h.Result()
			if !errors.Is(res.Err, kds.ErrProducerClosed) || (res.Attempts > 0) != errors.Is(res.Err, kds.ErrProvisionedThroughputExceeded) {
				t.Fatalf("record %d: %+v; want closed, after throttling if attempted", i, res)
			}
			if res.Attempts > 1 {
				retried++
			}
		}
		if retried == 0 {
			t.Error("no record was retried")
		}
		if _, err := p.PutAsync(context.Background(), "k", nil); !errors.Is(err, kds.ErrProducerClosed) {
			t.Errorf("PutAsync after Close = %v, want ErrProducerClosed", err)
		}
		if err := p.Close(context.Background()); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if got := replay(t, svc); len(got) != 0 {
			t.Errorf("stored %d records", len(got))
		}
	})
}

func TestProducerRecordTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newBubbleService(t, 1, kds.NoLimits)
		p := newProducer(t, kds.ProducerConfig{Client: &faultyClient{ProducerClient: svc, fault: throttleAll}, RecordTTL: 3 * time.Second})
		start := time.Now()
		var at time.Time
		res, err := p.Put(context.Background(), "k", []byte("x"), kds.WithCallback(func(kds.PutResult) { at = time.Now() }))
		if !errors.Is(err, kds.ErrRecordExpired) || !errors.Is(err, kds.ErrProvisionedThroughputExceeded) {
			t.Fatalf("Put = %v, want the record expired after being throttled", err)
		}
		if d := at.Sub(start); d != 3*time.Second || res.Attempts < 3 {
			t.Errorf("expired after %v and %d attempts, want 3s and several", d, res.Attempts)
		}
	})
}

func TestProducerRecordTTLWithoutAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The stream does not exist: the producer never learns a shard
		// map, so the record is never sent; it expires with the
		// ListShards error as its last.
		svc, err := kds.NewService()
		if err != nil {
			t.Fatal(err)
		}
		p := newProducer(t, kds.ProducerConfig{StreamName: "missing", Client: svc, RecordTTL: time.Second})
		res, err := p.Put(context.Background(), "k", []byte("x"))
		if !errors.Is(err, kds.ErrRecordExpired) || !errors.Is(err, kds.ErrResourceNotFound) || res.Attempts != 0 {
			t.Fatalf("Put = %+v, %v; want expired with ResourceNotFoundException, no attempt", res, err)
		}
	})
}

func TestProducerBackPressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newBubbleService(t, 1, kds.NoLimits)
		release := make(chan struct{})
		client := &faultyClient{ProducerClient: svc, fault: func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			<-release
			return kds.PutRecordsOutput{}, nil, false
		}}
		p := newProducer(t, kds.ProducerConfig{Client: client, MaxBufferedRecords: 10})
		failFast := newProducer(t, kds.ProducerConfig{Client: client, MaxBufferedRecords: 10, FailIfFull: true})
		for i := range 10 {
			for _, pr := range []*kds.Producer{p, failFast} {
				if _, err := pr.PutAsync(context.Background(), "k", []byte{byte(i)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := failFast.PutAsync(context.Background(), "k", []byte("x")); !errors.Is(err, kds.ErrBufferFull) {
			t.Errorf("PutAsync on a full FailIfFull producer = %v, want ErrBufferFull", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if _, err := p.PutAsync(ctx, "k", []byte("x")); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("PutAsync on a full producer = %v, want it to block until its context ends", err)
		}
		cancel()
		if m := p.Metrics(); m.BufferedRecords != 10 || m.OldestBufferedAge != time.Second {
			t.Errorf("metrics of the full producer: %+v", m)
		}
		accepted := make(chan error)
		go func() {
			_, err := p.PutAsync(context.Background(), "k", []byte("late"))
			accepted <- err
		}()
		synctest.Wait()
		select {
		case err := <-accepted:
			t.Fatalf("PutAsync on a full producer returned %v before there was room", err)
		default:
		}
		close(release)
		if err := <-accepted; err != nil {
			t.Fatal(err)
		}
		for _, pr := range []*kds.Producer{p, failFast} {
			if err := pr.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if got := len(replay(t, svc)); got != 21 {
			t.Errorf("stored %d records, want 21", got)
		}
	})
}

// TestProducerRetriesKeepData puts enough data to fill many of a queue's
// arena blocks while calls fail in part or whole, and checks that every
// record is stored once with its own bytes: a block is reused only after
// every record copied into it has finished.
func TestProducerRetriesKeepData(t *testing.T) {
	faults := map[string]func(next kds.ProducerClient) func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool){
		"throttling of every other call": func(kds.ProducerClient) func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			return func(call int, _ kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
				return kds.PutRecordsOutput{}, &kds.Error{Code: kds.ErrProvisionedThroughputExceeded.Code, Message: "injected"}, call%2 == 1
			}
		},
		"failed records in every call": func(next kds.ProducerClient) func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			return func(call int, in kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
				out, err := failRecords(context.Background(), next, call, in, "InternalFailure")
				return out, err, true
			}
		},
	}
	for name, fault := range faults {
		for _, agg := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/aggregation=%v", name, agg), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					svc := newBubbleService(t, 3, kds.NoLimits)
					client := &faultyClient{ProducerClient: svc, fault: fault(svc)}
					p := newProducer(t, kds.ProducerConfig{Client: client, DisableAggregation: !agg, CollectionMaxCount: 20})
					l := newLedger()
					for i := range 4000 {
						id := fmt.Sprintf("r%05d-", i)
						size := 100 + i*53%400
						if i%500 == 0 {
							size = 9000 // too large for an arena block
						}
						l.put(t, p, fmt.Sprintf("key-%d", i%31), strings.Repeat(id, size/len(id)))
						if i%100 == 0 {
							time.Sleep(7 * time.Millisecond)
						}
					}
					if err := p.Close(context.Background()); err != nil {
						t.Fatal(err)
					}
					l.checkExactlyOnce(t, replay(t, svc))
				})
			})
		}
	}
}

// TestProducerPutsDuringCall puts many records while a call is in flight
// and then fails the call, so that the queue moves to a larger array
// while the call's records are out of it, and those records come back
// before the newer ones: every record is stored once, in order per key.
func TestProducerPutsDuringCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newBubbleService(t, 1, kds.NoLimits)
		release := make(chan struct{})
		client := &faultyClient{ProducerClient: svc, fault: func(call int, in kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			if call != 2 {
				return kds.PutRecordsOutput{}, nil, false
			}
			<-release
			return kds.PutRecordsOutput{}, &kds.Error{Code: kds.ErrProvisionedThroughputExceeded.Code, Message: "injected"}, true
		}}
		p := newProducer(t, kds.ProducerConfig{Client: client, CollectionMaxCount: 20})
		l := newLedger()
		// The first call, on its own, learns the shard map.
		l.put(t, p, "key-0", "first")
		if err := p.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			l.put(t, p, fmt.Sprintf("key-%d", i%7), fmt.Sprintf("r%05d", i))
		}
		time.Sleep(time.Second) // the first call starts and waits
		for i := 50; i < 5000; i++ {
			l.put(t, p, fmt.Sprintf("key-%d", i%7), fmt.Sprintf("r%05d", i))
		}
		close(release)
		if err := p.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		l.checkExactlyOnce(t, replay(t, svc))
		if m := p.Metrics(); m.Retries == 0 {
			t.Errorf("metrics %+v: want retries", m)
		}
	})
}

// TestProducerFreesRoomBeforeResults checks that once a record's result
// is known its room in the buffer is free: a FailIfFull producer with
// room for one record takes the next record right after each result,
// whether the record was stored, failed for good, or expired.
func TestProducerFreesRoomBeforeResults(t *testing.T) {
	denied := &kds.Error{Code: kds.ErrAccessDenied.Code, Message: "injected"}
	cases := []struct {
		name  string
		fault func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool)
		ttl   time.Duration
		want  error
	}{
		{"stored", func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			return kds.PutRecordsOutput{}, nil, false
		}, 0, nil},
		{"failed", func(int, kds.PutRecordsInput) (kds.PutRecordsOutput, error, bool) {
			return kds.PutRecordsOutput{}, denied, true
		}, 0, kds.ErrAccessDenied},
		{"expired", throttleAll, 300 * time.Millisecond, kds.ErrRecordExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := newBubbleService(t, 1, kds.NoLimits)
				client := &faultyClient{ProducerClient: svc, fault: c.fault}
				p := newProducer(t, kds.ProducerConfig{Client: client, MaxBufferedRecords: 1, FailIfFull: true, RecordTTL: c.ttl})
				for i := range 200 {
					_, err := p.Put(context.Background(), "k", []byte("x"))
					if errors.Is(err, kds.ErrBufferFull) {
						t.Fatalf("put %d refused for a full buffer after the previous result", i)
					}
					if !errors.Is(err, c.want) && (c.want != nil || err != nil) {
						t.Fatalf("put %d: %v, want %v", i, err, c.want)
					}
				}
			})
		})
	}
}

// TestProducerHugeDurations: durations as long as time.Duration allows
// mean "never", not an overflow that expires or sends every record at
// once.
func TestProducerHugeDurations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newBubbleService(t, 1, kds.NoLimits)
		forever := time.Duration(math.MaxInt64)
		p := newProducer(t, kds.ProducerConfig{Client: svc, RecordTTL: forever, MaxBufferedTime: forever, RetryMaxDelay: forever})
		time.Sleep(time.Second) // the producer's start is now in the past
		h, err := p.PutAsync(context.Background(), "k", []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		select {
		case <-h.Done():
			t.Fatalf("the record finished within a minute of a never-ending MaxBufferedTime: %+v", h.Result())
		default:
		}
		if err := p.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if res := h.Result(); res.Err != nil || res.Attempts != 1 {
			t.Errorf("flushed record: %+v, want stored at the first attempt", res)
		}
	})
}
