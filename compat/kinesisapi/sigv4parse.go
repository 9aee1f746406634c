package kinesisapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// sigv4Algorithm is the only signing algorithm Kinesis accepts.
const sigv4Algorithm = "AWS4-HMAC-SHA256"

// sigv4TimeFormat is the layout of X-Amz-Date: ISO 8601's basic format,
// in UTC.
const sigv4TimeFormat = "20060102T150405Z"

// maxPresignedExpiry is the longest X-Amz-Expires a presigned request may
// ask for: a week, as for every AWS service that takes them.
const maxPresignedExpiry = 7 * 24 * time.Hour

// signature is what a request says about its own signature, from its
// Authorization header or, presigned, its query.
type signature struct {
	// credential is "<access key id>/<date>/<region>/<service>/<terminator>".
	credential string
	// signedHeaders lists the headers signed, lower case, ';'-separated.
	signedHeaders string
	// signature is the signature in hex.
	signature string
	// date is the request's time as the string to sign has it
	// (sigv4TimeFormat) and time is that time.
	date string
	time time.Time
	// token is the X-Amz-Security-Token of temporary credentials.
	token string
	// presigned reports that the signature came in the query; expires is
	// then its X-Amz-Expires (1s to a week) or 0 if none is given, and
	// target its X-Amz-Target, if the client's signer moved that header
	// into the (signed) query.
	presigned bool
	expires   time.Duration
	target    string
}

// authorization is an Authorization header taken apart.
type authorization struct {
	algorithm     string
	credential    string
	signedHeaders string
	signature     string
}

// parseAuthorization takes an Authorization header apart the way AWS
// reads it: the algorithm, then key=value parameters separated by commas
// or spaces. A parameter without '=' is an IncompleteSignatureException;
// parameters it does not know are ignored, and missing ones are left
// empty for the caller to report.
func parseAuthorization(h string) (authorization, *apiError) {
	var a authorization
	var rest string
	a.algorithm, rest, _ = strings.Cut(h, " ")
	for part := range strings.FieldsFuncSeq(rest, func(r rune) bool { return r == ',' || r == ' ' }) {
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return a, incompleteSignature("'" + part + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + h + "'.")
		}
		switch key {
		case "Credential":
			a.credential = value
		case "SignedHeaders":
			a.signedHeaders = value
		case "Signature":
			a.signature = value
		}
	}
	return a, nil
}

// readSignature finds r's signature: in the Authorization header, or in
// the query of a presigned request.
func readSignature(r *http.Request) (signature, *apiError) {
	h := r.Header.Get("Authorization")
	var query url.Values
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	inQuery := query.Has("X-Amz-Algorithm")
	switch {
	case h != "" && inQuery:
		return signature{}, invalidSignature("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case inQuery:
		return readQuerySignature(query)
	}
	return readHeaderSignature(r, h)
}

// readHeaderSignature reads the signature in Authorization header h of r.
func readHeaderSignature(r *http.Request, h string) (signature, *apiError) {
	a, perr := parseAuthorization(h)
	if perr != nil {
		return signature{}, perr
	}
	amzDate, httpDate := r.Header.Get("X-Amz-Date"), r.Header.Get("Date")
	var missing strings.Builder
	for _, p := range []struct{ name, value string }{
		{"Credential", a.credential}, {"Signature", a.signature}, {"SignedHeaders", a.signedHeaders},
	} {
		if p.value == "" {
			missing.WriteString("Authorization header requires '" + p.name + "' parameter. ")
		}
	}
	if amzDate == "" && httpDate == "" {
		missing.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if missing.Len() > 0 {
		return signature{}, incompleteSignature(missing.String() + "Authorization=" + h)
	}
	if a.algorithm != sigv4Algorithm {
		return signature{}, errUnsupportedAlgorithm
	}
	s := signature{credential: a.credential, signedHeaders: a.signedHeaders, signature: a.signature,
		token: r.Header.Get("X-Amz-Security-Token")}
	// X-Amz-Date wins over Date, as AWS reads them.
	var err *apiError
	if amzDate != "" {
		s.time, err = parseAmzDate(amzDate)
		s.date = amzDate
	} else {
		s.time, err = parseHTTPDate(httpDate)
		s.date = s.time.Format(sigv4TimeFormat)
	}
	return s, err
}

// readQuerySignature reads the signature of a presigned request from its
// query.
func readQuerySignature(q url.Values) (signature, *apiError) {
	var missing strings.Builder
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(p) == "" {
			missing.WriteString("AWS query-string parameters must include '" + p + "'. ")
		}
	}
	if missing.Len() > 0 {
		return signature{}, incompleteSignature(missing.String() + "Re-examine the query-string parameters.")
	}
	if q.Get("X-Amz-Algorithm") != sigv4Algorithm {
		return signature{}, errUnsupportedAlgorithm
	}
	s := signature{credential: q.Get("X-Amz-Credential"), signedHeaders: q.Get("X-Amz-SignedHeaders"),
		signature: q.Get("X-Amz-Signature"), token: q.Get("X-Amz-Security-Token"), presigned: true,
		target: q.Get("X-Amz-Target")}
	var err *apiError
	s.date = q.Get("X-Amz-Date")
	if s.time, err = parseAmzDate(s.date); err != nil {
		return s, err
	}
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, perr := strconv.ParseInt(e, 10, 64)
		switch {
		case perr != nil || n < 1:
			// 0 too: a URL valid for no time is refused, not taken for
			// one without X-Amz-Expires (good for the clock skew).
			return s, incompleteSignature("X-Amz-Expires must be a positive integer number of seconds, not '" + e + "'.")
		case n > int64(maxPresignedExpiry/time.Second):
			return s, incompleteSignature("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		s.expires = time.Duration(n) * time.Second
	}
	return s, nil
}

// parseAmzDate reads an X-Amz-Date value.
func parseAmzDate(v string) (time.Time, *apiError) {
	t, err := time.Parse(sigv4TimeFormat, v)
	if err != nil || len(v) != len(sigv4TimeFormat) {
		return t, badDate(v)
	}
	return t, nil
}

// parseHTTPDate reads a Date header, which a request may date itself by
// instead of X-Amz-Date.
func parseHTTPDate(v string) (time.Time, *apiError) {
	t, err := http.ParseTime(v)
	if err != nil {
		return t, badDate(v)
	}
	return t.UTC(), nil
}

// badDate is the error for a request time in the wrong format.
func badDate(v string) *apiError {
	return incompleteSignature("Date must be in ISO-8601 'basic format'. Got '" + v + "'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// credentialScope is a signature's Credential taken apart.
type credentialScope struct {
	accessKeyID, date, region, service, terminator string
}

// parseCredential takes a Credential value apart: exactly five
// '/'-separated elements.
func parseCredential(c string) (credentialScope, *apiError) {
	var parts [5]string
	rest := c
	for i := range parts {
		var found bool
		parts[i], rest, found = strings.Cut(rest, "/")
		if found != (i < len(parts)-1) {
			return credentialScope{}, incompleteSignature("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + c + "'")
		}
	}
	return credentialScope{parts[0], parts[1], parts[2], parts[3], parts[4]}, nil
}
