package kinesisapi

// operations maps each X-Amz-Target operation name to its implementation.
// An operation Kinesis has and kds does not is absent, so it is answered
// as an unknown operation; COMPATIBILITY.md lists them.
var operations = map[string]operation{
	"AddTagsToStream":               addTagsToStream,
	"CreateStream":                  createStream,
	"DecreaseStreamRetentionPeriod": decreaseStreamRetentionPeriod,
	"DeleteStream":                  deleteStream,
	"DescribeLimits":                describeLimits,
	"DescribeStream":                describeStream,
	"DescribeStreamSummary":         describeStreamSummary,
	"DisableEnhancedMonitoring":     disableEnhancedMonitoring,
	"EnableEnhancedMonitoring":      enableEnhancedMonitoring,
	"IncreaseStreamRetentionPeriod": increaseStreamRetentionPeriod,
	"ListShards":                    listShards,
	"ListStreams":                   listStreams,
	"ListTagsForStream":             listTagsForStream,
	"MergeShards":                   mergeShards,
	"PutRecord":                     putRecord,
	"RemoveTagsFromStream":          removeTagsFromStream,
	"SplitShard":                    splitShard,
	"UpdateMaxRecordSize":           updateMaxRecordSize,
	"UpdateShardCount":              updateShardCount,
	"UpdateStreamMode":              updateStreamMode,
}
