package kds

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tests of the metadata a store keeps: that every change is saved before
// its operation returns, and that a Service restored from what was saved
// answers as the original did.

// fakeStore is a store that keeps the metadata it is given as JSON, as a
// data directory would, and no records.
type fakeStore struct {
	mu      sync.Mutex
	service []byte
	streams map[uint64][]byte
	keys    []byte
	dropped []uint64
	err     error // when set, saves fail with it
}

func newFakeStore() *fakeStore { return &fakeStore{streams: map[uint64][]byte{}} }

// copy returns a store holding what f holds, as a directory copied
// while the Service that uses f is idle.
func (f *fakeStore) copy() *fakeStore {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &fakeStore{service: f.service, streams: maps.Clone(f.streams), keys: f.keys}
}

func (f *fakeStore) load() (*storedState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.service == nil && len(f.streams) == 0 && f.keys == nil {
		return nil, nil
	}
	var state storedState
	if f.service != nil {
		state.service = new(serviceMeta)
		if err := json.Unmarshal(f.service, state.service); err != nil {
			return nil, err
		}
	}
	if f.keys != nil {
		state.keys = new(keysMeta)
		if err := json.Unmarshal(f.keys, state.keys); err != nil {
			return nil, err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(f.streams)) {
		m := new(streamMeta)
		if err := json.Unmarshal(f.streams[id], m); err != nil {
			return nil, err
		}
		state.streams = append(state.streams, m)
	}
	return &state, nil
}

// save encodes m into *dst unless saves fail.
func (f *fakeStore) save(dst *[]byte, m any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	*dst = b
	return nil
}

func (f *fakeStore) saveService(m *serviceMeta) error { return f.save(&f.service, m) }
func (f *fakeStore) saveKeys(m *keysMeta) error       { return f.save(&f.keys, m) }

func (f *fakeStore) saveStream(m *streamMeta) error {
	var b []byte
	if err := f.save(&b, m); err != nil {
		return err
	}
	f.mu.Lock()
	f.streams[m.ID] = b
	f.mu.Unlock()
	return nil
}

func (f *fakeStore) dropStream(id uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.streams, id)
	f.dropped = append(f.dropped, id)
}

func (f *fakeStore) openShard(uint64, *shard) (shardLog, *shardRecovery, error) {
	return nil, nil, nil
}
func (f *fakeStore) failure() error             { return nil }
func (f *fakeStore) problems() []StorageProblem { return nil }
func (f *fakeStore) close() error               { return nil }

// smStart is when the Services of these tests start.
var smStart = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// smFixture is a Service on a fakeStore, and how it was made.
type smFixture struct {
	t     testing.TB
	opts  []Option
	clock *ManualClock
	st    *fakeStore
	svc   *Service
}

// newSMFixture returns a Service on a fresh fakeStore, with a ManualClock
// at smStart and no throughput limits unless opts set them.
func newSMFixture(t testing.TB, opts ...Option) *smFixture {
	t.Helper()
	f := &smFixture{t: t, opts: opts, clock: NewManualClock(smStart), st: newFakeStore()}
	f.svc = f.open(f.clock, f.st)
	return f
}

// open returns a Service of the fixture's options on clock and st.
func (f *smFixture) open(clock *ManualClock, st store) *Service {
	f.t.Helper()
	c, err := newConfig(append([]Option{WithClock(clock), WithThroughputLimits(NoLimits)}, f.opts...))
	if err != nil {
		f.t.Fatal(err)
	}
	svc, err := newServiceOn(c, st)
	if err != nil {
		f.t.Fatalf("newServiceOn: %v", err)
	}
	return svc
}

// reopen returns a Service restored from a copy of what the fixture's
// store holds, on its own ManualClock at the same instant.
func (f *smFixture) reopen() (*Service, *ManualClock) {
	f.t.Helper()
	clock := NewManualClock(f.clock.Now())
	return f.open(clock, f.st.copy()), clock
}

// smJSON returns v as JSON.
func smJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkSaved fails the test unless the store holds what the Service would
// save now: its own state, its keys and every stream it has, and no
// stream it has forgotten.
func (f *smFixture) checkSaved() {
	t, svc, st := f.t, f.svc, f.st
	t.Helper()
	svc.registerMu.Lock()
	want := smJSON(t, svc.serviceMetaLocked())
	svc.registerMu.Unlock()
	if got := string(st.service); got != want {
		t.Errorf("saved service metadata:\n got %s\nwant %s", got, want)
	}
	svc.keys.mu.Lock()
	want = smJSON(t, svc.keys.snapshotLocked())
	svc.keys.mu.Unlock()
	if got := string(st.keys); got != want {
		t.Errorf("saved keys:\n got %s\nwant %s", got, want)
	}
	svc.mu.RLock()
	streams := slices.Collect(maps.Values(svc.byID))
	svc.mu.RUnlock()
	ids := map[uint64]bool{}
	for _, s := range streams {
		ids[s.id] = true
		s.mu.Lock()
		want := smJSON(t, s.metaLocked())
		s.mu.Unlock()
		if got := string(st.streams[s.id]); got != want {
			t.Errorf("saved metadata of stream %s:\n got %s\nwant %s", s.name, got, want)
		}
	}
	for id := range st.streams {
		if !ids[id] {
			t.Errorf("the store still holds stream %d, which the Service has forgotten", id)
		}
	}
}

// smView is what a Service answers about its streams, for comparing a
// restored Service with its original.
type smView struct {
	Streams   ListStreamsOutput
	Limits    DescribeLimitsOutput
	PerStream map[string]smStreamView
}

type smStreamView struct {
	Describe       DescribeStreamOutput
	Summary        DescribeStreamSummaryOutput
	Shards         ListShardsOutput
	Latest         ListShardsOutput
	Tags           ListTagsForStreamOutput
	Consumers      ListStreamConsumersOutput
	Policy         GetResourcePolicyOutput
	ConsumerTags   map[string]ListTagsForResourceOutput
	ConsumerPolicy map[string]GetResourcePolicyOutput
}

// smErr is an operation's error as its text, for comparing.
func smErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// view collects what svc answers about every stream it lists.
func smViewOf(t testing.TB, svc *Service) smView {
	t.Helper()
	ctx := context.Background()
	var v smView
	var err error
	if v.Streams, err = svc.ListStreams(ctx, ListStreamsInput{}); err != nil {
		t.Fatalf("ListStreams: %v", err)
	}
	if v.Limits, err = svc.DescribeLimits(ctx, DescribeLimitsInput{}); err != nil {
		t.Fatalf("DescribeLimits: %v", err)
	}
	v.PerStream = map[string]smStreamView{}
	for _, name := range v.Streams.StreamNames {
		var sv smStreamView
		var errs [7]error
		arn := svc.streamARN(name)
		sv.Describe, errs[0] = svc.DescribeStream(ctx, DescribeStreamInput{StreamName: name})
		sv.Summary, errs[1] = svc.DescribeStreamSummary(ctx, DescribeStreamSummaryInput{StreamName: name})
		sv.Shards, errs[2] = svc.ListShards(ctx, ListShardsInput{StreamName: name})
		sv.Latest, errs[3] = svc.ListShards(ctx, ListShardsInput{StreamName: name, ShardFilter: ShardFilter{Type: ShardFilterAtLatest}})
		sv.Tags, errs[4] = svc.ListTagsForStream(ctx, ListTagsForStreamInput{StreamName: name})
		sv.Consumers, errs[5] = svc.ListStreamConsumers(ctx, ListStreamConsumersInput{StreamARN: arn})
		sv.Policy, errs[6] = svc.GetResourcePolicy(ctx, GetResourcePolicyInput{ResourceARN: arn})
		if err := errors.Join(errs[:]...); err != nil {
			t.Fatalf("stream %s: %v", name, err)
		}
		sv.ConsumerTags = map[string]ListTagsForResourceOutput{}
		sv.ConsumerPolicy = map[string]GetResourcePolicyOutput{}
		for _, c := range sv.Consumers.Consumers {
			tags, err1 := svc.ListTagsForResource(ctx, ListTagsForResourceInput{ResourceARN: c.ConsumerARN})
			policy, err2 := svc.GetResourcePolicy(ctx, GetResourcePolicyInput{ResourceARN: c.ConsumerARN})
			if err := errors.Join(err1, err2); err != nil {
				t.Fatalf("consumer %s: %v", c.ConsumerARN, err)
			}
			sv.ConsumerTags[c.ConsumerARN], sv.ConsumerPolicy[c.ConsumerARN] = tags, policy
		}
		v.PerStream[name] = sv
	}
	return v
}

// smTokens are tokens a Service issued, and what it answers to them.
type smTokens struct {
	iterators   map[string]string // shard iterator by "<stream>/<shard>"
	shardPages  map[string]string // ListShards NextToken by stream
	consumerPgs map[string]string // ListStreamConsumers NextToken by stream
	streamPage  string            // ListStreams NextToken
}

// smIssueTokens has svc issue an iterator for every shard it lists and
// the first NextToken of each paged listing.
func smIssueTokens(t testing.TB, svc *Service) smTokens {
	t.Helper()
	ctx := context.Background()
	tok := smTokens{iterators: map[string]string{}, shardPages: map[string]string{}, consumerPgs: map[string]string{}}
	streams, err := svc.ListStreams(ctx, ListStreamsInput{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	tok.streamPage = streams.NextToken
	all, _ := svc.ListStreams(ctx, ListStreamsInput{})
	for _, name := range all.StreamNames {
		if s, ok := svc.Stream(name); !ok || s.status(svc.clock.Now()) == StreamStatusCreating {
			continue
		}
		shards, err := svc.ListShards(ctx, ListShardsInput{StreamName: name, MaxResults: 1})
		if err != nil {
			t.Fatal(err)
		}
		tok.shardPages[name] = shards.NextToken
		consumers, err := svc.ListStreamConsumers(ctx, ListStreamConsumersInput{StreamARN: svc.streamARN(name), MaxResults: 1})
		if err != nil {
			t.Fatal(err)
		}
		tok.consumerPgs[name] = consumers.NextToken
		everyShard, _ := svc.ListShards(ctx, ListShardsInput{StreamName: name})
		for _, sh := range everyShard.Shards {
			it, err := svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: name, ShardId: sh.ShardId, ShardIteratorType: ShardIteratorTypeTrimHorizon})
			if err != nil {
				t.Fatalf("GetShardIterator(%s, %s): %v", name, sh.ShardId, err)
			}
			tok.iterators[name+"/"+sh.ShardId] = it.ShardIterator
		}
	}
	return tok
}

// smAnswer is what a Service answers to one token: the page a NextToken
// continues to (none for an iterator), or the error.
type smAnswer struct {
	Page, Err string
}

// smAnswers returns what svc answers to the tokens, by token.
func smAnswers(t testing.TB, svc *Service, tok smTokens) map[string]smAnswer {
	t.Helper()
	ctx := context.Background()
	out := map[string]smAnswer{}
	answer := func(key string, page any, err error) {
		out[key] = smAnswer{Page: smJSON(t, page), Err: smErr(err)}
	}
	for key, it := range tok.iterators {
		_, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it})
		answer("iterator "+key, nil, err)
	}
	for name, next := range tok.shardPages {
		if next != "" {
			page, err := svc.ListShards(ctx, ListShardsInput{NextToken: next})
			answer("shards "+name, page, err)
		}
	}
	for name, next := range tok.consumerPgs {
		if next != "" {
			page, err := svc.ListStreamConsumers(ctx, ListStreamConsumersInput{StreamARN: svc.streamARN(name), NextToken: next})
			answer("consumers "+name, page, err)
		}
	}
	if tok.streamPage != "" {
		page, err := svc.ListStreams(ctx, ListStreamsInput{NextToken: tok.streamPage})
		answer("streams", page, err)
	}
	return out
}

// checkRestored fails the test unless a Service restored from the store
// answers as the original does, takes the original's tokens, and after
// delay (the pending changes settled) still answers as the original.
func (f *smFixture) checkRestored(delay time.Duration) {
	t := f.t
	t.Helper()
	restored, clock := f.reopen()
	tok := smIssueTokens(t, f.svc)
	if got, want := smViewOf(t, restored), smViewOf(t, f.svc); !reflect.DeepEqual(got, want) {
		t.Errorf("restored Service answers\n%s\nthe original\n%s", smJSON(t, got), smJSON(t, want))
	}
	if got, want := smAnswers(t, restored, tok), smAnswers(t, f.svc, tok); !reflect.DeepEqual(got, want) {
		t.Errorf("restored Service answers the original's tokens with\n%v\nthe original with\n%v", got, want)
	}
	for key, a := range smAnswers(t, restored, tok) {
		if a.Err != "" {
			t.Errorf("%s of the original fails on the restored Service: %s", key, a.Err)
		}
	}
	if len(restored.restoreProblems) > 0 {
		t.Errorf("restore problems: %+v", restored.restoreProblems)
	}
	if delay == 0 {
		return
	}
	f.clock.Advance(delay)
	clock.Advance(delay)
	if got, want := smViewOf(t, restored), smViewOf(t, f.svc); !reflect.DeepEqual(got, want) {
		t.Errorf("after %v, restored Service answers\n%s\nthe original\n%s", delay, smJSON(t, got), smJSON(t, want))
	}
}

// smPolicy lets another account read the stream s of the default account.
const smPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kinesis:GetRecords","Resource":"*"}]}`

// Every change of a stream's or the Service's metadata is saved before
// its operation returns, and a Service restored from what was saved at
// the same instant answers every describe and list call as the original,
// takes its iterators and NextTokens, and after the status delay has the
// same shards and settings.
func TestStoreMetaSavedAndRestored(t *testing.T) {
	ctx := context.Background()
	s := "s"
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	type op func(f *smFixture) error
	register := func(f *smFixture, name string) string {
		out, err := f.svc.RegisterStreamConsumer(ctx, RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: name, Tags: map[string]string{"team": name}})
		if err != nil {
			f.t.Fatalf("RegisterStreamConsumer: %v", err)
		}
		return out.Consumer.ConsumerARN
	}
	consumer := func(f *smFixture) string { return register(f, "c1") }
	cases := []struct {
		name string
		op   op
	}{
		{"CreateStream", func(f *smFixture) error { return nil }},
		{"CreateStream/on-demand", func(f *smFixture) error {
			_, err := f.svc.CreateStream(ctx, CreateStreamInput{StreamName: "od", StreamModeDetails: StreamModeDetails{StreamMode: StreamModeOnDemand}, Tags: map[string]string{"a": "b"}, MaxRecordSizeInKiB: 2048})
			return err
		}},
		{"DeleteStream", func(f *smFixture) error {
			_, err := f.svc.DeleteStream(ctx, DeleteStreamInput{StreamName: s})
			return err
		}},
		{"DeleteStream/consumers", func(f *smFixture) error {
			consumer(f)
			_, err := f.svc.DeleteStream(ctx, DeleteStreamInput{StreamName: s, EnforceConsumerDeletion: true})
			return err
		}},
		{"SplitShard", func(f *smFixture) error {
			_, err := f.svc.SplitShard(ctx, SplitShardInput{StreamName: s, ShardToSplit: "shardId-000000000000", NewStartingHashKey: "1000"})
			return err
		}},
		{"MergeShards", func(f *smFixture) error {
			_, err := f.svc.MergeShards(ctx, MergeShardsInput{StreamName: s, ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000001"})
			return err
		}},
		{"UpdateShardCount", func(f *smFixture) error {
			_, err := f.svc.UpdateShardCount(ctx, UpdateShardCountInput{StreamName: s, TargetShardCount: 3, ScalingType: ScalingTypeUniformScaling})
			return err
		}},
		{"UpdateShardCount/same", func(f *smFixture) error {
			_, err := f.svc.UpdateShardCount(ctx, UpdateShardCountInput{StreamName: s, TargetShardCount: 2, ScalingType: ScalingTypeUniformScaling})
			return err
		}},
		{"IncreaseStreamRetentionPeriod", func(f *smFixture) error {
			_, err := f.svc.IncreaseStreamRetentionPeriod(ctx, IncreaseStreamRetentionPeriodInput{StreamName: s, RetentionPeriodHours: 48})
			return err
		}},
		{"DecreaseStreamRetentionPeriod", func(f *smFixture) error {
			if _, err := f.svc.IncreaseStreamRetentionPeriod(ctx, IncreaseStreamRetentionPeriodInput{StreamName: s, RetentionPeriodHours: 72}); err != nil {
				return err
			}
			f.settle()
			_, err := f.svc.DecreaseStreamRetentionPeriod(ctx, DecreaseStreamRetentionPeriodInput{StreamName: s, RetentionPeriodHours: 48})
			return err
		}},
		{"UpdateStreamMode", func(f *smFixture) error {
			_, err := f.svc.UpdateStreamMode(ctx, UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: StreamModeDetails{StreamMode: StreamModeOnDemand}})
			return err
		}},
		{"StartStreamEncryption", func(f *smFixture) error {
			_, err := f.svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: s, EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias})
			return err
		}},
		{"StopStreamEncryption", func(f *smFixture) error {
			if _, err := f.svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: s, EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias}); err != nil {
				return err
			}
			f.settle()
			_, err := f.svc.StopStreamEncryption(ctx, StopStreamEncryptionInput{StreamName: s, EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias})
			return err
		}},
		{"AddTagsToStream", func(f *smFixture) error {
			_, err := f.svc.AddTagsToStream(ctx, AddTagsToStreamInput{StreamName: s, Tags: map[string]string{"k": "v", "x": ""}})
			return err
		}},
		{"RemoveTagsFromStream", func(f *smFixture) error {
			if _, err := f.svc.AddTagsToStream(ctx, AddTagsToStreamInput{StreamName: s, Tags: map[string]string{"k": "v", "x": ""}}); err != nil {
				return err
			}
			_, err := f.svc.RemoveTagsFromStream(ctx, RemoveTagsFromStreamInput{StreamName: s, TagKeys: []string{"k"}})
			return err
		}},
		{"TagResource", func(f *smFixture) error {
			_, err := f.svc.TagResource(ctx, TagResourceInput{ResourceARN: consumer(f), Tags: map[string]string{"k": "v"}})
			return err
		}},
		{"UntagResource", func(f *smFixture) error {
			_, err := f.svc.UntagResource(ctx, UntagResourceInput{ResourceARN: consumer(f), TagKeys: []string{"team"}})
			return err
		}},
		{"PutResourcePolicy", func(f *smFixture) error {
			_, err1 := f.svc.PutResourcePolicy(ctx, PutResourcePolicyInput{ResourceARN: arn, Policy: smPolicy})
			_, err2 := f.svc.PutResourcePolicy(ctx, PutResourcePolicyInput{ResourceARN: consumer(f), Policy: smPolicy})
			return errors.Join(err1, err2)
		}},
		{"DeleteResourcePolicy", func(f *smFixture) error {
			if _, err := f.svc.PutResourcePolicy(ctx, PutResourcePolicyInput{ResourceARN: arn, Policy: smPolicy}); err != nil {
				return err
			}
			_, err := f.svc.DeleteResourcePolicy(ctx, DeleteResourcePolicyInput{ResourceARN: arn})
			return err
		}},
		{"EnableEnhancedMonitoring", func(f *smFixture) error {
			_, err := f.svc.EnableEnhancedMonitoring(ctx, EnableEnhancedMonitoringInput{StreamName: s, ShardLevelMetrics: []string{"IncomingBytes", "OutgoingRecords"}})
			return err
		}},
		{"DisableEnhancedMonitoring", func(f *smFixture) error {
			if _, err := f.svc.EnableEnhancedMonitoring(ctx, EnableEnhancedMonitoringInput{StreamName: s, ShardLevelMetrics: []string{"ALL"}}); err != nil {
				return err
			}
			_, err := f.svc.DisableEnhancedMonitoring(ctx, DisableEnhancedMonitoringInput{StreamName: s, ShardLevelMetrics: []string{"IncomingBytes"}})
			return err
		}},
		{"UpdateMaxRecordSize", func(f *smFixture) error {
			_, err := f.svc.UpdateMaxRecordSize(ctx, UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: 4096})
			return err
		}},
		{"RegisterStreamConsumer", func(f *smFixture) error {
			register(f, "c1")
			register(f, "c2")
			return nil
		}},
		{"DeregisterStreamConsumer", func(f *smFixture) error {
			c := consumer(f)
			register(f, "c2")
			f.settle()
			_, err := f.svc.DeregisterStreamConsumer(ctx, DeregisterStreamConsumerInput{ConsumerARN: c})
			return err
		}},
		{"SetThroughputLimits", func(f *smFixture) error {
			st, _ := f.svc.Stream(s)
			st.SetThroughputLimits(ThroughputLimits{WriteBytesPerSecond: 1000, ReadCallsPerSecond: 2, Window: time.Minute})
			return nil
		}},
		{"KeyService", func(f *smFixture) error {
			ks := f.svc.Keys()
			a, b := ks.CreateKey(), ks.CreateKey()
			_, err := ks.ScheduleKeyDeletion(b.KeyID, 7)
			return errors.Join(
				ks.CreateAlias("alias/orders", a.KeyID),
				ks.SetKeyUsers(a.KeyID, "arn:aws:iam::000000000000:role/writer"),
				ks.DisableKey(a.KeyID),
				err)
		}},
	}
	for _, delay := range []time.Duration{0, time.Second} {
		for _, tc := range cases {
			t.Run(tc.name+"/delay="+delay.String(), func(t *testing.T) {
				f := newSMFixture(t, WithStatusDelay(delay))
				if _, err := f.svc.CreateStream(ctx, CreateStreamInput{StreamName: s, ShardCount: 2, Tags: map[string]string{"env": "test"}}); err != nil {
					t.Fatal(err)
				}
				if tc.name != "CreateStream" {
					f.settle()
				}
				if err := tc.op(f); err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				f.checkSaved()
				f.checkRestored(delay)
				if tc.name == "KeyService" {
					f.checkKeysRestored()
				}
			})
		}
	}
}

// settle moves the fixture's clock past its status delays, and applies
// what was pending.
func (f *smFixture) settle() {
	f.clock.Advance(time.Hour)
	f.svc.DescribeLimits(context.Background(), DescribeLimitsInput{})
}

// checkKeysRestored fails the test unless a restored Service's own
// KeyService has the original's keys, and decrypts its data keys.
func (f *smFixture) checkKeysRestored() {
	t := f.t
	t.Helper()
	restored, _ := f.reopen()
	ctx := context.Background()
	dk, err := f.svc.Keys().GenerateDataKey(ctx, AWSManagedKeyAlias)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := restored.Keys().Decrypt(ctx, dk.KeyARN, dk.Encrypted)
	if err != nil || string(plain) != string(dk.Plaintext) {
		t.Errorf("restored KeyService decrypts a data key of the original to %x, %v", plain, err)
	}
	f.svc.keys.mu.Lock()
	want := smJSON(t, f.svc.keys.snapshotLocked())
	f.svc.keys.mu.Unlock()
	restored.keys.mu.Lock()
	got := smJSON(t, restored.keys.snapshotLocked())
	restored.keys.mu.Unlock()
	if got != want {
		t.Errorf("restored keys:\n got %s\nwant %s", got, want)
	}
}

// A change pending when the Service stops, and due by the time it is
// opened again, is applied by the restored Service as the original
// applies it.
func TestStoreMetaPendingDueAtRestore(t *testing.T) {
	ctx := context.Background()
	for _, op := range []func(svc *Service) error{
		func(svc *Service) error {
			_, err := svc.SplitShard(ctx, SplitShardInput{StreamName: "s", ShardToSplit: "1", NewStartingHashKey: "200000000000000000000000000000000000000"})
			return err
		},
		func(svc *Service) error {
			_, err := svc.MergeShards(ctx, MergeShardsInput{StreamName: "s", ShardToMerge: "1", AdjacentShardToMerge: "2"})
			return err
		},
		func(svc *Service) error {
			_, err := svc.UpdateShardCount(ctx, UpdateShardCountInput{StreamName: "s", TargetShardCount: 5, ScalingType: ScalingTypeUniformScaling})
			return err
		},
		func(svc *Service) error {
			_, err := svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: "s", EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias})
			return err
		},
	} {
		f := newSMFixture(t, WithStatusDelays(StatusDelays{Update: time.Minute}))
		if _, err := f.svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 3}); err != nil {
			t.Fatal(err)
		}
		if err := op(f.svc); err != nil {
			t.Fatal(err)
		}
		st := f.st.copy()
		f.clock.Advance(2 * time.Minute)
		restored := f.open(NewManualClock(f.clock.Now()), st)
		if got, want := smViewOf(t, restored), smViewOf(t, f.svc); !reflect.DeepEqual(got, want) {
			t.Errorf("restored after the due time, the Service answers\n%s\nthe original\n%s", smJSON(t, got), smJSON(t, want))
		}
		f.checkSaved()
	}
}

// An on-demand stream's daily peaks are saved when a put ends a minute,
// so that a restored stream scales as the original does.
func TestStoreMetaDemandPeaksSaved(t *testing.T) {
	ctx := context.Background()
	f := newSMFixture(t)
	if _, err := f.svc.CreateStream(ctx, CreateStreamInput{StreamName: "od", StreamModeDetails: StreamModeDetails{StreamMode: StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	s, _ := f.svc.Stream("od")
	data := make([]byte, 100<<10)
	for range 2 {
		for i := range 100 {
			if _, err := s.Put(ctx, "k"+itoa(i), data); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(time.Minute)
	}
	if _, err := s.Put(ctx, "k", data); err != nil {
		t.Fatal(err)
	}
	f.checkSaved()
	m := new(streamMeta)
	if err := json.Unmarshal(f.st.streams[s.id], m); err != nil || len(m.Demand.Peaks) == 0 {
		t.Fatalf("saved demand %+v (%v), want the day's peak", m.Demand, err)
	}
	restored, _ := f.reopen()
	rs, _ := restored.Stream("od")
	if got, want := rs.demand.target(f.clock.Now(), NoLimits), s.demand.target(f.clock.Now(), NoLimits); got != want {
		t.Errorf("restored stream scales to %d shards, the original to %d", got, want)
	}
}

// When the store cannot save, the operation fails with
// InternalFailureException: a new stream or consumer is not there, and a
// reshard still leaves every hash key routed to an open shard.
func TestStoreMetaSaveFails(t *testing.T) {
	ctx := context.Background()
	f := newSMFixture(t)
	if _, err := f.svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 2}); err != nil {
		t.Fatal(err)
	}
	f.st.err = errors.New("disk full")
	internal := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrInternalFailure) {
			t.Errorf("%s with a failing store: %v, want InternalFailureException", what, err)
		}
	}
	_, err := f.svc.CreateStream(ctx, CreateStreamInput{StreamName: "new", ShardCount: 1})
	internal("CreateStream", err)
	if _, ok := f.svc.Stream("new"); ok {
		t.Error("a stream that could not be saved was created")
	}
	_, err = f.svc.RegisterStreamConsumer(ctx, RegisterStreamConsumerInput{StreamARN: f.svc.streamARN("s"), ConsumerName: "c"})
	internal("RegisterStreamConsumer", err)
	_, err = f.svc.AddTagsToStream(ctx, AddTagsToStreamInput{StreamName: "s", Tags: map[string]string{"k": "v"}})
	internal("AddTagsToStream", err)
	_, err = f.svc.SplitShard(ctx, SplitShardInput{StreamName: "s", ShardToSplit: "0", NewStartingHashKey: "1000"})
	internal("SplitShard", err)
	_, err = f.svc.Keys().ScheduleKeyDeletion(f.svc.Keys().CreateKey().KeyID, 7)
	internal("ScheduleKeyDeletion", err)
	s, _ := f.svc.Stream("s")
	_, err = f.svc.DeleteStream(ctx, DeleteStreamInput{StreamName: "s"})
	internal("DeleteStream", err)
	if len(f.st.dropped) > 0 {
		t.Errorf("a stream whose deletion could not be saved was dropped from the store")
	}
	for _, sh := range s.routes.Load().shards {
		if sh.closure.Load() != nil {
			t.Errorf("shard %s is closed but still routed to", sh.id)
		}
	}
	if n := s.openShardCount(); n != 3 {
		t.Errorf("after the split, %d open shards, want 3", n)
	}
}

// Restoring leaves out, and reports, a stream whose metadata does not
// describe a working stream; drops from the store a stream whose deletion
// has completed; and refuses a directory of another account or region.
func TestStoreMetaRestoreChecks(t *testing.T) {
	ctx := context.Background()
	f := newSMFixture(t, WithStatusDelays(StatusDelays{Delete: time.Minute}))
	for _, name := range []string{"good", "damaged", "deleted"} {
		if _, err := f.svc.CreateStream(ctx, CreateStreamInput{StreamName: name, ShardCount: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.DeleteStream(ctx, DeleteStreamInput{StreamName: "deleted"}); err != nil {
		t.Fatal(err)
	}
	st := f.st.copy()
	damaged, _ := f.svc.Stream("damaged")
	damaged.mu.Lock()
	m := damaged.metaLocked()
	damaged.mu.Unlock()
	m.Shards[1].StartingHashKey = "5" // overlaps shard 0
	st.saveStream(m)
	f.clock.Advance(time.Hour)
	restored := f.open(NewManualClock(f.clock.Now()), st)
	names := slices.Collect(maps.Keys(restored.streams))
	if !reflect.DeepEqual(names, []string{"good"}) {
		t.Errorf("restored streams %v, want [good]", names)
	}
	if p := restored.restoreProblems; len(p) != 1 || p[0].Kind != "damaged-metadata" || p[0].Stream != "damaged" {
		t.Errorf("restore problems %+v, want damaged-metadata of stream damaged", p)
	}
	if want := []uint64{3}; !reflect.DeepEqual(st.dropped, want) {
		t.Errorf("dropped streams %v, want %v", st.dropped, want)
	}
	if restored.lastID != 3 {
		t.Errorf("restored lastID %d, want 3", restored.lastID)
	}
	if _, err := restored.CreateStream(ctx, CreateStreamInput{StreamName: "next", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	if s, _ := restored.Stream("next"); s.id != 4 {
		t.Errorf("a stream created after the restore has ID %d, want 4", s.id)
	}

	for _, opt := range []Option{WithAccountID("123456789012"), WithRegion("eu-west-1")} {
		c, _ := newConfig([]Option{opt})
		_, err := newServiceOn(c, f.st.copy())
		if err == nil || !strings.Contains(err.Error(), "000000000000") || !strings.Contains(err.Error(), c.accountID) || !strings.Contains(err.Error(), c.region) {
			t.Errorf("opening another account's or region's directory: %v", err)
		}
	}
}

// NewStream's open-or-create opens the stream a directory holds as it
// was, whatever shard count it is asked for, and creates one otherwise.
func TestStoreMetaOpenOrCreate(t *testing.T) {
	f := newSMFixture(t)
	s, err := f.svc.openOrCreate("s", 3)
	if err != nil || s.openShardCount() != 3 {
		t.Fatalf("openOrCreate on an empty store: %v, %v", s, err)
	}
	restored, _ := f.reopen()
	again, err := restored.openOrCreate("s", 1)
	if err != nil || again.openShardCount() != 3 || again.id != s.id {
		t.Errorf("openOrCreate of a saved stream: %d shards, ID %d, %v; want 3 shards, ID %d", again.openShardCount(), again.id, err, s.id)
	}
}

// Metadata operations, puts and reshards running at once neither
// deadlock nor race, and leave the store holding what the Service would
// save.
func TestStoreMetaConcurrentChanges(t *testing.T) {
	ctx := context.Background()
	f := newSMFixture(t)
	for _, name := range []string{"a", "b"} {
		if _, err := f.svc.CreateStream(ctx, CreateStreamInput{StreamName: name, ShardCount: 2}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			name := []string{"a", "b"}[g%2]
			arn := f.svc.streamARN(name)
			for i := range 20 {
				f.svc.CreateStream(ctx, CreateStreamInput{StreamName: "tmp" + itoa(g), ShardCount: 1})
				f.svc.DeleteStream(ctx, DeleteStreamInput{StreamName: "tmp" + itoa(g), EnforceConsumerDeletion: true})
				f.svc.RegisterStreamConsumer(ctx, RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: "c" + itoa(i%3)})
				f.svc.DeregisterStreamConsumer(ctx, DeregisterStreamConsumerInput{StreamARN: arn, ConsumerName: "c" + itoa((i+1)%3)})
				f.svc.UpdateShardCount(ctx, UpdateShardCountInput{StreamName: name, TargetShardCount: 2 + i%2, ScalingType: ScalingTypeUniformScaling})
				f.svc.AddTagsToStream(ctx, AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"i": itoa(i)}})
				f.svc.PutRecord(ctx, PutRecordInput{StreamName: name, PartitionKey: itoa(i), Data: []byte("x")})
				f.svc.DescribeLimits(ctx, DescribeLimitsInput{})
			}
		})
	}
	wg.Wait()
	f.checkSaved()
	f.checkRestored(0)
}

// FuzzStreamMeta feeds arbitrary JSON to the restore of a stream: it must
// never panic, and a stream it accepts must work: shards indexed 0 to
// n-1, parents before children, the open shards routing every hash key
// exactly once, a pending change that applies, and metadata that
// restores to itself.
func FuzzStreamMeta(f *testing.F) {
	ctx := context.Background()
	seed := newSMFixture(f, WithStatusDelays(StatusDelays{Update: time.Minute}))
	svc := seed.svc
	svc.CreateStream(ctx, CreateStreamInput{StreamName: "a", ShardCount: 3, Tags: map[string]string{"k": "v"}})
	svc.CreateStream(ctx, CreateStreamInput{StreamName: "b", ShardCount: 4, StreamModeDetails: StreamModeDetails{StreamMode: StreamModeOnDemand}})
	svc.CreateStream(ctx, CreateStreamInput{StreamName: "c", ShardCount: 2})
	svc.SplitShard(ctx, SplitShardInput{StreamName: "a", ShardToSplit: "0", NewStartingHashKey: "1000"})
	seed.settle()
	svc.MergeShards(ctx, MergeShardsInput{StreamName: "a", ShardToMerge: "3", AdjacentShardToMerge: "4"})
	seed.settle()
	svc.UpdateShardCount(ctx, UpdateShardCountInput{StreamName: "a", TargetShardCount: 5, ScalingType: ScalingTypeUniformScaling})
	svc.RegisterStreamConsumer(ctx, RegisterStreamConsumerInput{StreamARN: svc.streamARN("c"), ConsumerName: "reader", Tags: map[string]string{"t": "1"}})
	svc.PutResourcePolicy(ctx, PutResourcePolicyInput{ResourceARN: svc.streamARN("c"), Policy: smPolicy})
	svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: "c", EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias})
	for _, b := range seed.st.copy().streams {
		f.Add(b)
	}
	f.Add([]byte(`{"format":1,"id":1,"name":"x","mode":"PROVISIONED","retentionHours":24,"maxRecordKiB":1024,"shards":[{"index":0,"startingHashKey":"0","endingHashKey":"340282366920938463463374607431768211455"}],"pending":{"kind":"scale","target":2}}`))

	c, _ := newConfig([]Option{WithClock(NewManualClock(smStart))})
	host, err := newServiceOn(c, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(streamMeta)
		if json.Unmarshal(b, m) != nil {
			return
		}
		s, err := host.restoreStream(m, smStart)
		if err != nil {
			return
		}
		smCheckStream(t, s)
		s.mu.Lock()
		saved := smJSON(t, s.metaLocked())
		s.mu.Unlock()
		again := new(streamMeta)
		if err := json.Unmarshal([]byte(saved), again); err != nil {
			t.Fatal(err)
		}
		s2, err := host.restoreStream(again, smStart)
		if err != nil {
			t.Fatalf("the metadata of a restored stream does not restore: %v\n%s", err, saved)
		}
		s2.mu.Lock()
		if got := smJSON(t, s2.metaLocked()); got != saved {
			t.Fatalf("metadata restores to\n%s\nnot\n%s", got, saved)
		}
		s2.mu.Unlock()
		if p := s.pending.Load(); p != nil {
			s.settle(p.due)
			smCheckStream(t, s)
		}
	})
}

// smCheckStream fails the test unless s's shards are indexed 0 to n-1,
// list only earlier shards as parents (which are closed and list them as
// children), and its route table holds exactly the open shards, covering
// the hash key space once.
func smCheckStream(t *testing.T, s *Stream) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i, sh := range s.shards {
		if sh.index != uint32(i) {
			t.Fatalf("shard %d has index %d", i, sh.index)
		}
		for _, p := range sh.parents {
			c := p.closure.Load()
			if p.index >= sh.index || c == nil || !slices.Contains(c.children, sh) {
				t.Fatalf("shard %d has the parent %d, closed %v", i, p.index, c != nil)
			}
		}
	}
	routes := s.routes.Load().shards
	open := 0
	for _, sh := range s.shards {
		if sh.closure.Load() == nil {
			open++
		}
	}
	next := HashKey{}
	for i, sh := range routes {
		if sh.closure.Load() != nil || sh.hashRange.StartingHashKey != next {
			t.Fatalf("routed shard %s (closed %v) starts at %s, not %s", sh.id, sh.closure.Load() != nil, sh.hashRange.StartingHashKey, next)
		}
		if i == len(routes)-1 {
			if sh.hashRange.EndingHashKey != MaxHashKey {
				t.Fatalf("the last routed shard ends at %s", sh.hashRange.EndingHashKey)
			}
		} else {
			next = sh.hashRange.EndingHashKey.addUint64(1)
		}
	}
	if len(routes) != open {
		t.Fatalf("%d shards routed, %d open", len(routes), open)
	}
}
