package iam

import "testing"

func TestAccessDeniedMessage(t *testing.T) {
	const prefix = "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:123456789012:stream/orders "
	allowPut := idPolicy("writers", `{"Effect":"Allow","Action":"kinesis:Put*","Resource":"*"}`)
	denyPut := idPolicy("guard", `{"Effect":"Deny","Action":"kinesis:Put*","Resource":"*"}`)
	resDeny := resPolicy(`{"Effect":"Deny","Principal":"*","Action":"kinesis:Put*","Resource":"*"}`)
	resAllowOther := resPolicy(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kinesis:Put*","Resource":"*"}`)
	tests := []struct {
		name      string
		principal string
		identity  []*Policy
		res       *Policy
		want      string
	}{
		{"allowed", alice, []*Policy{allowPut}, nil, ""},
		{"no identity allow", alice, nil, nil, prefix + "because no identity-based policy allows the kinesis:PutRecord action"},
		{"identity deny", alice, []*Policy{allowPut, denyPut}, nil, prefix + "with an explicit deny in an identity-based policy"},
		{"resource deny", alice, []*Policy{allowPut}, resDeny, prefix + "with an explicit deny in a resource-based policy"},
		{"cross-account without resource allow", mallory, []*Policy{allowPut}, resAllowOther,
			"User: arn:aws:iam::999999999999:user/mallory is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:123456789012:stream/orders because no resource-based policy allows the kinesis:PutRecord action"},
		{"account id shown as root", acct, nil, nil,
			"User: arn:aws:iam::123456789012:root is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:123456789012:stream/orders because no identity-based policy allows the kinesis:PutRecord action"},
		{"anonymous", "", nil, nil,
			"User: anonymous is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:123456789012:stream/orders because no resource-based policy allows the kinesis:PutRecord action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Principal: tt.principal, Action: putOrder, Resource: orders}
			if got := AccessDeniedMessage(req, Evaluate(req, tt.identity, tt.res)); got != tt.want {
				t.Errorf("message\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	if IdentityPolicy.String() != "identity-based" || ResourcePolicy.String() != "resource-based" {
		t.Error("PolicyType.String")
	}
	if Allowed.String() != "allow" || ExplicitDeny.String() != "explicit deny" || ImplicitDeny.String() != "implicit deny" {
		t.Error("Outcome.String")
	}
	e := &ParseError{Statement: 2, Msg: "Policy statement must contain actions."}
	if e.Error() != "iam: malformed policy document: statement 2: Policy statement must contain actions." {
		t.Errorf("Error() = %q", e.Error())
	}
	if malformed("x").Error() != "iam: malformed policy document: x" {
		t.Error("document-level Error()")
	}
}
