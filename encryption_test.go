package kds_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// startEncryption starts encryption of a stream under keyID, failing the
// test on error.
func startEncryption(t *testing.T, svc *kds.Service, stream, keyID string) {
	t.Helper()
	_, err := svc.StartStreamEncryption(ctx, kds.StartStreamEncryptionInput{StreamName: stream, EncryptionType: kds.EncryptionKMS, KeyId: keyID})
	if err != nil {
		t.Fatalf("StartStreamEncryption(%s, %s): %v", stream, keyID, err)
	}
}

// stopEncryption stops encryption of a stream, failing the test on error.
func stopEncryption(t *testing.T, svc *kds.Service, stream, keyID string) {
	t.Helper()
	_, err := svc.StopStreamEncryption(ctx, kds.StopStreamEncryptionInput{StreamName: stream, EncryptionType: kds.EncryptionKMS, KeyId: keyID})
	if err != nil {
		t.Fatalf("StopStreamEncryption(%s): %v", stream, err)
	}
}

// encryptionOf returns a stream's EncryptionType and KeyId from both
// DescribeStreamSummary and DescribeStream, failing the test if they
// differ.
func encryptionOf(t *testing.T, svc *kds.Service, stream string) (kds.EncryptionType, string) {
	t.Helper()
	sum, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: stream})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: stream})
	if err != nil {
		t.Fatal(err)
	}
	s, full := sum.StreamDescriptionSummary, d.StreamDescription
	if s.EncryptionType != full.EncryptionType || s.KeyId != full.KeyId {
		t.Fatalf("DescribeStreamSummary says %s %q, DescribeStream %s %q", s.EncryptionType, s.KeyId, full.EncryptionType, full.KeyId)
	}
	return s.EncryptionType, s.KeyId
}

// storedRecord is what a test expects to read back.
type storedRecord struct {
	key, data string
	enc       kds.EncryptionType
}

// readStored reads one shard with GetRecords from TRIM_HORIZON and
// returns what it holds.
func readStored(t *testing.T, svc *kds.Service, c context.Context, stream string) []storedRecord {
	t.Helper()
	var got []storedRecord
	it := trimHorizon(t, svc, stream, "shardId-000000000000")
	for {
		out, err := svc.GetRecords(c, kds.GetRecordsInput{ShardIterator: it})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		if len(out.Records) == 0 {
			return got
		}
		for _, r := range out.Records {
			got = append(got, storedRecord{r.PartitionKey, string(r.Data), r.EncryptionType})
		}
		it = out.NextShardIterator
	}
}

func TestStreamEncryptionRoundTrip(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	put(t, svc, "s", "k0", "before")
	if typ, key := encryptionOf(t, svc, "s"); typ != kds.EncryptionNone || key != "" {
		t.Fatalf("a new stream describes as %s %q, want NONE and no key", typ, key)
	}
	startEncryption(t, svc, "s", kds.AWSManagedKeyAlias)
	if typ, key := encryptionOf(t, svc, "s"); typ != kds.EncryptionKMS || key != kds.AWSManagedKeyAlias {
		t.Fatalf("after StartStreamEncryption the stream describes as %s %q", typ, key)
	}
	if out := put(t, svc, "s", "k1", "one"); out.EncryptionType != kds.EncryptionKMS {
		t.Errorf("PutRecord on an encrypted stream: EncryptionType %s", out.EncryptionType)
	}
	batch, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: []kds.PutRecordsRequestEntry{
		{PartitionKey: "k2", Data: []byte("two")}, {PartitionKey: "k3", Data: []byte("")}, {PartitionKey: "k4", Data: []byte("four")},
	}})
	if err != nil || batch.EncryptionType != kds.EncryptionKMS || batch.FailedRecordCount != 0 {
		t.Fatalf("PutRecords: %+v, %v", batch, err)
	}
	s, _ := svc.Stream("s")
	if out, err := s.Put(ctx, "k5", []byte("five")); err != nil || out.EncryptionType != kds.EncryptionKMS {
		t.Fatalf("Stream.Put: %+v, %v", out, err)
	}
	stopEncryption(t, svc, "s", kds.AWSManagedKeyAlias)
	if typ, key := encryptionOf(t, svc, "s"); typ != kds.EncryptionNone || key != "" {
		t.Fatalf("after StopStreamEncryption the stream describes as %s %q", typ, key)
	}
	if out := put(t, svc, "s", "k6", "after"); out.EncryptionType != kds.EncryptionNone {
		t.Errorf("PutRecord after StopStreamEncryption: EncryptionType %s", out.EncryptionType)
	}
	want := []storedRecord{
		{"k0", "before", kds.EncryptionNone},
		{"k1", "one", kds.EncryptionKMS}, {"k2", "two", kds.EncryptionKMS}, {"k3", "", kds.EncryptionKMS},
		{"k4", "four", kds.EncryptionKMS}, {"k5", "five", kds.EncryptionKMS},
		{"k6", "after", kds.EncryptionNone},
	}
	if got := readStored(t, svc, ctx, "s"); !slices.Equal(got, want) {
		t.Fatalf("GetRecords read\n%v\nwant\n%v", got, want)
	}
	var replayed []storedRecord
	for r, err := range s.Replay(ctx, kds.TrimHorizon()) {
		if err != nil {
			t.Fatal(err)
		}
		replayed = append(replayed, storedRecord{r.PartitionKey, string(r.Data), r.EncryptionType})
	}
	if !slices.Equal(replayed, want) {
		t.Fatalf("Replay read\n%v\nwant\n%v", replayed, want)
	}
}

func TestStreamEncryptionValidation(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	ks := svc.Keys()
	disabled := ks.CreateKey()
	if err := ks.DisableKey(disabled.KeyID); err != nil {
		t.Fatal(err)
	}
	const foreign = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-4333-8444-555555555555"
	long := strings.Repeat("k", 2049)
	typeEnum := "Member must satisfy enum value set: [NONE, KMS]"
	for _, tc := range []struct {
		name   string
		stream string
		typ    kds.EncryptionType
		keyID  string
		err    *kds.Error
		msg    string
		stop   bool // StopStreamEncryption fails the same way
	}{
		{"no type", "s", "", kds.AWSManagedKeyAlias, kds.ErrValidation, oneViolation("null", "encryptionType", notNull), true},
		{"unknown type", "s", "AES", kds.AWSManagedKeyAlias, kds.ErrValidation, oneViolation("'AES'", "encryptionType", typeEnum), true},
		{"no key", "s", kds.EncryptionKMS, "", kds.ErrValidation, oneViolation("null", "keyId", notNull), true},
		{"key too long", "s", kds.EncryptionKMS, long, kds.ErrValidation, oneViolation("'"+long+"'", "keyId", lengthAtMost(2048)), true},
		{"NONE", "s", kds.EncryptionNone, kds.AWSManagedKeyAlias, kds.ErrInvalidArgument, "EncryptionType NONE is not valid for %s. KMS is the only valid EncryptionType.", true},
		{"no stream", "nope", kds.EncryptionKMS, kds.AWSManagedKeyAlias, kds.ErrResourceNotFound, notFound("nope"), true},
		{"unknown key", "s", kds.EncryptionKMS, "alias/nope", kds.ErrKMSNotFound, "Alias " + kmsARN("alias/nope") + " is not found.", false},
		{"malformed key", "s", kds.EncryptionKMS, "n/a", kds.ErrKMSNotFound, "Invalid keyId n/a", false},
		{"disabled key", "s", kds.EncryptionKMS, disabled.ARN, kds.ErrKMSDisabled, disabled.ARN + " is disabled.", false},
		{"another account's key", "s", kds.EncryptionKMS, foreign, kds.ErrKMSAccessDenied,
			"User: arn:aws:iam::000000000000:root is not authorized to perform: kms:GenerateDataKey on resource: " + foreign, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.StartStreamEncryption(ctx, kds.StartStreamEncryptionInput{StreamName: tc.stream, EncryptionType: tc.typ, KeyId: tc.keyID})
			msg := tc.msg
			if strings.Contains(msg, "%s") {
				msg = fmt.Sprintf(tc.msg, "StartStreamEncryption")
			}
			wantErr(t, err, tc.err, msg)
			if tc.stop {
				_, err := svc.StopStreamEncryption(ctx, kds.StopStreamEncryptionInput{StreamName: tc.stream, EncryptionType: tc.typ, KeyId: tc.keyID})
				if strings.Contains(tc.msg, "%s") {
					msg = fmt.Sprintf(tc.msg, "StopStreamEncryption")
				}
				wantErr(t, err, tc.err, msg)
			}
		})
	}
	_, err := svc.StartStreamEncryption(ctx, kds.StartStreamEncryptionInput{StreamName: "s"})
	wantViolations(t, err, violation("null", "encryptionType", notNull), violation("null", "keyId", notNull))
	if typ, _ := encryptionOf(t, svc, "s"); typ != kds.EncryptionNone {
		t.Fatalf("a refused StartStreamEncryption left the stream %s", typ)
	}
}

// StopStreamEncryption's KeyId must name the key the stream is encrypted
// with, in any of the forms KMS takes; another key is refused and the
// stream stays encrypted. (Access control authorises the key the request
// names, so without this check a caller allowed on any key of its own
// could turn off encryption under a key it may not use.)
func TestStopStreamEncryptionNeedsTheStreamsKey(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	k1, k2 := svc.Keys().CreateKey(), svc.Keys().CreateKey()
	if err := svc.Keys().CreateAlias("alias/orders", k1.KeyID); err != nil {
		t.Fatal(err)
	}
	startEncryption(t, svc, "s", "alias/orders")
	for _, other := range []string{k2.ARN, k2.KeyID, kds.AWSManagedKeyAlias, "alias/nope", "n/a"} {
		_, err := svc.StopStreamEncryption(ctx, kds.StopStreamEncryptionInput{StreamName: "s", EncryptionType: kds.EncryptionKMS, KeyId: other})
		wantErr(t, err, kds.ErrInvalidArgument, "Stream s under account 000000000000 is not encrypted with KMS key "+other+".")
		if typ, key := encryptionOf(t, svc, "s"); typ != kds.EncryptionKMS || key != "alias/orders" {
			t.Fatalf("after StopStreamEncryption with %s the stream is %s %q", other, typ, key)
		}
	}
	for _, same := range []string{"alias/orders", kmsARN("alias/orders"), k1.KeyID, k1.ARN} {
		stopEncryption(t, svc, "s", same)
		if typ, _ := encryptionOf(t, svc, "s"); typ != kds.EncryptionNone {
			t.Fatalf("after StopStreamEncryption with %s the stream is %s", same, typ)
		}
		startEncryption(t, svc, "s", "alias/orders")
	}
}

func TestStreamEncryptionWaitsForUpdating(t *testing.T) {
	svc, clock := newService(t, kds.WithStatusDelays(kds.StatusDelays{Update: 10 * time.Second}))
	createStream(t, svc, "s", 1)
	startEncryption(t, svc, "s", kds.AWSManagedKeyAlias)
	if st := status(t, svc, "s"); st != kds.StreamStatusUpdating {
		t.Fatalf("after StartStreamEncryption the stream is %s, want UPDATING", st)
	}
	if out := put(t, svc, "s", "k", "early"); out.EncryptionType != kds.EncryptionNone {
		t.Errorf("a record put while UPDATING is %s, want NONE", out.EncryptionType)
	}
	updating := "Stream s under account 000000000000 not ACTIVE, instead in state UPDATING"
	_, err := svc.StartStreamEncryption(ctx, kds.StartStreamEncryptionInput{StreamName: "s", EncryptionType: kds.EncryptionKMS, KeyId: kds.AWSManagedKeyAlias})
	wantErr(t, err, kds.ErrResourceInUse, updating)
	_, err = svc.StopStreamEncryption(ctx, kds.StopStreamEncryptionInput{StreamName: "s", EncryptionType: kds.EncryptionKMS, KeyId: kds.AWSManagedKeyAlias})
	wantErr(t, err, kds.ErrResourceInUse, updating)
	clock.Advance(10 * time.Second)
	if st := status(t, svc, "s"); st != kds.StreamStatusActive {
		t.Fatalf("after the update delay the stream is %s, want ACTIVE", st)
	}
	if typ, _ := encryptionOf(t, svc, "s"); typ != kds.EncryptionKMS {
		t.Fatalf("after the update delay the stream describes as %s", typ)
	}
	if out := put(t, svc, "s", "k", "late"); out.EncryptionType != kds.EncryptionKMS {
		t.Errorf("a record put once ACTIVE is %s, want KMS", out.EncryptionType)
	}
}

func TestStreamEncryptionRateLimits(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	key := kds.AWSManagedKeyAlias
	// One start, then 24 (start, stop) pairs an hour later, and one stop:
	// 25 starts and 25 stops within a day.
	startEncryption(t, svc, "s", key)
	clock.Advance(time.Hour)
	stopEncryption(t, svc, "s", key)
	for range 24 {
		startEncryption(t, svc, "s", key)
		stopEncryption(t, svc, "s", key)
	}
	_, err := svc.StartStreamEncryption(ctx, kds.StartStreamEncryptionInput{StreamName: "s", EncryptionType: kds.EncryptionKMS, KeyId: key})
	wantErr(t, err, kds.ErrLimitExceeded, "Stream s under account 000000000000 cannot apply a KMS key for server-side encryption more than 25 times in a rolling 24-hour period.")
	// Stopping a stream that does not encrypt changes nothing and counts
	// for nothing.
	stopEncryption(t, svc, "s", key)
	// A day after the first start, one start is free again; every stop
	// is still within the day.
	clock.Advance(23 * time.Hour)
	startEncryption(t, svc, "s", key)
	_, err = svc.StopStreamEncryption(ctx, kds.StopStreamEncryptionInput{StreamName: "s", EncryptionType: kds.EncryptionKMS, KeyId: key})
	wantErr(t, err, kds.ErrLimitExceeded, "Stream s under account 000000000000 cannot disable server-side encryption more than 25 times in a rolling 24-hour period.")
	if typ, _ := encryptionOf(t, svc, "s"); typ != kds.EncryptionKMS {
		t.Fatalf("a refused StopStreamEncryption left the stream %s", typ)
	}
}

// wantReadsFail checks that GetRecords, Replay and SubscribeToShard from
// the start of a stream's first shard all fail with target and msg, on
// behalf of c's caller.
func wantReadsFail(t *testing.T, svc *kds.Service, c context.Context, stream string, target *kds.Error, msg string) {
	t.Helper()
	it := trimHorizon(t, svc, stream, "shardId-000000000000")
	_, err := svc.GetRecords(c, kds.GetRecordsInput{ShardIterator: it})
	wantErr(t, err, target, msg)
	s, _ := svc.Stream(stream)
	var yielded []error
	for _, err := range s.Replay(c, kds.TrimHorizon()) {
		yielded = append(yielded, err)
	}
	if len(yielded) != 1 {
		t.Fatalf("Replay yielded %d items, want just the error", len(yielded))
	}
	wantErr(t, yielded[0], target, msg)
	// Records follows the stream; the error ends it rather than a wait.
	bounded, cancel := context.WithTimeout(c, 10*time.Second)
	defer cancel()
	followed := false
	for _, err := range s.Records(bounded, kds.TrimHorizon()) {
		wantErr(t, err, target, msg)
		followed = true
		break
	}
	if !followed {
		t.Fatal("Records ended without yielding")
	}
	consumer := efoRegister(t, svc, stream, fmt.Sprintf("reader-%d", time.Now().UnixNano()))
	out, err := svc.SubscribeToShard(c, kds.SubscribeToShardInput{ConsumerARN: consumer.ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: trimHorizonPos})
	if err != nil {
		t.Fatal(err)
	}
	var events []kds.SubscribeToShardEvent
	for ev, err := range out.EventStream {
		if err != nil {
			wantErr(t, err, target, msg)
			break
		}
		events = append(events, ev)
	}
	if len(events) != 0 {
		t.Fatalf("the subscription pushed %d events before its error", len(events))
	}
}

func TestStreamEncryptionKeyProblems(t *testing.T) {
	const other = "arn:aws:iam::000000000000:user/other"
	const root = "arn:aws:iam::000000000000:root"
	for _, tc := range []struct {
		name    string
		breakIt func(*kds.KeyService, *kds.ManualClock, string) error
		fix     func(*kds.KeyService, string) error // nil if it cannot be undone
		err     *kds.Error
		putMsg  string // %[1]s is the key's ARN
		readMsg string
	}{
		{"disabled",
			func(ks *kds.KeyService, _ *kds.ManualClock, id string) error { return ks.DisableKey(id) },
			func(ks *kds.KeyService, id string) error { return ks.EnableKey(id) },
			kds.ErrKMSDisabled, "%[1]s is disabled.", "%[1]s is disabled."},
		{"pending deletion",
			func(ks *kds.KeyService, _ *kds.ManualClock, id string) error {
				_, err := ks.ScheduleKeyDeletion(id, 7)
				return err
			},
			func(ks *kds.KeyService, id string) error {
				if err := ks.CancelKeyDeletion(id); err != nil {
					return err
				}
				return ks.EnableKey(id)
			},
			kds.ErrKMSInvalidState, "%[1]s is pending deletion.", "%[1]s is pending deletion."},
		{"deleted",
			func(ks *kds.KeyService, clock *kds.ManualClock, id string) error {
				_, err := ks.ScheduleKeyDeletion(id, 7)
				clock.Advance(7 * 24 * time.Hour)
				return err
			},
			nil, kds.ErrKMSNotFound, "Key '%[1]s' does not exist", "Key '%[1]s' does not exist"},
		{"not for this principal",
			func(ks *kds.KeyService, _ *kds.ManualClock, id string) error { return ks.SetKeyUsers(id, other) },
			func(ks *kds.KeyService, id string) error { return ks.SetKeyUsers(id) },
			kds.ErrKMSAccessDenied,
			"User: " + root + " is not authorized to perform: kms:GenerateDataKey on resource: %[1]s",
			"User " + root + " is not authorized to decrypt records in stream s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, clock := newService(t)
			efoStream(t, svc, "s", 1)
			if _, err := svc.IncreaseStreamRetentionPeriod(ctx, kds.IncreaseStreamRetentionPeriodInput{StreamName: "s", RetentionPeriodHours: 30 * 24}); err != nil {
				t.Fatal(err)
			}
			key := svc.Keys().CreateKey()
			startEncryption(t, svc, "s", key.KeyID)
			put(t, svc, "s", "k", "secret")
			// The stream has the data key cached for writing and reading
			// now; the key's change must still take effect at once.
			if got := readStored(t, svc, ctx, "s"); len(got) != 1 || got[0].data != "secret" {
				t.Fatalf("before the key changed: read %v", got)
			}
			if err := tc.breakIt(svc.Keys(), clock, key.KeyID); err != nil {
				t.Fatal(err)
			}
			_, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("refused")})
			putMsg, readMsg := strings.ReplaceAll(tc.putMsg, "%[1]s", key.ARN), strings.ReplaceAll(tc.readMsg, "%[1]s", key.ARN)
			wantErr(t, err, tc.err, putMsg)
			_, err = svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: []kds.PutRecordsRequestEntry{{PartitionKey: "k", Data: []byte("refused")}}})
			wantErr(t, err, tc.err, putMsg)
			wantReadsFail(t, svc, ctx, "s", tc.err, readMsg)
			if tc.fix == nil {
				return
			}
			if err := tc.fix(svc.Keys(), key.KeyID); err != nil {
				t.Fatal(err)
			}
			put(t, svc, "s", "k", "again")
			want := []storedRecord{{"k", "secret", kds.EncryptionKMS}, {"k", "again", kds.EncryptionKMS}}
			if got := readStored(t, svc, ctx, "s"); !slices.Equal(got, want) {
				t.Fatalf("after the key was fixed: read %v, want %v", got, want)
			}
		})
	}
}

func TestStreamEncryptionReadsWhatPrecedesAnUnreadableRecord(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	put(t, svc, "s", "k", "plain")
	key := svc.Keys().CreateKey()
	startEncryption(t, svc, "s", key.KeyID)
	put(t, svc, "s", "k", "sealed")
	if err := svc.Keys().DisableKey(key.KeyID); err != nil {
		t.Fatal(err)
	}
	it := trimHorizon(t, svc, "s", "shardId-000000000000")
	out := getRecords(t, svc, it, 0)
	if got := recordData(out.Records); !slices.Equal(got, []string{"plain"}) {
		t.Fatalf("the first GetRecords read %q, want the plaintext record only", got)
	}
	_, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: out.NextShardIterator})
	wantErr(t, err, kds.ErrKMSDisabled, key.ARN+" is disabled.")
	s, _ := svc.Stream("s")
	var data []string
	for r, err := range s.Replay(ctx, kds.TrimHorizon()) {
		if err != nil {
			wantErr(t, err, kds.ErrKMSDisabled, key.ARN+" is disabled.")
			break
		}
		data = append(data, string(r.Data))
	}
	if !slices.Equal(data, []string{"plain"}) {
		t.Fatalf("Replay yielded %q before its error, want the plaintext record", data)
	}
}

// countingProvider is a KeyProvider around another that counts the data
// keys it makes and decrypts, and fails with fail while it is set. Unlike
// a KeyService it does not tell Services when keys change.
type countingProvider struct {
	kds.KeyProvider
	mu                   sync.Mutex
	generated, decrypted int
	fail                 error
	short                bool // return a data key of the wrong size
}

func (p *countingProvider) GenerateDataKey(c context.Context, keyID string) (kds.DataKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.generated++
	if p.fail != nil {
		return kds.DataKey{}, p.fail
	}
	dk, err := p.KeyProvider.GenerateDataKey(c, keyID)
	if p.short {
		dk.Plaintext = dk.Plaintext[:16]
	}
	return dk, err
}

func (p *countingProvider) Decrypt(c context.Context, keyARN string, encrypted []byte) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.decrypted++
	if p.fail != nil {
		return nil, p.fail
	}
	return p.KeyProvider.Decrypt(c, keyARN, encrypted)
}

func (p *countingProvider) counts() (int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.generated, p.decrypted
}

func (p *countingProvider) failWith(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = err
}

func TestStreamEncryptionWithAnotherProvider(t *testing.T) {
	clock := kds.NewManualClock(testStart)
	ks, err := kds.NewKeyService(testAccount, "us-east-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProvider{KeyProvider: ks}
	svc, err := kds.NewService(kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits), kds.WithKeyProvider(p))
	if err != nil {
		t.Fatal(err)
	}
	if svc.Keys() == ks {
		t.Fatal("Keys returns the provider given, not the Service's own KeyService")
	}
	efoStream(t, svc, "s", 1)
	key := ks.CreateKey()
	startEncryption(t, svc, "s", key.ARN)
	alice := kds.WithCaller(ctx, kds.Caller{Principal: "arn:aws:iam::000000000000:user/alice"})
	bob := kds.WithCaller(ctx, kds.Caller{Principal: "arn:aws:iam::000000000000:user/bob"})
	for range 3 {
		put(t, svc, "s", "k", "root")
	}
	if _, err := svc.PutRecord(alice, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("alice")}); err != nil {
		t.Fatal(err)
	}
	// One data key for StartStreamEncryption's check, one per principal
	// that puts. A reader has both decrypted, even the one it wrote
	// with; a third principal too, once for two reads.
	readStored(t, svc, ctx, "s")
	if g, d := p.counts(); g != 3 || d != 2 {
		t.Fatalf("after puts by two principals and a read by one: %d data keys made, %d decrypted; want 3, 2", g, d)
	}
	readStored(t, svc, bob, "s")
	readStored(t, svc, bob, "s")
	if g, d := p.counts(); g != 3 || d != 4 {
		t.Fatalf("after two reads by a third principal: %d data keys made, %d decrypted; want 3, 4", g, d)
	}
	// This provider does not tell the Service of key changes: a disabled
	// key is noticed when the data keys are due again.
	if err := ks.DisableKey(key.KeyID); err != nil {
		t.Fatal(err)
	}
	put(t, svc, "s", "k", "cached")
	clock.Advance(kds.DataKeyReusePeriod)
	_, err = svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")})
	wantErr(t, err, kds.ErrKMSDisabled, key.ARN+" is disabled.")
	wantReadsFail(t, svc, bob, "s", kds.ErrKMSDisabled, key.ARN+" is disabled.")
	if err := ks.EnableKey(key.KeyID); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		fail error
		code *kds.Error
		msg  string
	}{
		{&kds.Error{Code: "KMSThrottlingException", Message: "Rate exceeded"}, kds.ErrKMSThrottling, "Rate exceeded"},
		{&kds.Error{Code: "KMSOptInRequired", Message: "subscribe first"}, kds.ErrKMSOptInRequired, "subscribe first"},
		{errors.New("connection reset"), kds.ErrInternalFailure, "The key provider failed: connection reset"},
	} {
		clock.Advance(kds.DataKeyReusePeriod)
		p.failWith(tc.fail)
		_, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")})
		wantErr(t, err, tc.code, tc.msg)
		wantReadsFail(t, svc, bob, "s", tc.code, tc.msg)
	}
	if !kds.IsRetriable(&kds.Error{Code: "KMSThrottlingException"}) {
		t.Error("KMSThrottlingException is not retriable")
	}
	p.failWith(nil)
	p.short = true
	_, err = svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")})
	wantErr(t, err, kds.ErrInternalFailure, "The key provider failed: the key provider returned a malformed data key")
}

// TestStreamEncryptionKeyStaysInItsAccount: a resource policy may let a
// principal of another account read a stream, but not decrypt it: a KMS
// key without users serves its own account only, until the key names the
// outsider.
func TestStreamEncryptionKeyStaysInItsAccount(t *testing.T) {
	svc, ac, _ := guarded(t)
	createStream(t, svc, "s", 1)
	key := svc.Keys().CreateKey()
	startEncryption(t, svc, "s", key.KeyID)
	put(t, svc, "s", "k", "secret")
	attach(t, ac, outsider, allowAllDoc)
	putPolicy(t, svc, streamS, policy(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kinesis:GetShardIterator","kinesis:GetRecords"],"Resource":"`+streamS+`"}`))
	it, err := svc.GetShardIterator(as(outsider), kds.GetShardIteratorInput{StreamARN: streamS, ShardId: "shardId-000000000000", ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.GetRecords(as(outsider), kds.GetRecordsInput{ShardIterator: it.ShardIterator, StreamARN: streamS})
	wantErr(t, err, kds.ErrKMSAccessDenied, "User "+outsider+" is not authorized to decrypt records in stream s")
	_, err = svc.PutRecord(as(outsider), kds.PutRecordInput{StreamARN: streamS, PartitionKey: "k", Data: []byte("x")})
	wantDenied(t, err, "") // the resource policy does not allow puts

	if err := svc.Keys().SetKeyUsers(key.KeyID, ownerRoot, outsider); err != nil {
		t.Fatal(err)
	}
	out, err := svc.GetRecords(as(outsider), kds.GetRecordsInput{ShardIterator: it.ShardIterator, StreamARN: streamS})
	if err != nil || len(out.Records) != 1 || string(out.Records[0].Data) != "secret" {
		t.Fatalf("once named a user of the key, the outsider reads %v, %v", out.Records, err)
	}
}

// TestStreamEncryptionSharedKeyServiceKeepsAccounts: Services of two
// accounts sharing one KeyService each act as their own account's root
// when a call has no Caller, so the other account's keys, the AWS
// managed key included, are not theirs to use.
func TestStreamEncryptionSharedKeyServiceKeepsAccounts(t *testing.T) {
	ks, _ := newKeyService(t)
	key := ks.CreateKey()
	managed, _ := ks.Key(kds.AWSManagedKeyAlias)
	const otherAccount = "111122223333"
	svc, _ := newService(t, kds.WithAccountID(otherAccount), kds.WithKeyProvider(ks))
	createStream(t, svc, "s", 1)
	for _, tc := range []struct{ keyID, arn string }{{kds.AWSManagedKeyAlias, managed.ARN}, {key.ARN, key.ARN}} {
		_, err := svc.StartStreamEncryption(ctx, kds.StartStreamEncryptionInput{StreamName: "s", EncryptionType: kds.EncryptionKMS, KeyId: tc.keyID})
		wantErr(t, err, kds.ErrKMSAccessDenied, "User: "+otherRoot+" is not authorized to perform: kms:GenerateDataKey on resource: "+tc.arn)
	}
	if err := ks.SetKeyUsers(key.KeyID, otherRoot); err != nil {
		t.Fatal(err)
	}
	startEncryption(t, svc, "s", key.ARN)
	put(t, svc, "s", "k", "shared")
	if got := readStored(t, svc, ctx, "s"); len(got) != 1 || got[0].data != "shared" {
		t.Fatalf("read %v", got)
	}
}

// decryptRefused is a KeyProvider, as an adapter to AWS KMS might be,
// under which one principal may make data keys but not decrypt them.
type decryptRefused struct {
	kds.KeyProvider
	principal string
}

func (p decryptRefused) Decrypt(c context.Context, keyARN string, encrypted []byte) ([]byte, error) {
	if cl, _ := kds.CallerFrom(c); cl.Principal == p.principal {
		return nil, &kds.Error{Code: "KMSAccessDeniedException", Message: "not allowed kms:Decrypt"}
	}
	return p.KeyProvider.Decrypt(c, keyARN, encrypted)
}

// TestStreamEncryptionWriterNeedsDecryptToRead: a principal allowed to
// make data keys but not to decrypt them puts records it cannot read
// back, though the stream holds the data key it sealed them with.
func TestStreamEncryptionWriterNeedsDecryptToRead(t *testing.T) {
	ks, clock := newKeyService(t)
	svc, _ := newService(t, kds.WithClock(clock), kds.WithKeyProvider(decryptRefused{ks, alice}))
	createStream(t, svc, "s", 1)
	startEncryption(t, svc, "s", ks.CreateKey().KeyID)
	if _, err := svc.PutRecord(as(alice), kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("secret")}); err != nil {
		t.Fatal(err)
	}
	it := trimHorizon(t, svc, "s", "shardId-000000000000")
	out, err := svc.GetRecords(as(alice), kds.GetRecordsInput{ShardIterator: it})
	if err == nil {
		t.Fatalf("a writer without kms:Decrypt read back %d records", len(out.Records))
	}
	wantErr(t, err, kds.ErrKMSAccessDenied, "User "+alice+" is not authorized to decrypt records in stream s")
	if got := readStored(t, svc, as(bob), "s"); len(got) != 1 || got[0].data != "secret" {
		t.Fatalf("another principal read %v", got)
	}
}
