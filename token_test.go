package kds

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
)

// FuzzGetRecordsIterator feeds arbitrary iterator strings to GetRecords:
// none may panic or be accepted, and each must be rejected with Kinesis's
// error for a bad iterator (or a validation error for an empty or
// oversized one).
func FuzzGetRecordsIterator(f *testing.F) {
	svc, it := fuzzService(f)
	f.Add(it)
	f.Add("")
	f.Add("AAAAAAAAAAE=")
	f.Add(it[:len(it)-4])
	f.Add(it + "AAAA")
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, 96)))
	f.Fuzz(func(t *testing.T, tok string) {
		_, err := svc.GetRecords(context.Background(), GetRecordsInput{ShardIterator: tok})
		if tok == it {
			if err != nil {
				t.Fatalf("the genuine iterator was rejected: %v", err)
			}
			return
		}
		if !errors.Is(err, ErrInvalidArgument) && !errors.Is(err, ErrValidation) {
			t.Fatalf("GetRecords(%q) = %v, want InvalidArgumentException or ValidationException", tok, err)
		}
	})
}

// FuzzIteratorTamper flips bits of a genuine iterator's bytes: every
// altered token must be refused as "Invalid ShardIterator.".
func FuzzIteratorTamper(f *testing.F) {
	svc, it := fuzzService(f)
	raw, err := base64.StdEncoding.DecodeString(it)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint(0), byte(1))
	f.Add(uint(8), byte(0x80))
	f.Add(uint(len(raw)-1), byte(1))
	f.Fuzz(func(t *testing.T, pos uint, flip byte) {
		if flip == 0 {
			return
		}
		b := append([]byte(nil), raw...)
		b[pos%uint(len(b))] ^= flip
		_, err := svc.GetRecords(context.Background(), GetRecordsInput{ShardIterator: base64.StdEncoding.EncodeToString(b)})
		var e *Error
		if !errors.As(err, &e) || e.Code != codeInvalidArgument || e.Message != "Invalid ShardIterator." {
			t.Fatalf("tampered iterator (byte %d ^ %#x) gave %v", pos%uint(len(b)), flip, err)
		}
	})
}

// fuzzService returns a Service with one record in stream "s" and a
// genuine TRIM_HORIZON iterator for its shard.
func fuzzService(f *testing.F) (*Service, string) {
	ctx := context.Background()
	svc, err := NewService()
	if err != nil {
		f.Fatal(err)
	}
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		f.Fatal(err)
	}
	if _, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("v")}); err != nil {
		f.Fatal(err)
	}
	out, err := svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: "s", ShardId: "0", ShardIteratorType: ShardIteratorTypeTrimHorizon})
	if err != nil {
		f.Fatal(err)
	}
	return svc, out.ShardIterator
}
