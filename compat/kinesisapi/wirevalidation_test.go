package kinesisapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// rawPost sends a signed-looking awsJson1.1 call of op with body to url.
func rawPost(t *testing.T, url, op, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestWireValidation checks what only the wire can tell the core: members
// that were not sent at all, and numbers sent as 0.
func TestWireValidation(t *testing.T) {
	c, _, url := newTestServer(t)
	arn := createStream(t, c, "s", 1)
	const (
		null     = "failed to satisfy constraint: Member must not be null"
		atLeast1 = "failed to satisfy constraint: Member must have value greater than or equal to 1"
	)
	tests := []struct {
		op, body, msg string
	}{
		{"PutRecord", `{"StreamName":"s","Data":"eA=="}`,
			"1 validation error detected: Value null at 'partitionKey' " + null},
		{"PutRecord", `{"StreamName":"s"}`,
			"2 validation errors detected: Value null at 'partitionKey' " + null + "; Value null at 'data' " + null},
		{"PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":null}`,
			"1 validation error detected: Value null at 'data' " + null},
		{"PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"k","Data":"eA=="},{"PartitionKey":"k"}]}`,
			"1 validation error detected: Value null at 'records.2.member.data' " + null},
		{"PutRecords", `{"StreamName":"s","Records":[]}`,
			"1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"PutRecords", `{"StreamName":"s"}`,
			"1 validation error detected: Value null at 'records' " + null},
		{"GetRecords", `{"ShardIterator":"x","Limit":0}`,
			"1 validation error detected: Value '0' at 'limit' " + atLeast1},
		{"GetRecords", `{"ShardIterator":"x","Limit":-5}`,
			"1 validation error detected: Value '-5' at 'limit' " + atLeast1},
		{"GetRecords", `{"ShardIterator":"x","Limit":10001}`,
			"1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"ListStreamConsumers", `{"StreamARN":"` + arn + `","MaxResults":0}`,
			"1 validation error detected: Value '0' at 'maxResults' " + atLeast1},
		{"SubscribeToShard", `{"ConsumerARN":"` + arn + `/consumer/c:1","ShardId":"shardId-000000000000"}`,
			"1 validation error detected: Value null at 'startingPosition' " + null},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.body, func(t *testing.T) {
			resp := rawPost(t, url, tt.op, tt.body)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(b, &body); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if resp.StatusCode != http.StatusBadRequest || body.Type != "ValidationException" || body.Message != tt.msg {
				t.Errorf("got %d %s %q\nwant 400 ValidationException %q", resp.StatusCode, body.Type, body.Message, tt.msg)
			}
		})
	}
	t.Run("through the SDK", func(t *testing.T) {
		_, err := c.ListStreamConsumers(t.Context(), &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arn), MaxResults: aws.Int32(0)})
		e := wantAPIError[*types.ValidationException](t, err)
		if want := "1 validation error detected: Value '0' at 'maxResults' " + atLeast1; e.ErrorMessage() != want {
			t.Errorf("message = %q, want %q", e.ErrorMessage(), want)
		}
	})
}
