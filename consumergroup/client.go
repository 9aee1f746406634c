package consumergroup

import (
	"context"

	"github.com/kdsgo/kds"
)

// Client is the part of the Kinesis API a consumer group reads through.
// [*kds.Service] implements it; an adapter over the AWS SDK's Kinesis client
// can implement it too, so the same group runs against Kinesis itself.
// Implementations must be safe for concurrent use.
type Client interface {
	ListShards(ctx context.Context, in kds.ListShardsInput) (kds.ListShardsOutput, error)
	GetShardIterator(ctx context.Context, in kds.GetShardIteratorInput) (kds.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in kds.GetRecordsInput) (kds.GetRecordsOutput, error)
}

var _ Client = (*kds.Service)(nil)
