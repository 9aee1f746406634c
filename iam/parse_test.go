package iam

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	const allow = `"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"*"`
	doc := func(statement string) string {
		return `{"Version":"2012-10-17","Statement":` + statement + `}`
	}
	tests := []struct {
		name string
		typ  PolicyType
		doc  string
		stmt int
		want string
	}{
		{"empty", IdentityPolicy, ``, 0, "Syntax errors in policy."},
		{"not JSON", IdentityPolicy, `{"Version":`, 0, "Syntax errors in policy."},
		{"trailing data", IdentityPolicy, doc(`{`+allow+`}`) + `}`, 0, "Syntax errors in policy."},
		{"array document", IdentityPolicy, `[]`, 0, "Syntax errors in policy."},
		{"null document", IdentityPolicy, `null`, 0, "Syntax errors in policy."},
		{"unknown top element", IdentityPolicy, `{"Version":"2012-10-17","Statment":[]}`, 0, `unknown element "Statment"`},
		{"bad version", IdentityPolicy, `{"Version":"2012-10-18","Statement":{` + allow + `}}`, 0, "The policy must contain a valid version string"},
		{"version not string", IdentityPolicy, `{"Version":2012,"Statement":{` + allow + `}}`, 0, "The policy must contain a valid version string"},
		{"no statement", IdentityPolicy, `{"Version":"2012-10-17"}`, 0, "Missing required field Statement"},
		{"empty statement list", IdentityPolicy, doc(`[]`), 0, "Missing required field Statement"},
		{"statement string", IdentityPolicy, doc(`"x"`), 0, "Statement must be an object or an array"},
		{"statement not object", IdentityPolicy, doc(`[1]`), 1, "a statement must be an object"},
		{"unknown statement element", IdentityPolicy, doc(`{` + allow + `,"Actions":"x"}`), 1, `unknown element "Actions"`},
		{"missing effect", IdentityPolicy, doc(`{"Action":"kinesis:*","Resource":"*"}`), 1, "Missing required field Effect"},
		{"bad effect", IdentityPolicy, doc(`{"Effect":"allow","Action":"kinesis:*","Resource":"*"}`), 1, "Invalid effect: allow"},
		{"effect not string", IdentityPolicy, doc(`{"Effect":true,"Action":"kinesis:*","Resource":"*"}`), 1, "Invalid effect: true"},
		{"missing action", IdentityPolicy, doc(`{"Effect":"Allow","Resource":"*"}`), 1, "Policy statement must contain actions."},
		{"empty action list", IdentityPolicy, doc(`{"Effect":"Allow","Action":[],"Resource":"*"}`), 1, "Policy statement must contain actions."},
		{"action and NotAction", IdentityPolicy, doc(`{"Effect":"Allow","Action":"a:b","NotAction":"a:c","Resource":"*"}`), 1, "both Action and NotAction"},
		{"action without vendor", IdentityPolicy, doc(`{"Effect":"Allow","Action":"PutRecord","Resource":"*"}`), 1, "Actions/Conditions must be prefaced by a vendor"},
		{"action two colons", IdentityPolicy, doc(`{"Effect":"Allow","Action":"kinesis:Put:Record","Resource":"*"}`), 1, "only one colon"},
		{"action not string", IdentityPolicy, doc(`{"Effect":"Allow","Action":{"a":1},"Resource":"*"}`), 1, "Action must be a string or an array of strings"},
		{"action list of numbers", IdentityPolicy, doc(`{"Effect":"Allow","Action":[1],"Resource":"*"}`), 1, "Action must be a string or an array of strings"},
		{"missing resource", IdentityPolicy, doc(`{"Effect":"Allow","Action":"kinesis:*"}`), 1, "Policy statement must contain resources."},
		{"resource not ARN", IdentityPolicy, doc(`{"Effect":"Allow","Action":"kinesis:*","Resource":"stream/orders"}`), 1, `Resource stream/orders must be in ARN format or "*".`},
		{"resource no vendor", IdentityPolicy, doc(`{"Effect":"Allow","Action":"kinesis:*","Resource":"arn:aws::::x"}`), 1, "Resource vendor must be fully qualified"},
		{"resource and NotResource", IdentityPolicy, doc(`{"Effect":"Allow","Action":"kinesis:*","Resource":"*","NotResource":"*"}`), 1, "both Resource and NotResource"},
		{"principal in identity policy", IdentityPolicy, doc(`{` + allow + `,"Principal":"*"}`), 1, "Policy document should not specify a principal."},
		{"NotPrincipal in identity policy", IdentityPolicy, doc(`{` + allow + `,"NotPrincipal":"*"}`), 1, "Policy document should not specify a principal."},
		{"missing principal", ResourcePolicy, doc(`{` + allow + `}`), 1, "Missing required field Principal"},
		{"principal and NotPrincipal", ResourcePolicy, doc(`{` + allow + `,"Principal":"*","NotPrincipal":"*"}`), 1, "both Principal and NotPrincipal"},
		{"principal bare string", ResourcePolicy, doc(`{` + allow + `,"Principal":"123456789012"}`), 1, "Invalid principal in policy"},
		{"principal wildcard ARN", ResourcePolicy, doc(`{` + allow + `,"Principal":{"AWS":"arn:aws:iam::123456789012:user/*"}}`), 1, "Invalid principal in policy"},
		{"principal short account", ResourcePolicy, doc(`{` + allow + `,"Principal":{"AWS":"12345"}}`), 1, "Invalid principal in policy"},
		{"principal not IAM", ResourcePolicy, doc(`{` + allow + `,"Principal":{"AWS":"arn:aws:s3:::bucket"}}`), 1, "Invalid principal in policy"},
		{"principal unknown type", ResourcePolicy, doc(`{` + allow + `,"Principal":{"Robot":"x"}}`), 1, "Invalid principal in policy"},
		{"principal empty map", ResourcePolicy, doc(`{` + allow + `,"Principal":{}}`), 1, "Invalid principal in policy"},
		{"principal empty list", ResourcePolicy, doc(`{` + allow + `,"Principal":{"AWS":[]}}`), 1, "Invalid principal in policy"},
		{"identity sid not alphanumeric", IdentityPolicy, doc(`{"Sid":"put records",` + allow + `}`), 1, "Statement IDs (SID) must be alpha-numeric"},
		{"duplicate sid", IdentityPolicy, doc(`[{"Sid":"A",` + allow + `},{"Sid":"A",` + allow + `}]`), 2, "Statement IDs (SID) in a single policy must be unique."},
		{"sid not string", IdentityPolicy, doc(`{"Sid":1,` + allow + `}`), 1, "Sid must be a string"},
		{"unknown operator", IdentityPolicy, doc(`{` + allow + `,"Condition":{"StringEqualz":{"aws:SourceIp":"x"}}}`), 1, "Invalid Condition type : StringEqualz"},
		{"unknown qualifier", IdentityPolicy, doc(`{` + allow + `,"Condition":{"ForSomeValues:StringEquals":{"aws:TagKeys":"x"}}}`), 1, "Invalid Condition type : ForSomeValues:StringEquals"},
		{"qualified Null", IdentityPolicy, doc(`{` + allow + `,"Condition":{"ForAnyValue:Null":{"aws:TagKeys":"true"}}}`), 1, "Invalid Condition type : ForAnyValue:Null"},
		{"NullIfExists", IdentityPolicy, doc(`{` + allow + `,"Condition":{"NullIfExists":{"aws:TagKeys":"true"}}}`), 1, "Invalid Condition type : NullIfExists"},
		{"condition key without vendor", IdentityPolicy, doc(`{` + allow + `,"Condition":{"StringEquals":{"SourceIp":"x"}}}`), 1, "must be prefaced by a vendor"},
		{"condition not object", IdentityPolicy, doc(`{` + allow + `,"Condition":"x"}`), 1, "Condition must map operators"},
		{"condition operator empty", IdentityPolicy, doc(`{` + allow + `,"Condition":{"StringEquals":{}}}`), 1, "has no condition keys"},
		{"condition no values", IdentityPolicy, doc(`{` + allow + `,"Condition":{"StringEquals":{"aws:TagKeys":[]}}}`), 1, "has no values"},
		{"condition value object", IdentityPolicy, doc(`{` + allow + `,"Condition":{"StringEquals":{"aws:TagKeys":{"a":"b"}}}}`), 1, "must be strings, numbers or booleans"},
		{"condition value null", IdentityPolicy, doc(`{` + allow + `,"Condition":{"StringEquals":{"aws:TagKeys":null}}}`), 0, "null is not a valid value"},
		{"condition null", IdentityPolicy, doc(`{` + allow + `,"Condition":null}`), 0, "null is not a valid value"},
		{"Sid null", IdentityPolicy, doc(`{` + allow + `,"Sid":null}`), 0, "null is not a valid value"},
		{"policy variable", IdentityPolicy, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kinesis:*","Resource":"arn:aws:kinesis:*:*:stream/${aws:username}-private"}}`, 0, "policy variables"},
		{"NaN number", IdentityPolicy, doc(`{` + allow + `,"Condition":{"NumericLessThan":{"kinesis:FisInjectPercentage":"NaN"}}}`), 1, "Invalid number"},
		{"Inf number", IdentityPolicy, doc(`{` + allow + `,"Condition":{"NumericLessThan":{"kinesis:FisInjectPercentage":"Inf"}}}`), 1, "Invalid number"},
		{"identity policy of spaces", IdentityPolicy, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}}` + strings.Repeat(" ", 200_000), 0, "Cannot exceed quota"},
		{"bad CIDR", IdentityPolicy, doc(`{` + allow + `,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}`), 1, "Invalid IP address or CIDR"},
		{"bad number", IdentityPolicy, doc(`{` + allow + `,"Condition":{"NumericLessThan":{"kinesis:FisInjectPercentage":"many"}}}`), 1, "Invalid number"},
		{"bad date", IdentityPolicy, doc(`{` + allow + `,"Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}`), 1, "Invalid date"},
		{"bad bool", IdentityPolicy, doc(`{` + allow + `,"Condition":{"Bool":{"aws:SecureTransport":"yes"}}}`), 1, "Invalid boolean"},
		{"second statement at fault", IdentityPolicy, doc(`[{` + allow + `},{"Effect":"Allow","Resource":"*"}]`), 2, "Policy statement must contain actions."},
		{"identity too large", IdentityPolicy, doc(`{` + allow + `,"Sid":"` + strings.Repeat("a", MaxIdentityPolicySize) + `"}`), 0, "Cannot exceed quota for PolicySize: 6144"},
		{"resource too large", ResourcePolicy, doc(`{` + allow + `,"Principal":"*","Sid":"` + strings.Repeat("a", MaxResourcePolicyBytes) + `"}`), 0, "Cannot exceed quota for PolicySize: 20480"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.typ, "p", []byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse accepted %s: %+v", tt.doc, p)
			}
			if !errors.Is(err, ErrMalformedPolicy) {
				t.Errorf("error %v is not ErrMalformedPolicy", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *ParseError", err)
			}
			if !strings.Contains(pe.Msg, tt.want) || pe.Statement != tt.stmt {
				t.Errorf("error = statement %d %q, want statement %d containing %q", pe.Statement, pe.Msg, tt.stmt, tt.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name  string
		typ   PolicyType
		doc   string
		check func(*testing.T, *Policy)
	}{
		{"single statement object, no version", IdentityPolicy,
			`{"Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}}`,
			func(t *testing.T, p *Policy) {
				if p.Version != Version2008 || len(p.Statements) != 1 || p.Statements[0].Action[0] != "kinesis:*" {
					t.Errorf("got %+v", p)
				}
			}},
		{"2008 version and Id", IdentityPolicy,
			`{"Version":"2008-10-17","Id":"my-policy","Statement":[{"Effect":"Deny","NotAction":["kinesis:Get*","kinesis:Describe*"],"NotResource":"arn:aws:kinesis:*:*:stream/public-*"}]}`,
			func(t *testing.T, p *Policy) {
				s := p.Statements[0]
				if p.ID != "my-policy" || s.Effect != Deny || len(s.NotAction) != 2 || s.Action != nil || len(s.NotResource) != 1 {
					t.Errorf("got %+v", p)
				}
			}},
		{"principal forms", ResourcePolicy,
			`{"Version":"2012-10-17","Statement":[
				{"Sid":"any","Effect":"Allow","Principal":"*","Action":"kinesis:Get*","Resource":"*"},
				{"Sid":"aws any","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kinesis:Get*","Resource":"*"},
				{"Sid":"many","Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:role/r","arn:aws:sts::111122223333:assumed-role/r/s"]},"Action":"kinesis:Put*","Resource":"*"},
				{"Sid":"svc","Effect":"Allow","Principal":{"Service":["firehose.amazonaws.com"]},"Action":"kinesis:Get*","Resource":"*"},
				{"Sid":"not","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/admin"},"Action":"kinesis:DeleteStream","Resource":"*"}]}`,
			func(t *testing.T, p *Policy) {
				s := p.Statements
				if !s[0].Principal.Any || !s[1].Principal.Any || len(s[2].Principal.AWS) != 4 || s[3].Principal.Service[0] != "firehose.amazonaws.com" || s[4].NotPrincipal == nil {
					t.Errorf("got %+v", p)
				}
			}},
		{"condition values of every JSON type", IdentityPolicy,
			`{"Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*","Condition":{
				"Bool":{"aws:SecureTransport":true},
				"NumericLessThan":{"kinesis:FisInjectPercentage":50},
				"ForAllValues:StringLike":{"aws:TagKeys":["team","env-*"]}}}}`,
			func(t *testing.T, p *Policy) {
				c := p.Statements[0].Conditions
				if len(c) != 3 || c[0].Operator != "Bool" || c[0].Values[0] != "true" || c[2].Values[0] != "50" || len(c[1].Values) != 2 {
					t.Errorf("got %+v", c)
				}
			}},
		{"resource policy sid with spaces", ResourcePolicy,
			`{"Statement":{"Sid":"Let the partner write","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kinesis:PutRecords","Resource":"*"}}`,
			func(t *testing.T, p *Policy) {
				if p.Statements[0].Sid != "Let the partner write" {
					t.Errorf("got %+v", p)
				}
			}},
		{"white space does not count for identity size", IdentityPolicy,
			`{"Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}}` + strings.Repeat(" ", 2*MaxIdentityPolicySize),
			func(t *testing.T, p *Policy) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.typ, "name", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != "name" || p.Type != tt.typ || p.Document != tt.doc {
				t.Errorf("Name/Type/Document not kept: %q %v", p.Name, p.Type)
			}
			tt.check(t, p)
		})
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse did not panic on a bad document")
		}
	}()
	MustParse(IdentityPolicy, "p", "{")
}
