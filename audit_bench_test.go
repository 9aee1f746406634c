package kds

import (
	"io"
	"strconv"
	"testing"
)

// BenchmarkAuditPut measures what an audit trail adds to PutRecord and to
// a PutRecords of 500 records: without a trail, with one that records
// management events only (puts are skipped), and with data events, whose
// events are built in the call and written to io.Discard as JSON Lines by
// the trail's goroutine.
func BenchmarkAuditPut(b *testing.B) {
	entries := make([]PutRecordsRequestEntry, 500)
	for i := range entries {
		entries[i] = PutRecordsRequestEntry{PartitionKey: "key-" + strconv.Itoa(i), Data: make([]byte, 100)}
	}
	for _, mode := range []struct {
		name string
		opts []Option
	}{
		{"no-trail", nil},
		{"management", []Option{WithAuditTrail(NewAuditJSONLinesSink(io.Discard))}},
		{"data-events", []Option{WithAuditTrail(NewAuditJSONLinesSink(io.Discard), AuditDataEvents())}},
		{"data-events-wait", []Option{WithAuditTrail(NewAuditJSONLinesSink(io.Discard), AuditDataEvents(), AuditWaitWhenFull())}},
	} {
		svc, err := NewService(append([]Option{WithThroughputLimits(NoLimits)}, mode.opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.CreateStream(b.Context(), CreateStreamInput{StreamName: "s", ShardCount: 4}); err != nil {
			b.Fatal(err)
		}
		b.Run(mode.name+"/PutRecord", func(b *testing.B) {
			data := make([]byte, 100)
			for b.Loop() {
				if _, err := svc.PutRecord(b.Context(), PutRecordInput{StreamName: "s", PartitionKey: "k", Data: data}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(mode.name+"/PutRecords500", func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.PutRecords(b.Context(), PutRecordsInput{StreamName: "s", Records: entries}); err != nil {
					b.Fatal(err)
				}
			}
		})
		svc.Close()
	}
}
