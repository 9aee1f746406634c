package kinesisapi_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

// TestStreamEncryption drives server-side encryption through the AWS SDK:
// start and stop it, see EncryptionType and KeyId in DescribeStream, on
// every put and on every record read, and the KMS exceptions a disabled
// key causes on puts, GetRecords and SubscribeToShard.
func TestStreamEncryption(t *testing.T) {
	c, svc, _, clock, consumerARN := efoSetup(t)
	ctx := context.Background()
	key := svc.Keys().CreateKey()
	if err := svc.Keys().CreateAlias("alias/orders", key.KeyID); err != nil {
		t.Fatal(err)
	}
	put(t, c, "before")

	start := func(typ types.EncryptionType, keyID string) error {
		_, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("s"), EncryptionType: typ, KeyId: aws.String(keyID)})
		return err
	}
	checkAPIError(t, start(types.EncryptionTypeNone, "alias/orders"), "InvalidArgumentException",
		"EncryptionType NONE is not valid for StartStreamEncryption. KMS is the only valid EncryptionType.")
	checkAPIError(t, start(types.EncryptionTypeKms, "alias/missing"), "KMSNotFoundException",
		"Alias arn:aws:kms:us-east-1:000000000000:alias/missing is not found.")
	if err := start(types.EncryptionTypeKms, "alias/orders"); err != nil {
		t.Fatal(err)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if d := sum.StreamDescriptionSummary; d.EncryptionType != types.EncryptionTypeKms || aws.ToString(d.KeyId) != "alias/orders" {
		t.Fatalf("DescribeStreamSummary: %s %q", d.EncryptionType, aws.ToString(d.KeyId))
	}
	desc, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if d := desc.StreamDescription; d.EncryptionType != types.EncryptionTypeKms || aws.ToString(d.KeyId) != "alias/orders" {
		t.Fatalf("DescribeStream: %s %q", d.EncryptionType, aws.ToString(d.KeyId))
	}

	one, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("one")})
	if err != nil || one.EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("PutRecord: %+v, %v", one, err)
	}
	batch, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("k"), Data: []byte("two")}, {PartitionKey: aws.String("k"), Data: []byte("three")},
	}})
	if err != nil || batch.EncryptionType != types.EncryptionTypeKms || aws.ToInt32(batch.FailedRecordCount) != 0 {
		t.Fatalf("PutRecords: %+v, %v", batch, err)
	}
	type rec struct {
		data string
		enc  types.EncryptionType
	}
	want := []rec{{"before", types.EncryptionTypeNone}, {"one", types.EncryptionTypeKms}, {"two", types.EncryptionTypeKms}, {"three", types.EncryptionTypeKms}}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	var got []rec
	for _, r := range page.Records {
		got = append(got, rec{string(r.Data), r.EncryptionType})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("GetRecords: %v, want %v", got, want)
	}
	sub := subscribe(t, c, consumerARN)
	got = nil
	for len(got) < len(want) {
		for _, r := range mustEvent(t, sub).Records {
			got = append(got, rec{string(r.Data), r.EncryptionType})
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("SubscribeToShard: %v, want %v", got, want)
	}

	// A disabled key: puts and reads fail with KMSDisabledException,
	// including a subscription that is already running.
	if err := svc.Keys().DisableKey(key.KeyID); err != nil {
		t.Fatal(err)
	}
	disabled := key.ARN + " is disabled."
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
	checkAPIError(t, err, "KMSDisabledException", disabled)
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("x")}}})
	checkAPIError(t, err, "KMSDisabledException", disabled)
	// GetRecords returns the plaintext record before the first it cannot
	// decrypt, then fails.
	page, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(page.Records) != 1 || string(page.Records[0].Data) != "before" {
		t.Fatalf("GetRecords from TRIM_HORIZON with the key disabled: %v, %v", page, err)
	}
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: page.NextShardIterator})
	checkAPIError(t, err, "KMSDisabledException", disabled)
	clock.Advance(kds.ResubscribeInterval)
	failing := subscribe(t, c, consumerARN)
	for {
		if _, ok := nextEvent(t, failing); !ok {
			break
		}
	}
	checkAPIError(t, failing.Err(), "KMSDisabledException", disabled)

	// Stopped: new records are NONE, the encrypted ones still need the key.
	if err := svc.Keys().EnableKey(key.KeyID); err != nil {
		t.Fatal(err)
	}
	_, err = c.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("s"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(kds.AWSManagedKeyAlias)})
	var notItsKey *types.InvalidArgumentException
	if !errors.As(err, &notItsKey) || notItsKey.ErrorMessage() != "Stream s under account 000000000000 is not encrypted with KMS key alias/aws/kinesis." {
		t.Fatalf("StopStreamEncryption with a key the stream does not use: %v, want InvalidArgumentException", err)
	}
	if _, err := c.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("s"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/orders")}); err != nil {
		t.Fatal(err)
	}
	after, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("after")})
	if err != nil || after.EncryptionType != types.EncryptionTypeNone {
		t.Fatalf("PutRecord after StopStreamEncryption: %+v, %v", after, err)
	}
	sum, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil || sum.StreamDescriptionSummary.EncryptionType != types.EncryptionTypeNone || sum.StreamDescriptionSummary.KeyId != nil {
		t.Fatalf("DescribeStreamSummary after StopStreamEncryption: %+v, %v", sum.StreamDescriptionSummary, err)
	}
}

// TestStreamEncryptionAccessDenied: a key the caller may not use is
// refused on puts with KMS's message and on reads with Kinesis's.
func TestStreamEncryptionAccessDenied(t *testing.T) {
	c, svc, _ := newTestServer(t, kds.WithThroughputLimits(kds.NoLimits))
	ctx := context.Background()
	createStream(t, c, "s", 1)
	key := svc.Keys().CreateKey()
	if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("s"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(key.KeyID)}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "secret")
	if err := svc.Keys().SetKeyUsers(key.KeyID, "arn:aws:iam::000000000000:user/someone-else"); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
	checkAPIError(t, err, "KMSAccessDeniedException",
		"User: arn:aws:iam::000000000000:root is not authorized to perform: kms:GenerateDataKey on resource: "+key.ARN)
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	checkAPIError(t, err, "KMSAccessDeniedException", "User arn:aws:iam::000000000000:root is not authorized to decrypt records in stream s")
}
