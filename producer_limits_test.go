package kds_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// keysPerShard returns n partition keys for each open shard of stream
// "s", in shard order, so that a test can spread load evenly.
func keysPerShard(t *testing.T, svc *kds.Service, n int) [][]string {
	t.Helper()
	out, err := svc.ListShards(context.Background(), kds.ListShardsInput{StreamName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([][]string, len(out.Shards))
	for i, full := 0, 0; full < len(keys); i++ {
		k := "key-" + strconv.Itoa(i)
		h := kds.PartitionKeyHash(k)
		for j, sh := range out.Shards {
			if sh.HashKeyRange.Contains(h) && len(keys[j]) < n {
				keys[j] = append(keys[j], k)
				if len(keys[j]) == n {
					full++
				}
			}
		}
	}
	return keys
}

// TestProducerUnderKinesisLimits pushes 95% of five shards' write
// capacity (key plus data bytes) through a Producer for 60 simulated
// seconds, with Kinesis's limits on and the default 150% rate limit, and
// checks that nothing is lost or reordered, that throttled Kinesis
// records stay a small share, and that the buffer does not grow.
func TestProducerUnderKinesisLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 300 MB")
	}
	synctest.Test(t, func(t *testing.T) {
		const (
			shards = 5
			span   = 60 * time.Second
			step   = 10 * time.Millisecond
			size   = 4096 // key plus data of a record
		)
		svc := newBubbleService(t, shards, kds.KinesisLimits())
		p := newProducer(t, kds.ProducerConfig{Client: svc})
		keys := keysPerShard(t, svc, 16)
		l := newLedger()
		l.pad = size - len("key-00000") - len("r0000000")
		perStep := int(0.95 * float64(1<<20) * step.Seconds() / size * 1000) // per shard, in thousandths
		var worstAge time.Duration
		id, owed := 0, 0
		for at := time.Duration(0); at < span; at += step {
			owed += perStep
			for ; owed >= 1000; owed -= 1000 {
				for s := range shards {
					l.put(t, p, keys[s][id%len(keys[s])], fmt.Sprintf("r%07d", id))
					id++
				}
			}
			time.Sleep(step)
			worstAge = max(worstAge, p.Metrics().OldestBufferedAge)
		}
		if err := p.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		l.checkExactlyOnce(t, replay(t, svc))
		m := p.Metrics()
		share := float64(m.Throttles) / float64(m.KinesisRecordsPut+m.Throttles)
		rate := float64(m.BytesPut) / span.Seconds() / float64(shards<<20)
		t.Logf("%d user records in %d Kinesis records, %d calls; %d throttled (%.2f%% of Kinesis records sent); %.1f%% of provisioned bytes/s; oldest buffered record at worst %v",
			m.UserRecordsPut, m.KinesisRecordsPut, m.Calls, m.Throttles, 100*share, 100*rate, worstAge)
		if m.Failures != 0 || m.UserRecordsPut != int64(id) {
			t.Errorf("%d of %d records stored, %d failed", m.UserRecordsPut, id, m.Failures)
		}
		if share > 0.05 {
			t.Errorf("%.1f%% of Kinesis records throttled, want at most 5%%", 100*share)
		}
		if worstAge > 2*time.Second {
			t.Errorf("a record waited %v in the buffer: the producer does not keep up", worstAge)
		}
	})
}
