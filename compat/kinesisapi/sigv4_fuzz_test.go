package kinesisapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzAuthorization verifies requests whose Authorization header, X-Amz-Date
// and query are arbitrary. The seeds start from a request alice signed
// properly. The verifier must never panic; a refusal must be a 400 with
// one of the signature exceptions; and a request it accepts must carry
// exactly the Credential, SignedHeaders and Signature alice signed with,
// since the signature covers all three (so the parser cannot be led to
// read another request's parts as valid), and its operation must be the
// one signed, PutRecord. parseAuthorization must also read back what it
// read, written out plainly.
func FuzzAuthorization(f *testing.F) {
	good := signedPutRecord(f, alice, sigNow)
	auth, date := good.Header.Get("Authorization"), good.Header.Get("X-Amz-Date")
	want, _ := parseAuthorization(auth)
	presigned := presign(f, newPutRecord(putRecordBody), putRecordBody, alice, sigNow, 0)
	hoisted := presignHoisting(f, newPutRecord(putRecordBody), putRecordBody, alice, sigNow, 0, true)
	for _, seed := range []struct{ auth, date, query string }{
		{auth, date, ""},
		{strings.ReplaceAll(auth, ", ", ","), date, ""},
		{strings.ReplaceAll(auth, ", ", "  ,  "), date, ""},
		{auth + ", Extra=1", date, ""},
		{strings.Replace(auth, "Signature=", "Signature=0", 1), date, ""},
		{auth, "20260301T120000", ""},
		{"AWS4-HMAC-SHA256", "", ""},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00", date, ""},
		{"AWS4-HMAC-SHA256 Credential=AKIDALICE//us-east-1/kinesis/aws4_request, SignedHeaders=;;, Signature=", date, ""},
		{"Credential=", "", ""},
		{"", "", presigned.URL.RawQuery},
		{"", "", hoisted.URL.RawQuery},
		{"", "", strings.Replace(hoisted.URL.RawQuery, "PutRecord", "DeleteStream", 1)},
		{"", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1"},
		{auth, date, "X-Amz-Algorithm=x"},
	} {
		f.Add(seed.auth, seed.date, seed.query)
	}
	v := testVerifier()
	f.Fuzz(func(t *testing.T, auth, date, query string) {
		if a, err := parseAuthorization(auth); err == nil {
			for _, part := range []string{a.credential, a.signedHeaders, a.signature} {
				if strings.ContainsAny(part, ", ") {
					t.Fatalf("parameter %q of %q holds a separator", part, auth)
				}
			}
			again, err := parseAuthorization(a.algorithm + " Credential=" + a.credential + ", SignedHeaders=" + a.signedHeaders + ", Signature=" + a.signature)
			if err != nil || again != a {
				t.Fatalf("%q read as %+v, written out and read again as %+v (%v)", auth, a, again, err)
			}
		}
		r := newPutRecord(putRecordBody)
		r.URL.RawQuery = query
		// Header values with line breaks or NULs cannot reach a handler.
		if !validHeaderValue(auth) || !validHeaderValue(date) {
			return
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		key, err := v.verify(r, []byte(putRecordBody))
		if err != nil {
			if err.Status != http.StatusBadRequest || !strings.HasSuffix(err.Type, "SignatureException") && err.Type != "UnrecognizedClientException" {
				t.Fatalf("refused with %d %s: %s", err.Status, err.Type, err.Message)
			}
			return
		}
		a, _ := parseAuthorization(auth)
		exp := []authorization{want}
		if auth == "" {
			a = querySignature(r.URL.Query())
			exp = []authorization{querySignature(presigned.URL.Query()), querySignature(hoisted.URL.Query())}
		}
		if key.AccessKeyID != alice.AccessKeyID || !slices.Contains(exp, a) {
			t.Fatalf("accepted %q (date %q, query %q) as %s", auth, date, query, key.AccessKeyID)
		}
		if op, err := operationTarget(r); err != nil || op != targetPrefix+"PutRecord" {
			t.Fatalf("accepted %q (date %q, query %q) as operation %q (%v), not the PutRecord signed", auth, date, query, op, err)
		}
	})
}

// querySignature returns the parts of a presigned query's signature that
// FuzzAuthorization compares, as an authorization.
func querySignature(q url.Values) authorization {
	return authorization{credential: q.Get("X-Amz-Credential"), signedHeaders: q.Get("X-Amz-SignedHeaders"), signature: q.Get("X-Amz-Signature")}
}

// validHeaderValue reports whether an HTTP server could receive v as a
// header value: no control characters but tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
