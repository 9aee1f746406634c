package promexport_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/metricstest"
	"github.com/kdsgo/kds/compat/promexport"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// scrape gathers src's metrics through a pedantic registry and returns
// each sample as name{label="value",...} (labels sorted) with its value,
// and each family's type. A summary gives NAME_sum and NAME_count samples.
func scrape(t *testing.T, src promexport.Source) (map[string]float64, map[string]dto.MetricType) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(promexport.NewCollector(src))
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	samples, types := map[string]float64{}, map[string]dto.MetricType{}
	for _, f := range families {
		types[f.GetName()] = f.GetType()
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			series := "{" + strings.Join(labels, ",") + "}"
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				samples[f.GetName()+series] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				samples[f.GetName()+series] = m.GetGauge().GetValue()
			case dto.MetricType_SUMMARY:
				samples[f.GetName()+"_sum"+series] = m.GetSummary().GetSampleSum()
				samples[f.GetName()+"_count"+series] = float64(m.GetSummary().GetSampleCount())
			default:
				t.Errorf("%s: unexpected type %v", f.GetName(), f.GetType())
			}
		}
	}
	return samples, types
}

// Label sets of the scenario's series.
var (
	stream   = fmt.Sprintf(`{stream_name=%q}`, metricstest.Stream)
	idle     = fmt.Sprintf(`{stream_name=%q}`, metricstest.Idle)
	shard    = fmt.Sprintf(`{shard_id=%q,stream_name=%q}`, metricstest.Shard, metricstest.Stream)
	consumer = fmt.Sprintf(`{consumer_name=%q,stream_name=%q}`, metricstest.Consumer, metricstest.Stream)
)

// wantSamples checks the samples named in want.
func wantSamples(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		v, ok := got[n]
		switch {
		case !ok:
			t.Errorf("no sample %s", n)
		case v != want[n]:
			t.Errorf("%s = %v, want %v", n, v, want[n])
		}
	}
}

func TestCollectorValues(t *testing.T) {
	tr := metricstest.New(t)
	tr.Run(t)
	got, types := scrape(t, tr.Svc)
	wantSamples(t, got, map[string]float64{
		"kinesis_incoming_bytes_total" + stream:                        float64(tr.IncomingBytes),
		"kinesis_incoming_records_total" + stream:                      float64(tr.IncomingRecords),
		"kinesis_put_record_success_sum" + stream:                      float64(tr.PutRecordStored),
		"kinesis_put_record_success_count" + stream:                    float64(tr.PutRecordCalls),
		"kinesis_put_records_total_records_total" + stream:             float64(tr.PutRecordsCalls * kds.MaxPutRecordsEntries),
		"kinesis_put_records_throttled_records_total" + stream:         float64(tr.PutRecordsThrottled),
		"kinesis_put_records_failed_records_total" + stream:            0,
		"kinesis_write_provisioned_throughput_exceeded_total" + stream: float64(tr.WriteThrottled),
		// A ManualClock stands still during a call: no latency, but one
		// sample per timed call.
		"kinesis_put_records_latency_seconds_sum" + stream:            0,
		"kinesis_put_records_latency_seconds_count" + stream:          float64(metricstest.Timed(tr.PutRecordsCalls)),
		"kinesis_get_records_records_total" + stream:                  float64(tr.GetRecordsRecords),
		"kinesis_get_records_bytes_total" + stream:                    float64(tr.GetRecordsBytes),
		"kinesis_get_records_success_sum" + stream:                    float64(tr.GetRecordsCalls),
		"kinesis_get_records_success_count" + stream:                  float64(tr.GetRecordsCalls + tr.ReadThrottled),
		"kinesis_read_provisioned_throughput_exceeded_total" + stream: float64(tr.ReadThrottled),
		"kinesis_get_records_iterator_age_seconds" + stream:           tr.IteratorAge.Seconds(),
		"kinesis_incoming_bytes_total" + idle:                         0,
		"kinesis_subscribe_to_shard_success_count" + consumer:         0,
	})
	if tr.IteratorAge != 1500*time.Millisecond {
		t.Errorf("scenario: iterator age %v, want 1.5s", tr.IteratorAge)
	}
	for name, want := range map[string]dto.MetricType{
		"kinesis_incoming_bytes_total":             dto.MetricType_COUNTER,
		"kinesis_get_records_latency_seconds":      dto.MetricType_SUMMARY,
		"kinesis_get_records_iterator_age_seconds": dto.MetricType_GAUGE,
	} {
		if types[name] != want {
			t.Errorf("%s is a %v, want %v", name, types[name], want)
		}
	}
	for n := range got {
		if strings.HasPrefix(n, "kinesis_shard_") {
			t.Errorf("shard-level sample %s before EnableEnhancedMonitoring", n)
		}
	}
}

func TestCollectorShardLevel(t *testing.T) {
	tr := metricstest.New(t)
	tr.RunShard(t)
	got, _ := scrape(t, tr.Svc)
	wantSamples(t, got, map[string]float64{
		"kinesis_shard_incoming_bytes_total" + shard:                        float64(tr.ShardIncomingBytes),
		"kinesis_shard_incoming_records_total" + shard:                      float64(tr.ShardIncomingRecords),
		"kinesis_shard_write_provisioned_throughput_exceeded_total" + shard: 0,
		"kinesis_shard_outgoing_records_total" + shard:                      0,
		"kinesis_incoming_bytes_total" + stream:                             float64(tr.IncomingBytes),
	})
	for n := range got {
		if strings.HasPrefix(n, "kinesis_shard_") && !strings.HasSuffix(n, shard) {
			t.Errorf("shard-level sample %s of a shard without enhanced monitoring", n)
		}
	}
}

// TestIteratorAgeGoesStale checks that the age gauge is there while the
// latest reads are of this minute or the last, and gone after.
func TestIteratorAgeGoesStale(t *testing.T) {
	tr := metricstest.New(t)
	tr.Run(t)
	age := "kinesis_get_records_iterator_age_seconds" + stream
	tr.Clock.Advance(time.Minute)
	if got, _ := scrape(t, tr.Svc); got[age] != tr.IteratorAge.Seconds() {
		t.Errorf("a minute after the reads: %s = %v, want %v", age, got[age], tr.IteratorAge.Seconds())
	}
	tr.Clock.Advance(time.Minute)
	if got, _ := scrape(t, tr.Svc); got[age] != 0 {
		t.Errorf("two minutes after the reads: %s = %v, want no sample", age, got[age])
	} else if _, ok := got[age]; ok {
		t.Errorf("two minutes after the reads: %s is still there", age)
	}
}
