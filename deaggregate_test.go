package kds_test

import (
	"context"
	"testing"

	"github.com/kdsgo/kds"
)

// TestReadersDeaggregate puts a KPL aggregate, a plain record and a
// corrupt aggregate, and reads them back with each Go-native reader.
func TestReadersDeaggregate(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	users := []kds.UserRecord{
		{PartitionKey: "a", Data: []byte("one")},
		{PartitionKey: "b", ExplicitHashKey: "7", Data: []byte("two")},
		{PartitionKey: "a", Data: []byte("three")},
	}
	agg := kds.AppendAggregate(nil, users)
	corrupt := append([]byte(nil), agg...)
	corrupt[len(corrupt)-1] ^= 1 // the digest no longer matches
	aggOut := put(t, svc, "s", "a", string(agg))
	plainOut := put(t, svc, "s", "p", "plain")
	corruptOut := put(t, svc, "s", "c", string(corrupt))
	s, _ := svc.Stream("s")

	type got struct {
		key, data string
		seq       kds.SequenceNumber
		sub       int64
	}
	want := []got{
		{"a", "one", aggOut.SequenceNumber, 0},
		{"b", "two", aggOut.SequenceNumber, 1},
		{"a", "three", aggOut.SequenceNumber, 2},
		{"p", "plain", plainOut.SequenceNumber, 0},
		{"c", string(corrupt), corruptOut.SequenceNumber, 0},
	}
	readers := map[string]func(...kds.ReadOption) func(func(kds.Record, error) bool){
		"Replay": func(o ...kds.ReadOption) func(func(kds.Record, error) bool) {
			return s.Replay(context.Background(), kds.TrimHorizon(), o...)
		},
		"ShardRecords": func(o ...kds.ReadOption) func(func(kds.Record, error) bool) {
			return s.ShardRecords(context.Background(), "0", kds.TrimHorizon(), o...)
		},
	}
	for name, read := range readers {
		t.Run(name, func(t *testing.T) {
			var recs []got
			for rec, err := range read() {
				if err != nil {
					t.Fatal(err)
				}
				recs = append(recs, got{rec.PartitionKey, string(rec.Data), rec.SequenceNumber, rec.SubSequenceNumber})
				if len(recs) == len(want) {
					break // ShardRecords follows; stop at the last record
				}
			}
			if len(recs) != len(want) {
				t.Fatalf("got %d records, want %d: %+v", len(recs), len(want), recs)
			}
			for i := range want {
				if recs[i] != want[i] {
					t.Errorf("record %d = %+v, want %+v", i, recs[i], want[i])
				}
			}
		})
	}

	t.Run("KeepAggregates", func(t *testing.T) {
		var data []string
		for rec, err := range s.Replay(context.Background(), kds.TrimHorizon(), kds.KeepAggregates()) {
			if err != nil {
				t.Fatal(err)
			}
			if rec.SubSequenceNumber != 0 {
				t.Errorf("record %s has sub-sequence number %d", rec.SequenceNumber, rec.SubSequenceNumber)
			}
			data = append(data, string(rec.Data))
		}
		if len(data) != 3 || data[0] != string(agg) || data[1] != "plain" || data[2] != string(corrupt) {
			t.Errorf("KeepAggregates read %q, want the three stored records", data)
		}
	})

	t.Run("GetRecords", func(t *testing.T) {
		// The Kinesis API returns records as stored.
		out := getRecords(t, svc, trimHorizon(t, svc, "s", "0"), 10)
		if len(out.Records) != 3 || string(out.Records[0].Data) != string(agg) {
			t.Errorf("GetRecords returned %d records, first %q; want the 3 stored records", len(out.Records), out.Records[0].Data)
		}
	})
}
