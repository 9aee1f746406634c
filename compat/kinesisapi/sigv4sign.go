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
// host (or, from HTTP/2 clients, :authority), which every signature must
// cover.
func canonicalRequest(b []byte, r *http.Request, body []byte, signedHeaders string, presigned bool) ([]byte, *apiError) {
	b = append(b, r.Method...)
	b = append(b, '\n')
	// Every service but S3 escapes the (already escaped) path once more.
	switch path := r.URL.EscapedPath(); path {
	case "", "/":
		b = append(b, '/')
	default:
		b = append(b, httpbinding.EscapePath(path, false)...)
	}
	b = append(b, '\n')
	b = appendCanonicalQuery(b, r.URL.RawQuery, presigned)
	b = append(b, '\n')
	hasHost := false
	for name := range strings.SplitSeq(signedHeaders, ";") {
		b = append(b, name...)
		b = append(b, ':')
		var ok bool
		if b, ok = appendSignedHeader(b, r, name); !ok {
			return b, incompleteSignature("'" + name + "' is named as a SignedHeader, but it does not exist in the HTTP request.")
		}
		hasHost = hasHost || name == "host" || name == ":authority"
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

// appendSignedHeader appends the value of the header name (lower case),
// its values joined by commas, as the client saw it when it signed, and
// reports whether r has that header. Go's server keeps Host and, at times,
// Content-Length and Transfer-Encoding out of r.Header; HTTP/2 clients
// (the AWS SDK for JavaScript v3) may sign the host as ":authority".
func appendSignedHeader(b []byte, r *http.Request, name string) ([]byte, bool) {
	var values []string
	switch name {
	case "host", ":authority":
		return appendTrimmedValue(b, r.Host), r.Host != ""
	case "transfer-encoding":
		values = r.TransferEncoding
	default:
		values = headerValues(r.Header, name)
		if len(values) == 0 && name == "content-length" && r.ContentLength >= 0 {
			return strconv.AppendInt(b, r.ContentLength, 10), true
		}
	}
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmedValue(b, v)
	}
	return b, len(values) > 0
}

// headerValues returns h's values of the header whose lower-case name is
// name, as http.Header.Values does but without allocating the canonical
// form of names up to 64 bytes long.
func headerValues(h http.Header, name string) []string {
	var buf [64]byte
	if len(name) > len(buf) {
		return h.Values(name)
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
		upper = c == '-'
	}
	if v, ok := h[string(buf[:len(name)])]; ok {
		return v
	}
	// A name Go does not canonicalize (it has characters outside a
	// token's) is stored as sent.
	return h.Values(name)
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
