package kinesisapi

// operations maps each X-Amz-Target operation name to its implementation.
// An operation Kinesis has and kds does not is absent, so it is answered
// as an unknown operation; COMPATIBILITY.md lists them.
var operations = map[string]operation{
	"AddTagsToStream":               addTagsToStream,
	"CreateStream":                  createStream,
	"DecreaseStreamRetentionPeriod": decreaseStreamRetentionPeriod,
	"DeleteStream":                  deleteStream,
	"DeregisterStreamConsumer":      deregisterStreamConsumer,
	"DescribeLimits":                describeLimits,
	"DescribeStream":                describeStream,
	"DescribeStreamConsumer":        describeStreamConsumer,
	"DescribeStreamSummary":         describeStreamSummary,
	"DisableEnhancedMonitoring":     disableEnhancedMonitoring,
	"EnableEnhancedMonitoring":      enableEnhancedMonitoring,
	"GetRecords":                    getRecords,
	"GetShardIterator":              getShardIterator,
	"IncreaseStreamRetentionPeriod": increaseStreamRetentionPeriod,
	"ListShards":                    listShards,
	"ListStreamConsumers":           listStreamConsumers,
	"ListStreams":                   listStreams,
	"ListTagsForStream":             listTagsForStream,
	"MergeShards":                   mergeShards,
	"PutRecord":                     putRecord,
	"PutRecords":                    putRecords,
	"RegisterStreamConsumer":        registerStreamConsumer,
	"RemoveTagsFromStream":          removeTagsFromStream,
	"SplitShard":                    splitShard,
	"SubscribeToShard":              subscribeToShard,
	"UpdateMaxRecordSize":           updateMaxRecordSize,
	"UpdateShardCount":              updateShardCount,
	"UpdateStreamMode":              updateStreamMode,
}
