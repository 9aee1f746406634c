package kds

import (
	"time"

	"github.com/kdsgo/kds/internal/awsarn"
)

// Kinesis's documented limits, as kds enforces them.
const (
	// MaxStreamNameLength is the longest stream name, in characters.
	MaxStreamNameLength = awsarn.MaxStreamNameLength
	// MaxPartitionKeyLength is the longest partition key, in characters.
	MaxPartitionKeyLength = 256
	// MaxDataBytes is the largest Data blob the API model accepts (10 MiB).
	// A stream accepts records up to its own MaxRecordSizeInKiB.
	MaxDataBytes = 10 << 20
	// DefaultMaxRecordSizeInKiB is a new stream's record size limit (1 MiB),
	// counting partition key bytes plus data bytes.
	DefaultMaxRecordSizeInKiB = 1024
	// MinMaxRecordSizeInKiB and MaxMaxRecordSizeInKiB bound the record size
	// limit that CreateStream and UpdateMaxRecordSize accept.
	MinMaxRecordSizeInKiB = 1024
	MaxMaxRecordSizeInKiB = 10240
	// MaxPutRecordsEntries is the most records one PutRecords call carries.
	MaxPutRecordsEntries = 500
	// MaxPutRecordsRequestBytes bounds one PutRecords call's keys plus data.
	MaxPutRecordsRequestBytes = 10 << 20
	// MaxGetRecordsLimit is the most records one GetRecords call returns,
	// and its default Limit.
	MaxGetRecordsLimit = 10000
	// MaxGetRecordsBytes is the most data one GetRecords call returns.
	MaxGetRecordsBytes = 10 << 20
	// IteratorLifetime is how long a shard iterator stays valid.
	IteratorLifetime = 5 * time.Minute
	// NextTokenLifetime is how long a ListShards pagination token stays valid.
	NextTokenLifetime = 300 * time.Second
	// DefaultRetentionPeriodHours is a new stream's retention period.
	DefaultRetentionPeriodHours = 24
	// MinRetentionPeriodHours and MaxRetentionPeriodHours bound retention.
	MinRetentionPeriodHours = 24
	MaxRetentionPeriodHours = 8760
	// MaxTagsPerStream is the most tags a stream, or a registered consumer,
	// carries.
	MaxTagsPerStream = 50
	// MaxTagKeyLength and MaxTagValueLength bound a tag, in characters.
	MaxTagKeyLength   = 128
	MaxTagValueLength = 256
	// MaxTagKeysPerRemove is the most keys one RemoveTagsFromStream or
	// UntagResource call takes.
	MaxTagKeysPerRemove = 50
	// MaxTagsPerAdd is the most tags one AddTagsToStream or TagResource call
	// takes.
	MaxTagsPerAdd = 200
	// MaxListTagsLimit is the most tags one ListTagsForStream call returns.
	MaxListTagsLimit = 50
	// MaxStreamsCreating is how many streams may be CREATING at once.
	MaxStreamsCreating = 5
	// DefaultShardLimit is the account shard quota in us-east-1, us-west-2
	// and eu-west-1.
	DefaultShardLimit = 20000
	// DefaultOnDemandStreamCountLimit is the account's on-demand stream quota.
	DefaultOnDemandStreamCountLimit = 50
	// MaxDescribeStreamShards is the most shards one DescribeStream returns.
	MaxDescribeStreamShards = 100
	// MaxListStreamsResults is the most names one ListStreams call returns.
	MaxListStreamsResults = 100
	// DefaultListShardsResults is the most shards one ListShards returns.
	DefaultListShardsResults = 1000
	// MaxConsumersPerStream is the most enhanced fan-out consumers one
	// stream has registered.
	MaxConsumersPerStream = 20
	// MaxCreatingConsumers is how many consumers an account may have
	// CREATING at once.
	MaxCreatingConsumers = 5
	// MaxListStreamConsumersResults is the most consumers one
	// ListStreamConsumers call returns.
	MaxListStreamConsumersResults = 100
	// SubscriptionLifetime is how long a SubscribeToShard subscription
	// delivers events before it ends and must be renewed.
	SubscriptionLifetime = 5 * time.Minute
	// ResubscribeInterval is how long after a SubscribeToShard call the
	// same consumer must wait before subscribing to the same shard again.
	ResubscribeInterval = 5 * time.Second
	// MaxRequestLimit is the upper bound of the Limit/MaxResults inputs.
	MaxRequestLimit = 10000
)
