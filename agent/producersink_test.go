package agent

import (
	"context"
	"testing"

	"github.com/kdsgo/kds"
)

// TestProducerSink tails a file through a KPL-style Producer: the lines
// reach the stream in KPL aggregates, come back as the same records, in
// order, and a restart after Close sends none of them again.
func TestProducerSink(t *testing.T) {
	h := newHarness(t, nil)
	p, err := kds.NewProducer(kds.ProducerConfig{StreamName: h.stream.Name(), Client: h.stream.Service(), Clock: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	h.cfg.Sink = ProducerSink(p)
	h.a.closeFiles()
	h.start()

	want := lines("line", 1, 201)
	h.write("app.log", join(want))
	h.poll()
	if err := h.a.Close(context.Background()); err != nil { // flushes the Producer
		t.Fatal(err)
	}
	h.wantRecords(want...)
	if m := p.Metrics(); m.KinesisRecordsPut >= m.UserRecordsPut {
		t.Errorf("producer metrics %+v: want fewer Kinesis records than user records (aggregation)", m)
	}

	h.start()
	h.write("app.log", "line 201\n")
	h.poll()
	if err := h.a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.wantRecords(append(want, "line 201\n")...)
}
