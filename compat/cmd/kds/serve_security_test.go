package main

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
	"github.com/kdsgo/kds/compat/internal/sdkhttp"
)

// insecureClient is an HTTP client that trusts kds serve's self-signed
// certificate.
func insecureClient() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
}

// sdkClient is an AWS SDK for Go v2 client of the kds serve at url that
// signs with p and does not retry.
func sdkClient(url string, p aws.CredentialsProvider, hc *http.Client) *kinesis.Client {
	return kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: p,
		Retryer: aws.NopRetryer{}, HTTPClient: sdkhttp.OwnBody{Client: hc}})
}

// TestServeSecured runs kds serve as a locked-down deployment would:
// credentials, TLS required, connections only from loopback. Through the
// AWS SDK the right key puts, wrong ones are refused with Kinesis's
// exceptions; a plain HTTP request is refused by the TLS listener.
func TestServeSecured(t *testing.T) {
	creds := credentialsFile(t, `[{"AccessKeyId": "AKIDPRODUCER", "SecretAccessKey": "producer-secret", "Principal": "arn:aws:iam::000000000000:user/producer"}]`)
	urls := serveInBackground(t, 1, "--addr", "127.0.0.1:0", "--tls", "--require-tls", "--credentials", creds,
		"--allow-from", "127.0.0.0/8,::1", "--dashboard=false", "--stream", "s", "--log-level", "warn")
	url := urls[0]
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("listening on %s, want https", url)
	}
	ctx := context.Background()
	put := func(p aws.CredentialsProvider) error {
		_, err := sdkClient(url, p, insecureClient()).PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
		return err
	}
	if err := put(credentials.NewStaticCredentialsProvider("AKIDPRODUCER", "producer-secret", "")); err != nil {
		t.Fatalf("PutRecord with the right key: %v", err)
	}
	for _, tt := range []struct {
		name string
		p    aws.CredentialsProvider
		code string
	}{
		{"wrong secret", credentials.NewStaticCredentialsProvider("AKIDPRODUCER", "guess", ""), "InvalidSignatureException"},
		{"unknown key", credentials.NewStaticCredentialsProvider("AKIDSTRANGER", "producer-secret", ""), "UnrecognizedClientException"},
		{"anonymous", aws.AnonymousCredentials{}, "MissingAuthenticationTokenException"},
	} {
		var ae smithy.APIError
		if err := put(tt.p); !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
			t.Errorf("%s: PutRecord: %v, want %s", tt.name, err, tt.code)
		}
	}

	plain := "http" + strings.TrimPrefix(url, "https")
	resp, err := http.Post(plain, "application/x-amz-json-1.1", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("plain HTTP: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "HTTP request to an HTTPS server") {
		t.Errorf("plain HTTP answered %s %q, want 400 and a word on HTTPS", resp.Status, body)
	}
}

// TestServeAllowFromRefuses runs kds serve allowing only a range the test
// does not connect from: its connections from loopback are closed
// unanswered, the API and the metrics listener alike.
func TestServeAllowFromRefuses(t *testing.T) {
	urls := serveInBackground(t, 3, "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--allow-from", "192.0.2.0/24", "--log-level", "warn")
	for _, url := range []string{urls[0], urls[2]} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s answered %s, want the connection closed", url, resp.Status)
		} else if !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "server closed") {
			t.Errorf("%s: %v, want the connection closed", url, err)
		}
	}
}
