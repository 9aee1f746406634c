package kinesisapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// signingService is the service name in a Kinesis credential scope.
const signingService = "kinesis"

// signatureSkew is how far a signed request's time may be from the
// server's clock, either way, as AWS allows.
const signatureSkew = 5 * time.Minute

// Credential is an access key a [Handler] accepts, and the principal that
// requests it signs act as. Its JSON field names are those AWS gives
// access keys (AccessKeyId, SecretAccessKey and SessionToken, as `aws iam
// create-access-key` and `aws sts assume-role` print them), and Principal.
type Credential struct {
	// AccessKeyID identifies the key, as in a signature's Credential.
	AccessKeyID string `json:"AccessKeyId"`
	// SecretAccessKey is the secret that requests are signed with.
	SecretAccessKey string `json:"SecretAccessKey"`
	// SessionToken, if set, makes the key a temporary one: every request
	// it signs must carry the token in X-Amz-Security-Token (header, or
	// query when presigned). A request that carries a token for a key
	// without one is refused too.
	SessionToken string `json:"SessionToken,omitempty"`
	// Principal is the ARN of the IAM principal the key belongs to, such
	// as "arn:aws:iam::123456789012:user/alice"; it becomes the
	// kds.Caller's Principal. Empty means the account root.
	Principal string `json:"Principal,omitempty"`
}

// WithCredentials makes the handler verify every request's AWS Signature
// Version 4 against these keys, as Kinesis does: the signature must be
// that of a known key over the request as received (the headers it names,
// which must include X-Amz-Target unless a presigned query carries it, and
// the body), scoped to the Service's region and the service "kinesis",
// and dated within five minutes of the server's clock (or, presigned,
// within its X-Amz-Expires). Requests that fail are answered with
// Kinesis's exceptions (MissingAuthenticationTokenException,
// IncompleteSignatureException, InvalidSignatureException,
// UnrecognizedClientException); those that pass reach the Service with
// the key's id and principal in their kds.Caller. Of two keys with the
// same id the later wins. A key without a secret is left out, since
// anyone could sign with it. With no keys at all, every request is
// refused.
//
// Without this option any signature is accepted and every call is the
// account root's.
func WithCredentials(creds ...Credential) Option {
	return optionFunc(func(h *Handler) {
		if h.auth == nil {
			h.auth = &verifier{keys: make(map[string]*accessKey), now: time.Now}
		}
		for _, c := range creds {
			if c.SecretAccessKey != "" {
				h.auth.keys[c.AccessKeyID] = &accessKey{Credential: c}
			}
		}
	})
}

// verifier checks requests' signatures.
type verifier struct {
	keys map[string]*accessKey
	// region is the Service's; signatures must be scoped to it.
	region string
	now    func() time.Time
}

// accessKey is a known key and the signing key of the day it signed for
// last.
type accessKey struct {
	Credential
	daily atomic.Pointer[dailyKey]
}

// dailyKey is a signing key and the day (yyyymmdd) it signs for.
type dailyKey struct {
	day string
	key []byte
}

// signingKey returns k's signing key for day, deriving it only when the
// day changes.
func (k *accessKey) signingKey(day, region string) []byte {
	if d := k.daily.Load(); d != nil && d.day == day {
		return d.key
	}
	d := &dailyKey{day: day, key: signingKey(k.SecretAccessKey, day, region, signingService)}
	k.daily.Store(d)
	return d.key
}

// verify checks the signature of r, whose body is body, and returns the
// key that signed it, or the error to answer.
func (v *verifier) verify(r *http.Request, body []byte) (*accessKey, *apiError) {
	sig, err := readSignature(r)
	if err != nil {
		return nil, err
	}
	scope, err := parseCredential(sig.credential)
	if err != nil {
		return nil, err
	}
	switch {
	case scope.terminator != "aws4_request":
		return nil, invalidSignature("Credential should be scoped with a valid terminator: 'aws4_request', not '" + scope.terminator + "'. ")
	case scope.service != signingService:
		return nil, invalidSignature("Credential should be scoped to correct service: '" + signingService + "'. ")
	case scope.region != v.region:
		return nil, invalidSignature("Credential should be scoped to a valid region, not '" + scope.region + "'. ")
	case scope.date != sig.date[:8]:
		return nil, invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			scope.date + "' != '" + sig.date[:8] + "', from '" + sig.date + "'.")
	}
	if err := v.checkTime(sig); err != nil {
		return nil, err
	}
	key := v.keys[scope.accessKeyID]
	if key == nil || subtle.ConstantTimeCompare([]byte(sig.token), []byte(key.SessionToken)) != 1 {
		return nil, errUnrecognizedClient
	}
	if sig.target == "" && !listsHeader(sig.signedHeaders, "x-amz-target") {
		return nil, errTargetNotSigned
	}
	buf := getBuffer()
	defer putBuffer(buf)
	canonical, err := canonicalRequest((*buf)[:0], r, body, sig.signedHeaders, sig.presigned)
	*buf = canonical
	if err != nil {
		return nil, err
	}
	toSign := stringToSign(canonical[:0], sig.date, sig.credential[len(scope.accessKeyID)+1:], sha256.Sum256(canonical))
	*buf = toSign
	var want [2 * sha256.Size]byte
	hex.Encode(want[:], hmacSHA256(key.signingKey(scope.date, v.region), toSign))
	if subtle.ConstantTimeCompare(want[:], []byte(sig.signature)) != 1 {
		return nil, errSignatureMismatch
	}
	return key, nil
}

// listsHeader reports whether signedHeaders, a signature's lower-case
// ';'-separated list, names the header name.
func listsHeader(signedHeaders, name string) bool {
	for h := range strings.SplitSeq(signedHeaders, ";") {
		if h == name {
			return true
		}
	}
	return false
}

// checkTime refuses a signature dated more than signatureSkew from now,
// or a presigned one past its expiry.
func (v *verifier) checkTime(sig signature) *apiError {
	now := v.now().UTC()
	earliest := now.Add(-signatureSkew)
	window := "5 min."
	if sig.presigned && sig.expires > 0 {
		earliest = now.Add(-sig.expires)
		window = strconv.Itoa(int(sig.expires/time.Second)) + " sec."
	}
	switch {
	case sig.time.Before(earliest):
		return invalidSignature("Signature expired: " + sig.date + " is now earlier than " + earliest.Format(sigv4TimeFormat) +
			" (" + now.Format(sigv4TimeFormat) + " - " + window + ")")
	case sig.time.After(now.Add(signatureSkew)):
		return invalidSignature("Signature not yet current: " + sig.date + " is still later than " +
			now.Add(signatureSkew).Format(sigv4TimeFormat) + " (" + now.Format(sigv4TimeFormat) + " + 5 min.)")
	}
	return nil
}

// Signature errors, worded as Kinesis words them.
var (
	errUnrecognizedClient = &apiError{Status: http.StatusBadRequest, Type: "UnrecognizedClientException",
		Message: "The security token included in the request is invalid."}
	errSignatureMismatch = invalidSignature("The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	// errTargetNotSigned refuses a signature that does not cover the
	// operation: X-Amz-Target is neither a signed header nor, presigned,
	// in the signed query.
	errTargetNotSigned      = incompleteSignature("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.")
	errUnsupportedAlgorithm = incompleteSignature("The authorization mechanism you have provided is not supported. Please use " + sigv4Algorithm + ".")
)

// invalidSignature is an InvalidSignatureException: a signature that is
// well formed but wrong.
func invalidSignature(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "InvalidSignatureException", Message: msg}
}

// incompleteSignature is an IncompleteSignatureException: a signature
// that lacks a part or cannot be read.
func incompleteSignature(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "IncompleteSignatureException", Message: msg}
}
