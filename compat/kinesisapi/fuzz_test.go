package kinesisapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/kdsgo/kds"
)

// FuzzOperations sends arbitrary bodies to every operation, in JSON and in
// CBOR, and checks the handler's contract: it never panics, answers 200 or
// a 400 whose body names a Kinesis exception, and never fails with a 500
// (which would mean a bad input reached a code path that cannot handle it).
// SubscribeToShard is left out: a valid subscription holds its response
// open for five minutes.
func FuzzOperations(f *testing.F) {
	names := make([]string, 0, len(operations))
	for name := range operations {
		if name != "SubscribeToShard" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	seeds := []string{
		`{}`, `{"StreamName":"s"}`, `{"StreamName":"s","ShardCount":2}`,
		`{"StreamName":"s","PartitionKey":"k","Data":"aGk="}`,
		`{"StreamName":"s","Records":[{"PartitionKey":"k","Data":"aGk="}]}`,
		`{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`,
		`{"StreamName":"s","Limit":0}`, `{"StreamName":7}`, `{"StreamName":"s","Tags":{"a":"b"}}`,
		`{"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"1"}`,
		`{"ShardIterator":"AAAA"}`, `[`, `null`, `{"Data":"!!!!"}`,
	}
	for i := range names {
		for _, s := range seeds {
			f.Add(uint8(i), []byte(s), false)
		}
		f.Add(uint8(i), []byte{0xbf, 0x6a, 'S', 't', 'r', 'e', 'a', 'm', 'N', 'a', 'm', 'e', 0x61, 's', 0xff}, true)
	}
	svc, err := kds.NewService(kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := svc.CreateStream(f.Context(), kds.CreateStreamInput{StreamName: "s", ShardCount: 2}); err != nil {
		f.Fatal(err)
	}
	h := NewHandler(svc)
	f.Fuzz(func(t *testing.T, op uint8, body []byte, useCBOR bool) {
		name := names[int(op)%len(names)]
		ct := contentTypeJSON11
		if useCBOR {
			ct = contentTypeCBOR
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-Amz-Target", targetPrefix+name)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/kinesis/aws4_request")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			return
		case http.StatusBadRequest:
		default:
			t.Fatalf("%s %q answered %d: %s", name, body, rec.Code, rec.Body.Bytes())
		}
		var e map[string]any
		var err error
		if useCBOR {
			err = cbor.Unmarshal(rec.Body.Bytes(), &e)
		} else {
			err = json.Unmarshal(rec.Body.Bytes(), &e)
		}
		if err != nil {
			t.Fatalf("%s %q: the error body does not decode: %v", name, body, err)
		}
		typ, _ := e["__type"].(string)
		if !strings.HasSuffix(typ, "Exception") {
			t.Fatalf("%s %q: error body %v names no exception", name, body, e)
		}
	})
}
