package iam

import (
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary documents to Parse, as both policy types. It
// must never panic; a document it accepts must evaluate without panicking
// and give the same decision twice; a document it refuses must be refused
// with a *ParseError.
func FuzzParse(f *testing.F) {
	seeds := []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"Statement":null}`, `{"Statement":[null]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["kinesis:Get*"],"NotResource":"arn:aws:kinesis:*:*:stream/x*"}]}`,
		`{"Statement":{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:role/r"]},"Action":"kinesis:Put*","Resource":"*",
			"Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},"Bool":{"aws:SecureTransport":true},
			"ForAllValues:StringLike":{"aws:TagKeys":["a*"]},"NumericLessThanIfExists":{"k:n":5},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"},
			"ArnLike":{"aws:SourceArn":"arn:aws:*:*:*:*"},"Null":{"aws:ResourceTag/x":"true"}}}}`,
		`{"Statement":{"Effect":"Allow","NotPrincipal":"*","Action":"*","Resource":"*"}}`,
		`{"Statement":{"Effect":"Allow","Principal":{"Service":"firehose.amazonaws.com"},"Action":"a:b","Resource":"arn:aws:kinesis:::"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}}}`,
		`{"Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":[1,true,"x"]}}}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	reqs := []Request{
		{Principal: "arn:aws:iam::123456789012:user/alice", Action: "kinesis:PutRecord", Resource: "arn:aws:kinesis:us-east-1:123456789012:stream/x1",
			Context: map[string][]string{"aws:SourceIp": {"10.1.1.1"}, "aws:SecureTransport": {"true"}, "aws:TagKeys": {"a1", "b"}, "k:n": {"3"},
				"aws:CurrentTime": {"2026-11-26T00:00:00Z"}, "aws:SourceArn": {"arn:aws:s3:::b"}}},
		{Principal: "arn:aws:sts::999999999999:assumed-role/r/s", Action: "kinesis:GetRecords", Resource: "arn:aws:kinesis:us-east-1:123456789012:stream/y"},
		{Principal: "", Action: "kinesis:ListStreams", Resource: "*"},
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, typ := range []PolicyType{IdentityPolicy, ResourcePolicy} {
			p, err := Parse(typ, "fuzz", doc)
			if err != nil {
				var pe *ParseError
				if p != nil || !errors.As(err, &pe) || !errors.Is(err, ErrMalformedPolicy) || pe.Msg == "" {
					t.Fatalf("Parse(%q) = %v, %v", doc, p, err)
				}
				continue
			}
			if len(p.Statements) == 0 {
				t.Fatalf("Parse(%q) accepted a policy without statements", doc)
			}
			for i, s := range p.Statements {
				hasPrincipal := s.Principal != nil || s.NotPrincipal != nil
				switch {
				case s.Effect != Allow && s.Effect != Deny,
					(len(s.Action) == 0) == (len(s.NotAction) == 0),
					(len(s.Resource) == 0) == (len(s.NotResource) == 0),
					hasPrincipal != (typ == ResourcePolicy):
					t.Fatalf("Parse(%q) accepted an invalid statement %d: %+v", doc, i+1, s)
				}
			}
			for _, req := range reqs {
				var d1, d2 Decision
				if typ == IdentityPolicy {
					d1, d2 = Evaluate(req, []*Policy{p}, nil), Evaluate(req, []*Policy{p}, nil)
				} else {
					d1, d2 = Evaluate(req, nil, p), Evaluate(req, nil, p)
				}
				if d1 != d2 {
					t.Fatalf("Evaluate not deterministic: %+v vs %+v", d1, d2)
				}
				if d1.Allowed() != (AccessDeniedMessage(req, d1) == "") {
					t.Fatalf("message and decision disagree: %+v", d1)
				}
			}
		}
	})
}
