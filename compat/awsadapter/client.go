package awsadapter

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// Client carries the kds helpers' calls over an AWS SDK Kinesis client.
// It is safe for concurrent use, as the SDK client is.
type Client struct {
	c *kinesis.Client
}

var (
	_ kds.ProducerClient   = (*Client)(nil)
	_ consumergroup.Client = (*Client)(nil)
)

// New returns a Client that makes its calls through c.
func New(c *kinesis.Client) *Client { return &Client{c: c} }

// PutRecords writes in.Records with one PutRecords call. The result has
// one entry per record, in order, as the service reported it. The entries'
// Data is not kept after the call returns.
func (c *Client) PutRecords(ctx context.Context, in kds.PutRecordsInput) (kds.PutRecordsOutput, error) {
	out, err := c.c.PutRecords(ctx, toPutRecordsInput(in))
	if err != nil {
		return kds.PutRecordsOutput{}, callFailed(ctx, err)
	}
	res, err := fromPutRecordsOutput(out)
	if err != nil {
		return kds.PutRecordsOutput{}, malformed("PutRecords", err)
	}
	return res, nil
}

// ListShards lists one page of the stream's shards.
func (c *Client) ListShards(ctx context.Context, in kds.ListShardsInput) (kds.ListShardsOutput, error) {
	out, err := c.c.ListShards(ctx, toListShardsInput(in))
	if err != nil {
		return kds.ListShardsOutput{}, callFailed(ctx, err)
	}
	res, err := fromListShardsOutput(out)
	if err != nil {
		return kds.ListShardsOutput{}, malformed("ListShards", err)
	}
	return res, nil
}

// GetShardIterator gets an iterator for reading a shard.
func (c *Client) GetShardIterator(ctx context.Context, in kds.GetShardIteratorInput) (kds.GetShardIteratorOutput, error) {
	out, err := c.c.GetShardIterator(ctx, toGetShardIteratorInput(in))
	if err != nil {
		return kds.GetShardIteratorOutput{}, callFailed(ctx, err)
	}
	return kds.GetShardIteratorOutput{ShardIterator: deref(out.ShardIterator)}, nil
}

// GetRecords reads one page of records at in.ShardIterator.
func (c *Client) GetRecords(ctx context.Context, in kds.GetRecordsInput) (kds.GetRecordsOutput, error) {
	out, err := c.c.GetRecords(ctx, toGetRecordsInput(in))
	if err != nil {
		return kds.GetRecordsOutput{}, callFailed(ctx, err)
	}
	res, err := fromGetRecordsOutput(out)
	if err != nil {
		return kds.GetRecordsOutput{}, malformed("GetRecords", err)
	}
	return res, nil
}
