package kinesisapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/smithy-go/encoding/httpbinding"
)

// canonicalRequest appends to b the SigV4 canonical request of r, whose
// body is body, as a client signing the headers listed in signedHeaders
// (lower case, ';'-separated) computed it: method, path, query, those
// headers, their names, and the body's SHA-256. A presigned request's
// query leaves out its X-Amz-Signature. A listed header the request does
// not carry is an IncompleteSignatureException, and so is a list without
// host, which every signature must cover.
func canonicalRequest(b []byte, r *http.Request, body []byte, signedHeaders string, presigned bool) ([]byte, *apiError) {
	b = append(b, r.Method...)
	b = append(b, '\n')
	// Every service but S3 escapes the (already escaped) path once more.
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b = append(b, httpbinding.EscapePath(path, false)...)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, r.URL.RawQuery, presigned)
	b = append(b, '\n')
	hasHost := false
	for name := range strings.SplitSeq(signedHeaders, ";") {
		values, ok := signedHeaderValues(r, name)
		if !ok {
			return b, incompleteSignature("'" + name + "' is named as a SignedHeader, but it does not exist in the HTTP request.")
		}
		hasHost = hasHost || name == "host"
		b = append(b, name...)
		b = append(b, ':')
		for i, v := range values {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendTrimmedValue(b, v)
		}
		b = append(b, '\n')
	}
	if !hasHost {
		return b, incompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	b = append(b, '\n')
	b = append(b, signedHeaders...)
	b = append(b, '\n')
	sum := sha256.Sum256(body)
	return hex.AppendEncode(b, sum[:]), nil
}

// signedHeaderValues returns the values of the header name (lower case)
// as the client saw them when it signed: Go's server keeps Host and, at
// times, Content-Length and Transfer-Encoding out of r.Header.
func signedHeaderValues(r *http.Request, name string) ([]string, bool) {
	switch name {
	case "host":
		return []string{r.Host}, r.Host != ""
	case "content-length":
		if v := r.Header.Values(name); len(v) > 0 {
			return v, true
		}
		return []string{strconv.FormatInt(r.ContentLength, 10)}, r.ContentLength >= 0
	case "transfer-encoding":
		return r.TransferEncoding, len(r.TransferEncoding) > 0
	}
	v := r.Header.Values(name)
	return v, len(v) > 0
}

// appendTrimmedValue appends header value v without leading and trailing
// spaces and with each run of spaces inside made one, as SigV4 signs it.
func appendTrimmedValue(b []byte, v string) []byte {
	v = strings.Trim(v, " ")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' && space {
			continue
		}
		space = c == ' '
		b = append(b, c)
	}
	return b
}

// appendCanonicalQuery appends the canonical form of query string raw:
// each name and value decoded, then escaped as SigV4 escapes them
// (RFC 3986, "%20" for a space), and the pairs sorted after escaping.
// Without presigned, X-Amz-Signature is an ordinary parameter.
func appendCanonicalQuery(b []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return b
	}
	query, _ := url.ParseQuery(raw)
	pairs := make([]string, 0, len(query))
	for name, values := range query {
		if presigned && name == "X-Amz-Signature" {
			continue
		}
		n := escapeQueryComponent(name)
		for _, v := range values {
			pairs = append(pairs, n+"="+escapeQueryComponent(v))
		}
	}
	// Sorting "name=value" strings sorts by name, then value, except where
	// one escaped name is a prefix of another; compare the parts instead.
	slices.SortFunc(pairs, func(x, y string) int {
		xn, xv, _ := strings.Cut(x, "=")
		yn, yv, _ := strings.Cut(y, "=")
		if c := strings.Compare(xn, yn); c != 0 {
			return c
		}
		return strings.Compare(xv, yv)
	})
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p...)
	}
	return b
}

// escapeQueryComponent escapes a query name or value for the canonical
// query: everything but A-Z a-z 0-9 - _ . ~ as %XX, a space as "%20".
func escapeQueryComponent(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// stringToSign appends to b what SigV4 signs: the algorithm, the
// request's time, the credential scope (date/region/service/aws4_request)
// and the canonical request's SHA-256.
func stringToSign(b []byte, date, scope string, canonicalSum [sha256.Size]byte) []byte {
	b = append(b, sigv4Algorithm+"\n"...)
	b = append(b, date...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	return hex.AppendEncode(b, canonicalSum[:])
}

// signingKey derives the key that signs requests of one day (yyyymmdd)
// in one region for one service from a secret access key.
func signingKey(secret, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(day))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte("aws4_request"))
}

// hmacSHA256 returns the HMAC-SHA256 of data under key.
func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}
