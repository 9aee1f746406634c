package kinesisapi

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzPutRecordsFastDecode checks the fast PutRecords decoder against
// encoding/json: wherever the fast path accepts a body, encoding/json must
// accept it too and decode the same input.
func FuzzPutRecordsFastDecode(f *testing.F) {
	for _, s := range []string{
		`{"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"}]}`,
		` { "Records" : [ { "PartitionKey" : "k" , "Data" : "" , "ExplicitHashKey" : "1" } , {"Data":"AAAA","PartitionKey":"é"} ] , "StreamARN" : "arn" } `,
		`{"StreamName":"s","Records":[]}`, `{}`, `{"Records":null}`, `{"StreamName":"a\"b"}`,
		`{"Records":[{"Data":"aGk"}]}`, `{"Records":[{"Data":"a!k="}]}`, `{"StreamName":1}`,
		`{"StreamName":"s","StreamName":"t"}`, `{"Records":[{"Data":"aGk=","Data":"AA=="}]}`,
		`{"Records":[{"Extra":1}]}`, `{"Records":[{"Data":"AA==","PartitionKey":"k","ExplicitHashKey":"5"}],"Records":[{"Data":"AQ=="}]}`, "{\"StreamName\":\"\xff\"}", `{"StreamName":"s"} x`, `[`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast putRecordsInput
		if !fast.decodeJSONFast(body) {
			return
		}
		var std putRecordsInput
		if err := json.Unmarshal(body, &std); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json refused it: %v", body, err)
		}
		if !reflect.DeepEqual(normalize(fast), normalize(std)) {
			t.Fatalf("%q: fast path decoded %+v, encoding/json %+v", body, fast, std)
		}
	})
}

// normalize makes empty Data slices comparable: the fast path and
// encoding/json may give an empty slice with different capacities.
func normalize(in putRecordsInput) putRecordsInput {
	for i := range in.Records {
		if in.Records[i].Data != nil && len(in.Records[i].Data) == 0 {
			in.Records[i].Data = blob{}
		}
	}
	if in.Records != nil && len(in.Records) == 0 {
		in.Records = []putRecordsRequestEntry{}
	}
	return in
}

func TestPutRecordsFastDecodeFallsBack(t *testing.T) {
	for _, body := range []string{`{"StreamName":"a\"b","Records":[]}`, `{"Records":[{"Data":"aGk"}]}`, `{"Records":null}`, `{"Other":1}`} {
		var in putRecordsInput
		if in.decodeJSONFast([]byte(body)) {
			t.Errorf("the fast path took %s, which it must leave to encoding/json", body)
		}
	}
	var in putRecordsInput
	if !in.decodeJSONFast([]byte(`{"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k","ExplicitHashKey":"7"}]}`)) {
		t.Fatal("the fast path refused a plain body")
	}
	if in.StreamName != "s" || len(in.Records) != 1 || string(in.Records[0].Data) != "hi" || *in.Records[0].PartitionKey != "k" || in.Records[0].ExplicitHashKey != "7" {
		t.Fatalf("decoded %+v", in)
	}
}
