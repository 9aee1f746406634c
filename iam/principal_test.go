package iam

import "testing"

func TestPrincipalMatch(t *testing.T) {
	const (
		alice   = "arn:aws:iam::123456789012:user/alice"
		bob     = "arn:aws:iam::123456789012:user/bob"
		mallory = "arn:aws:iam::999999999999:user/mallory"
		session = "arn:aws:sts::123456789012:assumed-role/writer/i-0abc"
	)
	tests := []struct {
		name   string
		p      Principal
		caller string
		want   principalMatch
	}{
		{"star", Principal{Any: true}, alice, namedMatch},
		{"star anonymous", Principal{Any: true}, "", namedMatch},
		{"AWS star", Principal{AWS: []string{"*"}}, mallory, namedMatch},
		{"user ARN", Principal{AWS: []string{alice}}, alice, namedMatch},
		{"other user", Principal{AWS: []string{alice}}, bob, noMatch},
		{"list", Principal{AWS: []string{bob, alice}}, alice, namedMatch},
		{"account id", Principal{AWS: []string{"123456789012"}}, bob, accountMatch},
		{"account root", Principal{AWS: []string{"arn:aws:iam::123456789012:root"}}, bob, accountMatch},
		{"account root is caller", Principal{AWS: []string{"arn:aws:iam::123456789012:root"}}, "123456789012", accountMatch},
		{"other account", Principal{AWS: []string{"123456789012"}}, mallory, noMatch},
		{"role session", Principal{AWS: []string{"arn:aws:iam::123456789012:role/writer"}}, session, namedMatch},
		{"role with path", Principal{AWS: []string{"arn:aws:iam::123456789012:role/app/writer"}}, session, namedMatch},
		{"other role", Principal{AWS: []string{"arn:aws:iam::123456789012:role/reader"}}, session, noMatch},
		{"role other account", Principal{AWS: []string{"arn:aws:iam::999999999999:role/writer"}}, session, noMatch},
		{"anonymous", Principal{AWS: []string{"123456789012"}}, "", noMatch},
		{"service", Principal{Service: []string{"firehose.amazonaws.com"}}, "firehose.amazonaws.com", namedMatch},
		{"service not AWS", Principal{AWS: []string{alice}}, "firehose.amazonaws.com", noMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.match(tt.caller); got != tt.want {
				t.Errorf("match(%q) = %v, want %v", tt.caller, got, tt.want)
			}
		})
	}
}

func TestAccountOf(t *testing.T) {
	tests := map[string]string{
		"123456789012":                                    "123456789012",
		"arn:aws:iam::123456789012:user/alice":            "123456789012",
		"arn:aws:kinesis:us-east-1:111122223333:stream/s": "111122223333",
		"":                       "",
		"*":                      "",
		"firehose.amazonaws.com": "",
		"arn:aws:iam":            "",
	}
	for in, want := range tests {
		if got := AccountOf(in); got != want {
			t.Errorf("AccountOf(%q) = %q, want %q", in, got, want)
		}
	}
}
