package agent

import (
	"context"

	"github.com/kdsgo/kds"
)

// Sink receives the agent's records. An adapter over a KPL-like producer
// (asynchronous, batching, retrying) or [StreamSink] (synchronous) are the
// usual ones. Implementations must be safe for concurrent use.
type Sink interface {
	// Send hands one record over. done is called exactly once, then or
	// later, from any goroutine: with nil once the record is stored, or
	// with the error it finally failed with. Send returns an error only if
	// it did not accept the record; done is then never called. data is the
	// sink's to keep.
	Send(ctx context.Context, partitionKey string, data []byte, done func(error)) error
	// Flush returns once every record accepted so far has had its done
	// call, or when ctx ends.
	Flush(ctx context.Context) error
}

// StreamSink returns a [Sink] that puts each record into s with
// [kds.Stream.Put] as Send is called, and calls done before Send returns.
// Its Flush has nothing to wait for.
func StreamSink(s *kds.Stream) Sink { return streamSink{s} }

type streamSink struct{ s *kds.Stream }

func (k streamSink) Send(ctx context.Context, key string, data []byte, done func(error)) error {
	_, err := k.s.Put(ctx, key, data)
	done(err)
	return nil
}

func (streamSink) Flush(context.Context) error { return nil }

// ProducerSink returns a [Sink] that sends records through p, a KPL-style
// [kds.Producer]: Send hands the record to [kds.Producer.PutAsync] and done
// is called from p's goroutine with the record's final error. Records are
// then batched, aggregated and retried by p, which stores one key's
// records in the order they were sent. A record that p finally fails is
// retried by the agent later, and may then land after records of its key
// that followed it in the file. Config.OnError runs on p's goroutine too,
// so it must not close the agent or flush p.
func ProducerSink(p *kds.Producer) Sink { return producerSink{p} }

type producerSink struct{ p *kds.Producer }

func (k producerSink) Send(ctx context.Context, key string, data []byte, done func(error)) error {
	_, err := k.p.PutAsync(ctx, key, data, kds.WithCallback(func(r kds.PutResult) { done(r.Err) }))
	return err
}

func (k producerSink) Flush(ctx context.Context) error { return k.p.Flush(ctx) }
