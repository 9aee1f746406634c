package kinesisapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/fxamacker/cbor/v2"
	"github.com/kdsgo/kds"
)

// sigNow is the verifier's clock in these tests.
var sigNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// The keys the test verifier knows.
var (
	alice = Credential{AccessKeyID: "AKIDALICE", SecretAccessKey: "alice-secret", Principal: "arn:aws:iam::123456789012:user/alice"}
	temp  = Credential{AccessKeyID: "ASIATEMP", SecretAccessKey: "temp-secret", SessionToken: "token-1", Principal: "arn:aws:sts::123456789012:assumed-role/r/s"}
	root  = Credential{AccessKeyID: "AKIDROOT", SecretAccessKey: "root-secret"}
)

// testVerifier is the verifier WithCredentials(alice, temp, root) makes,
// in us-east-1, on a clock stopped at sigNow. It is also given a key
// without a secret, which it must leave out.
func testVerifier() *verifier {
	h := &Handler{}
	WithCredentials(alice, temp, root, Credential{AccessKeyID: "AKIDNOSECRET"}).apply(h)
	h.auth.region = "us-east-1"
	h.auth.now = func() time.Time { return sigNow }
	return h.auth
}

// putRecordBody is the body of the requests signed here.
const putRecordBody = `{"StreamName":"s","PartitionKey":"k","Data":"aGk="}`

// newPutRecord returns a PutRecord request as a server receives it, not
// yet signed.
func newPutRecord(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://localhost:4567/", strings.NewReader(body))
	r.Header.Set("Content-Type", contentTypeJSON11)
	r.Header.Set("X-Amz-Target", targetPrefix+"PutRecord")
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return r
}

// payloadHash is the hex SHA-256 of body, as the SDK signs it.
func payloadHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// sign signs r (whose body is body) with the AWS SDK for Go v2's signer
// as c would, at time at, for service in region.
func sign(t testing.TB, r *http.Request, body string, c Credential, service, region string, at time.Time) {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, payloadHash(body), service, region, at); err != nil {
		t.Fatal(err)
	}
}

// presign returns r (whose body is body) presigned by c at time at, valid
// for expires (none if 0), as the request the server then receives. The
// signer keeps X-Amz-Target a header.
func presign(t testing.TB, r *http.Request, body string, c Credential, at time.Time, expires time.Duration) *http.Request {
	t.Helper()
	return presignHoisting(t, r, body, c, at, expires, false)
}

// presignHoisting is presign with the signer's header hoisting on or off:
// on, as the SDK's default, it moves X-Amz-* headers such as X-Amz-Target
// into the query.
func presignHoisting(t testing.TB, r *http.Request, body string, c Credential, at time.Time, expires time.Duration, hoist bool) *http.Request {
	t.Helper()
	if expires > 0 {
		r.URL.RawQuery = "X-Amz-Expires=" + strconv.Itoa(int(expires/time.Second))
	}
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	uri, headers, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, payloadHash(body), signingService, "us-east-1", at,
		func(o *v4.SignerOptions) { o.DisableHeaderHoisting = !hoist })
	if err != nil {
		t.Fatal(err)
	}
	p := httptest.NewRequest(http.MethodPost, uri, strings.NewReader(body))
	for k, v := range headers {
		if k != "Host" {
			p.Header[k] = v
		}
	}
	return p
}

// signedPutRecord is a PutRecord request signed by c at time at.
func signedPutRecord(t testing.TB, c Credential, at time.Time) *http.Request {
	r := newPutRecord(putRecordBody)
	sign(t, r, putRecordBody, c, signingService, "us-east-1", at)
	return r
}

const mismatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func TestVerify(t *testing.T) {
	type want struct {
		key     *Credential // the key that signed, if the request passes
		errType string
		msg     string // the exact message, if not ""
		inMsg   string // part of the message, if not ""
	}
	tests := []struct {
		name string
		req  func(t *testing.T) (*http.Request, string)
		want want
	}{
		{"good signature", func(t *testing.T) (*http.Request, string) {
			return signedPutRecord(t, alice, sigNow), putRecordBody
		}, want{key: &alice}},
		{"key of the account root", func(t *testing.T) (*http.Request, string) {
			return signedPutRecord(t, root, sigNow), putRecordBody
		}, want{key: &root}},
		{"signed four minutes ago", func(t *testing.T) (*http.Request, string) {
			return signedPutRecord(t, alice, sigNow.Add(-4*time.Minute)), putRecordBody
		}, want{key: &alice}},
		{"clock four minutes ahead", func(t *testing.T) (*http.Request, string) {
			return signedPutRecord(t, alice, sigNow.Add(4*time.Minute)), putRecordBody
		}, want{key: &alice}},
		{"wrong secret", func(t *testing.T) (*http.Request, string) {
			c := alice
			c.SecretAccessKey = "guess"
			return signedPutRecord(t, c, sigNow), putRecordBody
		}, want{errType: "InvalidSignatureException", msg: mismatch}},
		{"unknown key", func(t *testing.T) (*http.Request, string) {
			return signedPutRecord(t, Credential{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}, sigNow), putRecordBody
		}, want{errType: "UnrecognizedClientException", msg: "The security token included in the request is invalid."}},
		{"key configured without a secret", func(t *testing.T) (*http.Request, string) {
			return signedPutRecord(t, Credential{AccessKeyID: "AKIDNOSECRET"}, sigNow), putRecordBody
		}, want{errType: "UnrecognizedClientException"}},
		{"signed header changed after signing", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Set("X-Amz-Target", targetPrefix+"DeleteStream")
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: mismatch}},
		{"signed header added to after signing", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Add("Content-Type", "text/plain")
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: mismatch}},
		{"unsigned header changed after signing", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Set("User-Agent", "someone else")
			return r, putRecordBody
		}, want{key: &alice}},
		{"host changed after signing", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Host = "elsewhere:4567"
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: mismatch}},
		{"body changed after signing", func(t *testing.T) (*http.Request, string) {
			return signedPutRecord(t, alice, sigNow), strings.Replace(putRecordBody, `"s"`, `"t"`, 1)
		}, want{errType: "InvalidSignatureException", msg: mismatch}},
		{"query added after signing", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.URL.RawQuery = "a=b"
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: mismatch}},
		{"signature in upper case", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: mismatch}},
		{"expired", func(t *testing.T) (*http.Request, string) {
			return signedPutRecord(t, alice, sigNow.Add(-5*time.Minute-time.Second)), putRecordBody
		}, want{errType: "InvalidSignatureException",
			msg: "Signature expired: 20260301T115459Z is now earlier than 20260301T115500Z (20260301T120000Z - 5 min.)"}},
		{"from the future", func(t *testing.T) (*http.Request, string) {
			return signedPutRecord(t, alice, sigNow.Add(5*time.Minute+time.Second)), putRecordBody
		}, want{errType: "InvalidSignatureException",
			msg: "Signature not yet current: 20260301T120501Z is still later than 20260301T120500Z (20260301T120000Z + 5 min.)"}},
		{"wrong service", func(t *testing.T) (*http.Request, string) {
			r := newPutRecord(putRecordBody)
			sign(t, r, putRecordBody, alice, "dynamodb", "us-east-1", sigNow)
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: "Credential should be scoped to correct service: 'kinesis'. "}},
		{"another region", func(t *testing.T) (*http.Request, string) {
			r := newPutRecord(putRecordBody)
			sign(t, r, putRecordBody, alice, signingService, "eu-west-1", sigNow)
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: "Credential should be scoped to a valid region, not 'eu-west-1'. "}},
		{"scope of another day", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20260301/", "/20260228/", 1))
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException",
			msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260228' != '20260301', from '20260301T120000Z'."}},
		{"wrong terminator", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request", "/aws5_request", 1))
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "}},
		{"temporary key with its token", func(t *testing.T) (*http.Request, string) {
			return signedPutRecord(t, temp, sigNow), putRecordBody
		}, want{key: &temp}},
		{"temporary key without its token", func(t *testing.T) (*http.Request, string) {
			c := temp
			c.SessionToken = ""
			return signedPutRecord(t, c, sigNow), putRecordBody
		}, want{errType: "UnrecognizedClientException"}},
		{"temporary key with another token", func(t *testing.T) (*http.Request, string) {
			c := temp
			c.SessionToken = "token-2"
			return signedPutRecord(t, c, sigNow), putRecordBody
		}, want{errType: "UnrecognizedClientException"}},
		{"long-term key with a token", func(t *testing.T) (*http.Request, string) {
			c := alice
			c.SessionToken = "token-1"
			return signedPutRecord(t, c, sigNow), putRecordBody
		}, want{errType: "UnrecognizedClientException"}},
		{"no Authorization parameters", func(t *testing.T) (*http.Request, string) {
			r := newPutRecord(putRecordBody)
			r.Header.Set("Authorization", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln")
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException",
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a " +
				"'X-Amz-Date' or a 'Date' header. Authorization=eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}},
		{"a bearer token", func(t *testing.T) (*http.Request, string) {
			r := newPutRecord(putRecordBody)
			r.Header.Set("Authorization", "Bearer abc")
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException", msg: "'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'."}},
		{"no signature", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException", inMsg: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDALICE/"}},
		{"no date", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Del("X-Amz-Date")
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException", inMsg: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="}},
		{"date not in ISO 8601 basic format", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Set("X-Amz-Date", "2026-03-01T12:00:00Z")
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException", msg: "Date must be in ISO-8601 'basic format'. Got '2026-03-01T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"}},
		{"unreadable Date header", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", "yesterday")
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException", inMsg: "Got 'yesterday'"}},
		{"space in the credential", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Credential=", "Credential= ", 1))
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException", inMsg: "'AKIDALICE/20260301/us-east-1/kinesis/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AKIDALICE/"}},
		{"credential of four elements", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request", "", 1))
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException",
			msg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDALICE/20260301/us-east-1/kinesis'"}},
		{"another algorithm", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1))
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException", msg: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."}},
		{":authority signed, as HTTP/2 clients do", func(t *testing.T) (*http.Request, string) {
			// Go's server has no :authority header, only r.Host.
			r := newPutRecord(putRecordBody)
			r.Header.Set(":authority", r.Host)
			sign(t, r, putRecordBody, alice, signingService, "us-east-1", sigNow)
			r.Header.Del(":authority")
			return r, putRecordBody
		}, want{key: &alice}},
		{":authority in place of host", func(t *testing.T) (*http.Request, string) {
			// Not refused for want of host, only for the signature.
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=", "SignedHeaders=:authority;", 1))
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";host;", ";", 1))
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: mismatch}},
		{"host not signed", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host;", "", 1))
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException", msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}},
		{"signed header missing from the request", func(t *testing.T) (*http.Request, string) {
			r := signedPutRecord(t, alice, sigNow)
			r.Header.Del("X-Amz-Target")
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException", msg: "'x-amz-target' is named as a SignedHeader, but it does not exist in the HTTP request."}},
		{"X-Amz-Target not signed", func(t *testing.T) (*http.Request, string) {
			r := newPutRecord(putRecordBody)
			r.Header.Del("X-Amz-Target")
			sign(t, r, putRecordBody, alice, signingService, "us-east-1", sigNow)
			r.Header.Set("X-Amz-Target", targetPrefix+"PutRecord")
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException", msg: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."}},
		{"presigned with X-Amz-Target in the query, as the SDK presigns by default", func(t *testing.T) (*http.Request, string) {
			r := presignHoisting(t, newPutRecord(putRecordBody), putRecordBody, alice, sigNow, 0, true)
			if r.URL.Query().Get("X-Amz-Target") == "" || strings.Contains(r.URL.Query().Get("X-Amz-SignedHeaders"), "x-amz-target") {
				t.Fatalf("the signer did not move X-Amz-Target into the query: %s", r.URL)
			}
			return r, putRecordBody
		}, want{key: &alice}},
		{"presigned without X-Amz-Target", func(t *testing.T) (*http.Request, string) {
			r := newPutRecord(putRecordBody)
			r.Header.Del("X-Amz-Target")
			p := presign(t, r, putRecordBody, alice, sigNow, 0)
			p.Header.Set("X-Amz-Target", targetPrefix+"PutRecord")
			return p, putRecordBody
		}, want{errType: "IncompleteSignatureException", msg: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."}},
		{"presigned", func(t *testing.T) (*http.Request, string) {
			return presign(t, newPutRecord(putRecordBody), putRecordBody, alice, sigNow.Add(-time.Minute), 0), putRecordBody
		}, want{key: &alice}},
		{"presigned for an hour, half an hour ago", func(t *testing.T) (*http.Request, string) {
			return presign(t, newPutRecord(putRecordBody), putRecordBody, alice, sigNow.Add(-30*time.Minute), time.Hour), putRecordBody
		}, want{key: &alice}},
		{"presigned by a temporary key", func(t *testing.T) (*http.Request, string) {
			return presign(t, newPutRecord(putRecordBody), putRecordBody, temp, sigNow, 0), putRecordBody
		}, want{key: &temp}},
		{"presigned for a minute, two minutes ago", func(t *testing.T) (*http.Request, string) {
			return presign(t, newPutRecord(putRecordBody), putRecordBody, alice, sigNow.Add(-2*time.Minute), time.Minute), putRecordBody
		}, want{errType: "InvalidSignatureException",
			msg: "Signature expired: 20260301T115800Z is now earlier than 20260301T115900Z (20260301T120000Z - 60 sec.)"}},
		{"presigned with the wrong secret", func(t *testing.T) (*http.Request, string) {
			c := alice
			c.SecretAccessKey = "guess"
			return presign(t, newPutRecord(putRecordBody), putRecordBody, c, sigNow, 0), putRecordBody
		}, want{errType: "InvalidSignatureException", msg: mismatch}},
		{"presigned, query changed after signing", func(t *testing.T) (*http.Request, string) {
			r := presign(t, newPutRecord(putRecordBody), putRecordBody, alice, sigNow, 0)
			r.URL.RawQuery += "&a=b"
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: mismatch}},
		{"presigned for no time at all", func(t *testing.T) (*http.Request, string) {
			// X-Amz-Expires=0 is not "no expiry given", which would leave
			// the URL good for the five minutes of clock skew.
			r := newPutRecord(putRecordBody)
			r.URL.RawQuery = "X-Amz-Expires=0"
			return presign(t, r, putRecordBody, alice, sigNow.Add(-4*time.Minute), 0), putRecordBody
		}, want{errType: "IncompleteSignatureException", msg: "X-Amz-Expires must be a positive integer number of seconds, not '0'."}},
		{"presigned for a negative time", func(t *testing.T) (*http.Request, string) {
			r := newPutRecord(putRecordBody)
			r.URL.RawQuery = "X-Amz-Expires=-60"
			return presign(t, r, putRecordBody, alice, sigNow, 0), putRecordBody
		}, want{errType: "IncompleteSignatureException", msg: "X-Amz-Expires must be a positive integer number of seconds, not '-60'."}},
		{"presigned for more than a week", func(t *testing.T) (*http.Request, string) {
			return presign(t, newPutRecord(putRecordBody), putRecordBody, alice, sigNow, 8*24*time.Hour), putRecordBody
		}, want{errType: "IncompleteSignatureException", msg: "X-Amz-Expires must be less than a week (in seconds) that is 604800"}},
		{"presigned without a signature", func(t *testing.T) (*http.Request, string) {
			r := newPutRecord(putRecordBody)
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260301T120000Z"
			return r, putRecordBody
		}, want{errType: "IncompleteSignatureException",
			msg: "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."}},
		{"signed both ways", func(t *testing.T) (*http.Request, string) {
			r := presign(t, newPutRecord(putRecordBody), putRecordBody, alice, sigNow, 0)
			sign(t, r, putRecordBody, alice, signingService, "us-east-1", sigNow)
			return r, putRecordBody
		}, want{errType: "InvalidSignatureException", msg: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."}},
	}
	v := testVerifier()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := tt.req(t)
			key, err := v.verify(r, []byte(body))
			if tt.want.key != nil {
				if err != nil {
					t.Fatalf("refused: %v\nAuthorization: %s", err, r.Header.Get("Authorization"))
				}
				if key.Credential != *tt.want.key {
					t.Errorf("signed by %+v, want %+v", key.Credential, *tt.want.key)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, signed by %s; want %s", key.AccessKeyID, tt.want.errType)
			}
			if err.Type != tt.want.errType || err.Status != http.StatusBadRequest {
				t.Errorf("answer %d %s (%s), want 400 %s", err.Status, err.Type, err.Message, tt.want.errType)
			}
			if tt.want.msg != "" && err.Message != tt.want.msg {
				t.Errorf("message\n%q, want\n%q", err.Message, tt.want.msg)
			}
			if !strings.Contains(err.Message, tt.want.inMsg) {
				t.Errorf("message\n%q\ndoes not contain %q", err.Message, tt.want.inMsg)
			}
		})
	}
}

// TestVerifyCanonicalForms checks that the verifier builds the canonical
// request the SDK's signer builds where it takes care: header values with
// runs of spaces and repeated headers, a query with characters to escape,
// an escaped path.
func TestVerifyCanonicalForms(t *testing.T) {
	v := testVerifier()
	r := newPutRecord(putRecordBody)
	r.URL.Path, r.URL.RawPath = "/a b/c%2Fd", "/a%20b/c%2Fd"
	r.URL.RawQuery = "z=1&a=x%20y&a=%2B&b=%2F~*&B=%C3%A9"
	r.Header.Set("X-Custom", "  two   spaces  inside ")
	r.Header.Add("X-Repeated", "first")
	r.Header.Add("X-Repeated", "second")
	sign(t, r, putRecordBody, alice, signingService, "us-east-1", sigNow)
	if _, err := v.verify(r, []byte(putRecordBody)); err != nil {
		t.Fatalf("refused: %v\nAuthorization: %s", err, r.Header.Get("Authorization"))
	}
}

// TestSignatureOfAWSExample computes the signature of the example in
// AWS's SigV4 documentation (IAM ListUsers, 30 August 2015), so that the
// canonical request and the key derivation are checked against AWS's
// own numbers, not only against the SDK.
func TestSignatureOfAWSExample(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	canonical, err := canonicalRequest(nil, r, nil, "content-type;host;x-amz-date", false)
	if err != nil {
		t.Fatal(err)
	}
	const wantCanonical = "GET\n/\nAction=ListUsers&Version=2010-05-08\n" +
		"content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
		"content-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if string(canonical) != wantCanonical {
		t.Errorf("canonical request\n%s\nwant\n%s", canonical, wantCanonical)
	}
	toSign := stringToSign(nil, "20150830T123600Z", "20150830/us-east-1/iam/aws4_request", sha256.Sum256(canonical))
	key := signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam")
	if got, want := hex.EncodeToString(hmacSHA256(key, toSign)), "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}

// TestSigningKeyCache checks that a key's signing key follows the day.
func TestSigningKeyCache(t *testing.T) {
	k := &accessKey{Credential: alice}
	for _, day := range []string{"20260301", "20260301", "20260302", "20260301"} {
		if got, want := k.signingKey(day, "us-east-1"), signingKey(alice.SecretAccessKey, day, "us-east-1", signingService); !bytes.Equal(got, want) {
			t.Errorf("day %s: cached key %x, want %x", day, got, want)
		}
	}
}

// TestHandlerCaller sends signed requests through a Handler with
// credentials and checks the kds.Caller that the operation receives: the
// signing key's id and principal, the connection's address. It registers
// an operation of its own for the purpose.
func TestHandlerCaller(t *testing.T) {
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	var got kds.Caller
	operations["TestCaller"] = func(ctx context.Context, _ *kds.Service, _ *request) (any, error) {
		got, _ = kds.CallerFrom(ctx)
		return nil, nil
	}
	defer delete(operations, "TestCaller")
	h := NewHandler(svc, WithCredentials(alice, root))
	h.auth.now = func() time.Time { return sigNow }
	for _, c := range []Credential{alice, root} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
		r.Header.Set("Content-Type", contentTypeJSON11)
		r.Header.Set("X-Amz-Target", targetPrefix+"TestCaller")
		r.RemoteAddr = "[::ffff:192.0.2.7]:5000"
		sign(t, r, "{}", c, signingService, svc.Region(), sigNow)
		w := httptest.NewRecorder()
		got = kds.Caller{}
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: answered %d %s", c.AccessKeyID, w.Code, w.Body)
		}
		if got.Principal != c.Principal || got.AccessKeyID != c.AccessKeyID || got.SourceIP.String() != "192.0.2.7" || !got.Plaintext {
			t.Errorf("%s: caller %+v, want principal %q, its key, source 192.0.2.7, plaintext", c.AccessKeyID, got, c.Principal)
		}
	}
}

// TestHandlerRunsTheSignedOperation checks that the operation a handler
// runs is the one the signature covers: the X-Amz-Target header when it is
// signed, or the X-Amz-Target of a presigned query (where the SDK's signer
// puts it by default). A request that could be replayed as another
// operation (an unsigned header, or a header other than the signed query)
// is refused, and the stream it would delete survives.
func TestHandlerRunsTheSignedOperation(t *testing.T) {
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.CreateStream(t.Context(), kds.CreateStreamInput{StreamName: "orders", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	const body = `{"StreamName":"orders"}`
	describe := func(header bool) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "http://localhost:4567/?X-Amz-Expires=604800", strings.NewReader(body))
		r.Header.Set("Content-Type", contentTypeJSON11)
		if header {
			r.Header.Set("X-Amz-Target", targetPrefix+"DescribeStreamSummary")
		}
		return r
	}
	// presigned is a URL presigned for DescribeStreamSummary with the SDK's
	// defaults, sent with the X-Amz-Target header target ("" for none).
	presigned := func(t *testing.T, target string) *http.Request {
		r := presignHoisting(t, describe(true), body, alice, sigNow, 0, true)
		r.Header.Set("Content-Type", contentTypeJSON11)
		if target != "" {
			r.Header.Set("X-Amz-Target", targetPrefix+target)
		}
		return r
	}
	tests := []struct {
		name     string
		verify   bool
		req      func(t *testing.T) *http.Request
		wantType string // "" for success
	}{
		{"presigned, no header", true, func(t *testing.T) *http.Request { return presigned(t, "") }, ""},
		{"presigned, the same operation in the header", true, func(t *testing.T) *http.Request { return presigned(t, "DescribeStreamSummary") }, ""},
		{"presigned, another operation in the header", true, func(t *testing.T) *http.Request { return presigned(t, "DeleteStream") }, "InvalidSignatureException"},
		{"presigned, two operations in the query", true, func(t *testing.T) *http.Request {
			r := describe(false)
			r.URL.RawQuery = "X-Amz-Target=" + targetPrefix + "DescribeStreamSummary&X-Amz-Target=" + targetPrefix + "DeleteStream"
			p := presign(t, r, body, alice, sigNow, 0)
			p.Header.Set("Content-Type", contentTypeJSON11)
			return p
		}, "InvalidSignatureException"},
		{"header signed without X-Amz-Target", true, func(t *testing.T) *http.Request {
			r := describe(false)
			sign(t, r, body, alice, signingService, "us-east-1", sigNow)
			r.Header.Set("X-Amz-Target", targetPrefix+"DeleteStream")
			return r
		}, "IncompleteSignatureException"},
		{"presigned, no header, not verified", false, func(t *testing.T) *http.Request { return presigned(t, "") }, ""},
		{"presigned, another operation in the header, not verified", false, func(t *testing.T) *http.Request { return presigned(t, "DeleteStream") }, "InvalidSignatureException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []Option
			if tt.verify {
				opts = append(opts, WithCredentials(alice))
			}
			h := NewHandler(svc, opts...)
			if h.auth != nil {
				h.auth.now = func() time.Time { return sigNow }
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req(t))
			if got := w.Header().Get("X-Amzn-ErrorType"); got != tt.wantType {
				t.Errorf("answered %d %q %s, want %q", w.Code, got, w.Body, tt.wantType)
			}
			if tt.wantType == "" && !strings.Contains(w.Body.String(), `"StreamDescriptionSummary"`) {
				t.Errorf("answered %d %s, want DescribeStreamSummary's output", w.Code, w.Body)
			}
			if _, err := svc.DescribeStreamSummary(t.Context(), kds.DescribeStreamSummaryInput{StreamName: "orders"}); err != nil {
				t.Fatalf("the stream is gone: %v", err)
			}
		})
	}
}

// TestCallerSourceIP checks the source address callerOf gives the
// Service, for its aws:SourceIp: plain, IPv4 unmapped, and without the
// zone (interface) of a link-local IPv6 peer, which no IpAddress prefix
// would contain.
func TestCallerSourceIP(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.7:5000":          "192.0.2.7",
		"[::ffff:192.0.2.7]:5000": "192.0.2.7",
		"[2001:db8::7]:5000":      "2001:db8::7",
		"[fe80::1%eth0]:5000":     "fe80::1",
		"@":                       "invalid IP",
	} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.RemoteAddr = remote
		if got := callerOf(httptest.NewRecorder(), r, nil).SourceIP.String(); got != want {
			t.Errorf("RemoteAddr %s: SourceIP %s, want %s", remote, got, want)
		}
	}
}

// TestHandlerVerifiesCBOR sends CBOR requests, as the AWS SDK for Java
// does, to a handler with credentials: signed properly, the put succeeds;
// with the body changed after signing, it is refused in CBOR.
func TestHandlerVerifiesCBOR(t *testing.T) {
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.CreateStream(t.Context(), kds.CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	h := NewHandler(svc, WithCredentials(alice))
	body, err := cbor.Marshal(map[string]any{"StreamName": "s", "PartitionKey": "k", "Data": []byte("hi")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		sent     []byte
		wantCode int
		wantType string
	}{
		{"as signed", body, http.StatusOK, ""},
		{"changed after signing", append(bytes.Clone(body[:len(body)-1]), 'i'+1), http.StatusBadRequest, "InvalidSignatureException"},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(tt.sent))
		r.Header.Set("Content-Type", contentTypeCBOR)
		r.Header.Set("X-Amz-Target", targetPrefix+"PutRecord")
		sign(t, r, string(body), alice, signingService, svc.Region(), time.Now())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.wantCode || w.Header().Get("X-Amzn-ErrorType") != tt.wantType || w.Header().Get("Content-Type") != contentTypeCBOR {
			t.Errorf("%s: answered %d %s in %s, want %d %s in CBOR", tt.name, w.Code, w.Header().Get("X-Amzn-ErrorType"), w.Header().Get("Content-Type"), tt.wantCode, tt.wantType)
		}
	}
}

// BenchmarkVerify measures the verification of one signed PutRecord
// request alone: parsing, the canonical request, the body's hash, the
// HMAC.
func BenchmarkVerify(b *testing.B) {
	v := testVerifier()
	v.now = time.Now
	r := newPutRecord(putRecordBody)
	sign(b, r, putRecordBody, alice, signingService, "us-east-1", time.Now())
	body := []byte(putRecordBody)
	for b.Loop() {
		if _, err := v.verify(r, body); err != nil {
			b.Fatal(err)
		}
	}
}
