package kinesisapi

// operations maps each X-Amz-Target operation name to its implementation.
// An operation Kinesis has and kds does not is absent, so it is answered
// as an unknown operation; COMPATIBILITY.md lists them.
var operations = map[string]operation{
	"AddTagsToStream":               typed(addTagsToStream),
	"CreateStream":                  typed(createStream),
	"DecreaseStreamRetentionPeriod": typed(decreaseStreamRetentionPeriod),
	"DeleteStream":                  typed(deleteStream),
	"DeregisterStreamConsumer":      typed(deregisterStreamConsumer),
	"DescribeLimits":                typed(describeLimits),
	"DescribeStream":                typed(describeStream),
	"DescribeStreamConsumer":        typed(describeStreamConsumer),
	"DescribeStreamSummary":         typed(describeStreamSummary),
	"DisableEnhancedMonitoring":     typed(disableEnhancedMonitoring),
	"EnableEnhancedMonitoring":      typed(enableEnhancedMonitoring),
	"GetRecords":                    typed(getRecords),
	"GetShardIterator":              typed(getShardIterator),
	"IncreaseStreamRetentionPeriod": typed(increaseStreamRetentionPeriod),
	"ListShards":                    typed(listShards),
	"ListStreamConsumers":           typed(listStreamConsumers),
	"ListStreams":                   typed(listStreams),
	"ListTagsForResource":           typed(listTagsForResource),
	"ListTagsForStream":             typed(listTagsForStream),
	"MergeShards":                   typed(mergeShards),
	"PutRecord":                     typed(putRecord),
	"PutRecords":                    typed(putRecords),
	"RegisterStreamConsumer":        typed(registerStreamConsumer),
	"RemoveTagsFromStream":          typed(removeTagsFromStream),
	"SplitShard":                    typed(splitShard),
	"SubscribeToShard":              subscribeToShard,
	"TagResource":                   typed(tagResource),
	"UntagResource":                 typed(untagResource),
	"UpdateMaxRecordSize":           typed(updateMaxRecordSize),
	"UpdateShardCount":              typed(updateShardCount),
	"UpdateStreamMode":              typed(updateStreamMode),
}
