package kds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
	"unsafe"
)

// storedArenas returns the used part of every arena of a stream's
// shards, sealed and open, and how many segments are sealed.
func storedArenas(s *Stream) (arenas [][]byte, sealed int) {
	for _, sh := range s.allShards() {
		v := sh.snapshot()
		v.sealed.Ascend(func(r segmentRef) bool {
			g := r.seg.mem
			arenas = append(arenas, g.arena[:g.used])
			return true
		})
		arenas = append(arenas, v.tail.arena[:v.tail.used])
		sealed += v.sealed.Len()
	}
	return arenas, sealed
}

// putDistinctive puts n records whose keys and payloads appear nowhere
// else, by PutRecord, PutRecords and Stream.Put in turn, and returns them.
func putDistinctive(t *testing.T, s *Stream, n int) (keys, payloads [][]byte) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("partition-%06d-plugh", i)
		data := fmt.Appendf(nil, "payload %06d of xyzzy, confidential", i)
		var err error
		switch i % 3 {
		case 0:
			_, err = s.svc.PutRecord(ctx, PutRecordInput{StreamName: s.name, PartitionKey: key, Data: data})
		case 1:
			_, err = s.svc.PutRecords(ctx, PutRecordsInput{StreamName: s.name, Records: []PutRecordsRequestEntry{{PartitionKey: key, Data: data}}})
		default:
			_, err = s.Put(ctx, key, data)
		}
		if err != nil {
			t.Fatal(err)
		}
		keys, payloads = append(keys, []byte(key)), append(payloads, data)
	}
	return keys, payloads
}

// TestEncryptedArenasHoldNoPlaintext scans the memory where records are
// stored: an encrypted stream's arenas hold neither the payload nor the
// partition key of any record, while an unencrypted stream's hold both of
// every record (so the scan does find plaintext where there is some).
func TestEncryptedArenasHoldNoPlaintext(t *testing.T) {
	svc, err := NewService(WithThroughputLimits(NoLimits))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{"plain", "secret"} {
		if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: name, ShardCount: 3}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: "secret", EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias}); err != nil {
		t.Fatal(err)
	}
	const n = 1500 // enough to fill and seal several segments per shard
	for _, name := range []string{"plain", "secret"} {
		s, _ := svc.Stream(name)
		keys, payloads := putDistinctive(t, s, n)
		arenas, sealed := storedArenas(s)
		if sealed < 6 {
			t.Fatalf("%s: only %d sealed segments; the scan should cover sealed ones too", name, sealed)
		}
		found := 0
		for i := range n {
			for _, arena := range arenas {
				if bytes.Contains(arena, payloads[i]) || bytes.Contains(arena, keys[i]) {
					found++
					break
				}
			}
		}
		switch {
		case name == "plain" && found != n:
			t.Fatalf("the unencrypted stream's arenas hold %d of %d records; the scan is broken", found, n)
		case name == "secret" && found != 0:
			t.Fatalf("the encrypted stream's arenas hold the plaintext of %d of %d records", found, n)
		}
		var got [][]byte
		for r, err := range s.Replay(ctx, TrimHorizon()) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, r.Data)
		}
		if len(got) != n {
			t.Fatalf("%s: replayed %d records, want %d", name, len(got), n)
		}
		for _, p := range payloads {
			if !slices.ContainsFunc(got, func(d []byte) bool { return bytes.Equal(d, p) }) {
				t.Fatalf("%s: %q did not come back", name, p)
			}
		}
	}
}

// TestRecordHeaderDidNotGrow: what marks a record sealed fits in the
// header's padding, so unencrypted streams store records as compactly as
// before.
func TestRecordHeaderDidNotGrow(t *testing.T) {
	if size := unsafe.Sizeof(recordHeader{}); size != 24 {
		t.Fatalf("a record header takes %d bytes, want 24", size)
	}
}

// TestSealedRecordsDetectTampering changes one stored byte of a sealed
// record: reading it fails instead of returning altered data.
func TestSealedRecordsDetectTampering(t *testing.T) {
	s, err := NewStream("s")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: "s", EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "k", []byte("pay me 100")); err != nil {
		t.Fatal(err)
	}
	tail := s.allShards()[0].snapshot().tail
	tail.arena[tail.headers[0].off+3] ^= 0x01
	for _, err := range s.Replay(ctx, TrimHorizon()) {
		if !errors.Is(err, ErrInternalFailure) || err.(*Error).Message != "A stored record of stream s failed its integrity check." {
			t.Fatalf("reading a tampered record: %v", err)
		}
		return
	}
	t.Fatal("Replay yielded nothing")
}

// TestEncryptionCallsNameTheKey: hooks (access control, the audit trail)
// see Start- and StopStreamEncryption act on the stream and on the KMS
// key, by its key ARN however the request names it.
func TestEncryptionCallsNameTheKey(t *testing.T) {
	h := &recordingHook{}
	svc, err := NewService(WithClock(NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))))
	if err != nil {
		t.Fatal(err)
	}
	svc.cfg.hooks = []callHook{h}
	ctx := context.Background()
	key := svc.Keys().CreateKey()
	if err := svc.Keys().CreateAlias("alias/orders", key.KeyID); err != nil {
		t.Fatal(err)
	}
	managed, _ := svc.Keys().Key(AWSManagedKeyAlias)
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	stream := "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	for _, keyID := range []string{"alias/orders", AWSManagedKeyAlias, "alias/none", "11111111-2222-4333-8444-555555555555"} {
		svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: "s", EncryptionType: EncryptionKMS, KeyId: keyID})
	}
	svc.StopStreamEncryption(ctx, StopStreamEncryptionInput{StreamARN: stream, EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias})
	want := []string{
		"CreateStream  " + stream + " -> ok",
		"StartStreamEncryption  " + stream + " " + key.ARN + " -> ok",
		"StartStreamEncryption  " + stream + " " + managed.ARN + " -> ok",
		"StartStreamEncryption  " + stream + " arn:aws:kms:us-east-1:000000000000:alias/none -> error",
		"StartStreamEncryption  " + stream + " arn:aws:kms:us-east-1:000000000000:key/11111111-2222-4333-8444-555555555555 -> error",
		"StopStreamEncryption  " + stream + " " + managed.ARN + " -> ok",
	}
	if !slices.Equal(h.seen, want) {
		t.Fatalf("hooks saw\n%q\nwant\n%q", h.seen, want)
	}
}

// cached returns how many writer and reader data keys s holds in
// plaintext.
func cached(s *Stream) (writers, readers int) {
	s.keyCache.mu.Lock()
	defer s.keyCache.mu.Unlock()
	return len(s.keyCache.writers), len(s.keyCache.readers)
}

// silentProvider passes calls to the KeyProvider it wraps but does not
// count key changes.
type silentProvider struct{ KeyProvider }

// TestDataKeyCacheForgetsUnusableKeys: a stream holds data keys in
// plaintext only while they may be used without the key provider. A
// change to the provider's keys drops them all at the next put or read;
// without word of changes, each miss drops those past
// DataKeyReusePeriod; and TrimExpired drops them with no put or read at
// all.
func TestDataKeyCacheForgetsUnusableKeys(t *testing.T) {
	for _, tc := range []string{"key change", "expiry on a miss", "TrimExpired"} {
		t.Run(tc, func(t *testing.T) {
			clock := NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
			ks, _ := NewKeyService("000000000000", "us-east-1", clock)
			var kp KeyProvider = ks
			if tc != "key change" {
				kp = silentProvider{ks}
			}
			svc, err := NewService(WithClock(clock), WithThroughputLimits(NoLimits), WithKeyProvider(kp))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
				t.Fatal(err)
			}
			key := ks.CreateKey()
			if _, err := svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: "s", EncryptionType: EncryptionKMS, KeyId: key.KeyID}); err != nil {
				t.Fatal(err)
			}
			s, _ := svc.Stream("s")
			as := func(i int) context.Context {
				return WithCaller(ctx, Caller{Principal: fmt.Sprintf("arn:aws:iam::000000000000:user/u%d", i)})
			}
			for i := range 10 {
				if _, err := s.Put(as(i), "k", []byte("secret")); err != nil {
					t.Fatal(err)
				}
			}
			for _, err := range s.Replay(ctx, TrimHorizon()) {
				if err != nil {
					t.Fatal(err)
				}
			}
			if w, r := cached(s); w != 10 || r != 10 {
				t.Fatalf("after 10 writers and a reader of their records: %d writer and %d reader keys cached, want 10 and 10", w, r)
			}
			wantW, wantR := 0, 0
			switch tc {
			case "key change":
				if _, err := ks.ScheduleKeyDeletion(key.KeyID, 7); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Put(ctx, "k", []byte("refused")); !errors.Is(err, ErrKMSInvalidState) {
					t.Fatalf("a put under a key pending deletion: %v", err)
				}
			case "expiry on a miss":
				clock.Advance(DataKeyReusePeriod)
				if _, err := s.Put(as(0), "k", []byte("again")); err != nil {
					t.Fatal(err)
				}
				wantW = 1 // the new writer's key
			case "TrimExpired":
				clock.Advance(DataKeyReusePeriod)
				svc.TrimExpired()
			}
			if w, r := cached(s); w != wantW || r != wantR {
				t.Fatalf("%d writer and %d reader keys still cached, want %d and %d", w, r, wantW, wantR)
			}
		})
	}
}

// TestSealedRecordsBindTheKeyDataSplit moves the boundary between a
// sealed record's partition key and data in its header, leaving the
// stored bytes alone: reading it fails instead of returning another key
// and payload.
func TestSealedRecordsBindTheKeyDataSplit(t *testing.T) {
	for _, shift := range []int{1, -1} {
		s, err := NewStream("s")
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := s.svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: "s", EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, "acct-1", []byte("2pay 100")); err != nil {
			t.Fatal(err)
		}
		h := &s.allShards()[0].snapshot().tail.headers[0]
		h.keyLen = uint16(int(h.keyLen) + shift)
		h.dataLen = uint32(int(h.dataLen) - shift)
		for r, err := range s.Replay(ctx, TrimHorizon()) {
			if !errors.Is(err, ErrInternalFailure) {
				t.Errorf("key length moved by %d: read key %q, data %q, %v; want the integrity error", shift, r.PartitionKey, r.Data, err)
			}
			break
		}
	}
}
