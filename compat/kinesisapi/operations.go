package kinesisapi

// operations maps each X-Amz-Target operation name to its implementation.
// An operation Kinesis has and kds does not is absent, so it is answered
// as an unknown operation; COMPATIBILITY.md lists them.
var operations = map[string]operation{
	"CreateStream":          createStream,
	"DescribeStreamSummary": describeStreamSummary,
	"PutRecord":             putRecord,

	"PutRecords":               putRecords,
	"GetShardIterator":         getShardIterator,
	"GetRecords":               getRecords,
	"RegisterStreamConsumer":   registerStreamConsumer,
	"DeregisterStreamConsumer": deregisterStreamConsumer,
	"DescribeStreamConsumer":   describeStreamConsumer,
	"ListStreamConsumers":      listStreamConsumers,
	"SubscribeToShard":         subscribeToShard,
}
