package trigger

import "github.com/kdsgo/kds/internal/uuid"

// report sends the OnFailureRecord of the records recs of a to the
// on-failure destination, if there is one, retrying until it takes it;
// false means the lease ended first.
func (l *lane) report(a *attempt, recs []*pending, condition string) bool {
	dest := l.p.s.DestinationConfig.OnFailure
	if dest == nil {
		return true
	}
	rec := l.p.onFailureRecord(a, recs, condition)
	for try := 1; dest.Send(l.p.ctx, rec) != nil; try++ {
		if !l.sleep(retryBackoff.Delay(try)) {
			return false
		}
	}
	return true
}

// onFailureRecord describes the records recs of a, given up under
// condition: a discarded batch, or the records of a window whose final
// invocation was given up.
func (p *shard) onFailureRecord(a *attempt, recs []*pending, condition string) OnFailureRecord {
	first, last := recs[0], recs[len(recs)-1]
	rec := OnFailureRecord{
		RequestContext: RequestContext{
			RequestID:              uuid.New(),
			FunctionArn:            p.s.functionArn,
			Condition:              condition,
			ApproximateInvokeCount: a.invokes,
		},
		Version:   "1.0",
		Timestamp: ISOMillis{p.s.Clock.Now()},
		KinesisBatchInfo: KinesisBatchInfo{
			ShardID:                         p.id,
			StartSequenceNumber:             first.event.Kinesis.SequenceNumber,
			EndSequenceNumber:               last.event.Kinesis.SequenceNumber,
			ApproximateArrivalOfFirstRecord: ISOMillis{first.rec.ApproximateArrivalTimestamp},
			ApproximateArrivalOfLastRecord:  ISOMillis{last.rec.ApproximateArrivalTimestamp},
			BatchSize:                       len(recs),
			StreamArn:                       p.s.EventSourceArn,
		},
	}
	if a.invokes > 0 {
		rec.ResponseContext = ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST"}
		if a.errored {
			rec.ResponseContext.FunctionError = "Unhandled"
		}
	}
	return rec
}
