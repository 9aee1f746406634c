package delivery

import (
	"sync/atomic"

	"github.com/kdsgo/kds"
)

// Stats counts what a delivery stream has done, like Firehose's
// CloudWatch metrics for a Kinesis stream source.
type Stats struct {
	// IncomingRecords and IncomingBytes count the records read from the
	// stream and their data (DataReadFromKinesisStream.Records, .Bytes).
	// Records read again after a restart or a lease change count again.
	IncomingRecords, IncomingBytes int64
	// DeliveredRecords and DeliveredBytes count the records in delivered
	// batches and their bytes as delivered (transformed, with delimiters);
	// DeliveredBatches counts the batches (objects or requests).
	DeliveredRecords, DeliveredBytes, DeliveredBatches int64
	// DroppedRecords counts the records the transform dropped.
	DroppedRecords int64
	// ErrorOutputRecords counts the records written to the error output.
	ErrorOutputRecords int64
}

// counters are the atomics behind Stats.
type counters struct {
	incomingRecords, incomingBytes                     atomic.Int64
	deliveredRecords, deliveredBytes, deliveredBatches atomic.Int64
	dropped, errorOutput                               atomic.Int64
}

// read counts a batch read from the stream.
func (c *counters) read(recs []kds.Record) {
	n := 0
	for _, r := range recs {
		n += len(r.Data)
	}
	c.incomingRecords.Add(int64(len(recs)))
	c.incomingBytes.Add(int64(n))
}

// Stats returns the stream's counters.
func (d *DeliveryStream) Stats() Stats {
	c := &d.stats
	return Stats{
		IncomingRecords:    c.incomingRecords.Load(),
		IncomingBytes:      c.incomingBytes.Load(),
		DeliveredRecords:   c.deliveredRecords.Load(),
		DeliveredBytes:     c.deliveredBytes.Load(),
		DeliveredBatches:   c.deliveredBatches.Load(),
		DroppedRecords:     c.dropped.Load(),
		ErrorOutputRecords: c.errorOutput.Load(),
	}
}
