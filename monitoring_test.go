package kds_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

func TestEnhancedMonitoring(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "m", 1)
	out, err := svc.EnableEnhancedMonitoring(ctx, kds.EnableEnhancedMonitoringInput{StreamName: "m", ShardLevelMetrics: []string{"OutgoingBytes", "IncomingBytes"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CurrentShardLevelMetrics) != 0 || !slices.Equal(out.DesiredShardLevelMetrics, []string{"IncomingBytes", "OutgoingBytes"}) {
		t.Fatalf("enable = %+v", out)
	}
	if out.StreamName != "m" || out.StreamARN == "" {
		t.Fatalf("enable names %q %q", out.StreamName, out.StreamARN)
	}
	out, err = svc.EnableEnhancedMonitoring(ctx, kds.EnableEnhancedMonitoringInput{StreamName: "m", ShardLevelMetrics: []string{"ALL"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CurrentShardLevelMetrics) != 2 || len(out.DesiredShardLevelMetrics) != 7 {
		t.Fatalf("enable ALL = %+v", out)
	}
	out, err = svc.DisableEnhancedMonitoring(ctx, kds.DisableEnhancedMonitoringInput{StreamName: "m", ShardLevelMetrics: []string{"IteratorAgeMilliseconds", "IncomingRecords"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"IncomingBytes", "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded"}
	if !slices.Equal(out.DesiredShardLevelMetrics, want) {
		t.Fatalf("disable desired = %v, want %v", out.DesiredShardLevelMetrics, want)
	}
	d, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.StreamDescriptionSummary.EnhancedMonitoring[0].ShardLevelMetrics; !slices.Equal(got, want) {
		t.Fatalf("summary shows %v, want %v", got, want)
	}
	ds, err := svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ds.StreamDescription.EnhancedMonitoring[0].ShardLevelMetrics; !slices.Equal(got, want) {
		t.Fatalf("DescribeStream shows %v, want %v", got, want)
	}
}

func TestEnhancedMonitoringErrors(t *testing.T) {
	svc, _ := newService(t, kds.WithStatusDelay(time.Second))
	const enum = "[IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]"
	tests := []struct {
		name    string
		in      kds.EnableEnhancedMonitoringInput
		want    *kds.Error
		message string
	}{
		{"null metrics", kds.EnableEnhancedMonitoringInput{StreamName: "c"}, kds.ErrValidation,
			"1 validation error detected: Value null at 'shardLevelMetrics' failed to satisfy constraint: Member must not be null"},
		{"empty metrics", kds.EnableEnhancedMonitoringInput{StreamName: "c", ShardLevelMetrics: []string{}}, kds.ErrValidation,
			"1 validation error detected: Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"unknown metric", kds.EnableEnhancedMonitoringInput{StreamName: "c", ShardLevelMetrics: []string{"Bytes"}}, kds.ErrValidation,
			"1 validation error detected: Value '[Bytes]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: " + enum + "]"},
		{"missing stream", kds.EnableEnhancedMonitoringInput{StreamName: "nope", ShardLevelMetrics: []string{"ALL"}}, kds.ErrResourceNotFound,
			"Stream nope under account 000000000000 not found."},
		{"creating stream", kds.EnableEnhancedMonitoringInput{StreamName: "c", ShardLevelMetrics: []string{"ALL"}}, kds.ErrResourceInUse,
			"Stream c under account 000000000000 not ACTIVE, instead in state CREATING"},
	}
	createStream(t, svc, "c", 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.EnableEnhancedMonitoring(ctx, tt.in)
			wantErr(t, err, tt.want, tt.message)
		})
	}
}
