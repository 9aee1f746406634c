package iam

import "testing"

const (
	acct     = "123456789012"
	other    = "999999999999"
	alice    = "arn:aws:iam::123456789012:user/alice"
	bob      = "arn:aws:iam::123456789012:user/bob"
	mallory  = "arn:aws:iam::999999999999:user/mallory"
	orders   = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
	logs     = "arn:aws:kinesis:us-east-1:123456789012:stream/logs"
	putOrder = "kinesis:PutRecord"
)

// idPolicy parses an identity policy of the given statements.
func idPolicy(name, statements string) *Policy {
	return MustParse(IdentityPolicy, name, `{"Version":"2012-10-17","Statement":[`+statements+`]}`)
}

// resPolicy parses a resource policy of the given statements.
func resPolicy(statements string) *Policy {
	return MustParse(ResourcePolicy, orders, `{"Version":"2012-10-17","Statement":[`+statements+`]}`)
}

func TestEvaluate(t *testing.T) {
	allowPut := idPolicy("writers", `{"Sid":"Put","Effect":"Allow","Action":"kinesis:Put*","Resource":"*"}`)
	denyOrders := idPolicy("guard", `{"Sid":"NoOrders","Effect":"Deny","Action":"kinesis:*","Resource":"`+orders+`"}`)
	allowAll := idPolicy("admin", `{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}`)
	resAllowAlice := resPolicy(`{"Sid":"AliceWrites","Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"kinesis:PutRecord","Resource":"` + orders + `"}`)
	resAllowAccount := resPolicy(`{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"kinesis:*","Resource":"*"}`)
	resAllowMallory := resPolicy(`{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"kinesis:PutRecord","Resource":"` + orders + `"}`)
	resDenyAll := resPolicy(`{"Sid":"Lockdown","Effect":"Deny","Principal":"*","Action":"kinesis:Put*","Resource":"*"}`)
	resDenyBob := resPolicy(`{"Sid":"NoBob","Effect":"Deny","Principal":{"AWS":"` + bob + `"},"Action":"*","Resource":"*"}`)
	resDenyNotAlice := resPolicy(`{"Sid":"OnlyAlice","Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"*","Resource":"*"}`)
	resAllowPublic := resPolicy(`{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"kinesis:GetRecords","Resource":"*"}`)
	resDenyNotAccount := resPolicy(`{"Sid":"OnlyAccount","Effect":"Deny","NotPrincipal":{"AWS":"` + acct + `"},"Action":"*","Resource":"*"}`)
	resDenyNotRole := resPolicy(`{"Sid":"OnlyRole","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::` + acct + `:role/R"},"Action":"*","Resource":"*"}`)
	allowCheap := idPolicy("cheap", `{"Sid":"Cheap","Effect":"Allow","Action":"kinesis:*","Resource":"*","Condition":{"NumericLessThanEquals":{"aws:RequestTag/cost":"100"}}}`)
	resAllowTLS := resPolicy(`{"Sid":"TLS","Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"kinesis:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`)

	tests := []struct {
		name      string
		principal string
		action    string
		resource  string
		context   map[string][]string
		identity  []*Policy
		res       *Policy
		want      Outcome
		wantType  PolicyType
		wantSid   string
	}{
		{"no policies", alice, putOrder, orders, nil, nil, nil, ImplicitDeny, IdentityPolicy, ""},
		{"identity allows", alice, putOrder, orders, nil, []*Policy{allowPut}, nil, Allowed, IdentityPolicy, "Put"},
		{"identity wrong action", alice, "kinesis:GetRecords", orders, nil, []*Policy{allowPut}, nil, ImplicitDeny, IdentityPolicy, ""},
		{"identity deny beats identity allow", alice, putOrder, orders, nil, []*Policy{allowAll, denyOrders}, nil, ExplicitDeny, IdentityPolicy, "NoOrders"},
		{"identity deny other resource", alice, putOrder, logs, nil, []*Policy{allowAll, denyOrders}, nil, Allowed, IdentityPolicy, "All"},
		{"resource allows named user", alice, putOrder, orders, nil, nil, resAllowAlice, Allowed, ResourcePolicy, "AliceWrites"},
		{"resource principal mismatch", bob, putOrder, orders, nil, nil, resAllowAlice, ImplicitDeny, IdentityPolicy, ""},
		{"resource wrong action", alice, "kinesis:GetRecords", orders, nil, nil, resAllowAlice, ImplicitDeny, IdentityPolicy, ""},
		{"resource account delegates to identity", bob, putOrder, orders, nil, nil, resAllowAccount, ImplicitDeny, IdentityPolicy, ""},
		{"resource account plus identity", bob, putOrder, orders, nil, []*Policy{allowPut}, resAllowAccount, Allowed, IdentityPolicy, "Put"},
		{"resource deny beats identity allow", alice, putOrder, orders, nil, []*Policy{allowAll}, resDenyAll, ExplicitDeny, ResourcePolicy, "Lockdown"},
		{"identity deny beats resource allow", alice, putOrder, orders, nil, []*Policy{denyOrders}, resAllowAlice, ExplicitDeny, IdentityPolicy, "NoOrders"},
		{"resource deny for another principal", alice, putOrder, orders, nil, []*Policy{allowAll}, resDenyBob, Allowed, IdentityPolicy, "All"},
		{"resource deny for that principal", bob, putOrder, orders, nil, []*Policy{allowAll}, resDenyBob, ExplicitDeny, ResourcePolicy, "NoBob"},
		{"NotPrincipal spares alice", alice, putOrder, orders, nil, []*Policy{allowAll}, resDenyNotAlice, Allowed, IdentityPolicy, "All"},
		{"NotPrincipal denies bob", bob, putOrder, orders, nil, []*Policy{allowAll}, resDenyNotAlice, ExplicitDeny, ResourcePolicy, "OnlyAlice"},
		// IAM: an account or role in NotPrincipal spares neither the
		// account's users nor the role's sessions.
		{"NotPrincipal account spares no user", bob, putOrder, orders, nil, []*Policy{allowAll}, resDenyNotAccount, ExplicitDeny, ResourcePolicy, "OnlyAccount"},
		{"NotPrincipal role spares no session", "arn:aws:sts::" + acct + ":assumed-role/R/any", putOrder, orders, nil, []*Policy{allowAll}, resDenyNotRole, ExplicitDeny, ResourcePolicy, "OnlyRole"},
		{"NaN is no number", alice, putOrder, orders, map[string][]string{"aws:RequestTag/cost": {"NaN"}}, []*Policy{allowCheap}, nil, ImplicitDeny, IdentityPolicy, ""},
		{"a number within the bound", alice, putOrder, orders, map[string][]string{"aws:RequestTag/cost": {"99.5"}}, []*Policy{allowCheap}, nil, Allowed, IdentityPolicy, "Cheap"},
		{"cross-account both allow", mallory, putOrder, orders, nil, []*Policy{allowPut}, resAllowMallory, Allowed, IdentityPolicy, "Put"},
		{"cross-account resource only", mallory, putOrder, orders, nil, nil, resAllowMallory, ImplicitDeny, IdentityPolicy, ""},
		{"cross-account identity only", mallory, putOrder, orders, nil, []*Policy{allowAll}, nil, ImplicitDeny, ResourcePolicy, ""},
		{"cross-account other account's grant", mallory, putOrder, orders, nil, []*Policy{allowAll}, resAllowAccount, ImplicitDeny, ResourcePolicy, ""},
		{"anonymous public read", "", "kinesis:GetRecords", orders, nil, nil, resAllowPublic, Allowed, ResourcePolicy, "Public"},
		{"anonymous put", "", putOrder, orders, nil, nil, resAllowPublic, ImplicitDeny, ResourcePolicy, ""},
		{"resource condition holds", alice, putOrder, orders, map[string][]string{"aws:SecureTransport": {"true"}}, nil, resAllowTLS, Allowed, ResourcePolicy, "TLS"},
		{"resource condition fails", alice, putOrder, orders, map[string][]string{"aws:SecureTransport": {"false"}}, nil, resAllowTLS, ImplicitDeny, IdentityPolicy, ""},
		{"resource condition key missing", alice, putOrder, orders, nil, nil, resAllowTLS, ImplicitDeny, IdentityPolicy, ""},
		{"action without resource", alice, "kinesis:ListStreams", "*", nil, []*Policy{allowAll}, nil, Allowed, IdentityPolicy, "All"},
		{"root caller by account id", acct, putOrder, orders, nil, []*Policy{allowPut}, nil, Allowed, IdentityPolicy, "Put"},
		{"nil policy skipped", alice, putOrder, orders, nil, []*Policy{nil, allowPut}, nil, Allowed, IdentityPolicy, "Put"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Principal: tt.principal, Action: tt.action, Resource: tt.resource, Context: tt.context}
			d := Evaluate(req, tt.identity, tt.res)
			if d.Outcome != tt.want || d.PolicyType != tt.wantType || d.Sid != tt.wantSid {
				t.Errorf("Evaluate = %+v, want %v by %v policy, Sid %q", d, tt.want, tt.wantType, tt.wantSid)
			}
			if d.Outcome == ImplicitDeny && (d.Statement != 0 || d.Policy != "") {
				t.Errorf("implicit deny names a statement: %+v", d)
			}
			if d.Outcome != ImplicitDeny && d.Statement == 0 {
				t.Errorf("decision does not name its statement: %+v", d)
			}
		})
	}
}

func TestEvaluateNamesPolicyAndStatement(t *testing.T) {
	p := idPolicy("team-policy", `{"Effect":"Allow","Action":"kinesis:Get*","Resource":"*"},{"Sid":"Deny2","Effect":"Deny","Action":"kinesis:DeleteStream","Resource":"*"}`)
	d := Evaluate(Request{Principal: alice, Action: "kinesis:DeleteStream", Resource: orders}, []*Policy{p}, nil)
	want := Decision{Outcome: ExplicitDeny, PolicyType: IdentityPolicy, Policy: "team-policy", Sid: "Deny2", Statement: 2}
	if d != want {
		t.Errorf("Evaluate = %+v, want %+v", d, want)
	}
	d = Evaluate(Request{Principal: mallory, Action: "kinesis:GetRecords", Resource: orders}, []*Policy{p}, nil)
	if !d.CrossAccount {
		t.Errorf("CrossAccount not set: %+v", d)
	}
}

// TestEvaluateKeySpellings gives a request tags "Env" and "env" at once,
// which both are aws:RequestTag/env to a policy: neither spelling may hide
// the other's value from a Deny, nor carry its value in beside an Allow's,
// whatever the order the context's map yields them in.
func TestEvaluateKeySpellings(t *testing.T) {
	allowAll := idPolicy("all", `{"Effect":"Allow","Action":"*","Resource":"*"}`)
	deny := func(op, value string) *Policy {
		return idPolicy("deny", `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"`+op+`":{"aws:RequestTag/env":"`+value+`"}}}`)
	}
	allowIf := func(op, value string) *Policy {
		return idPolicy("allow", `{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"`+op+`":{"aws:RequestTag/env":"`+value+`"}}}`)
	}
	tags := func(kv ...string) map[string][]string {
		m := map[string][]string{}
		for i := 0; i < len(kv); i += 2 {
			m["aws:RequestTag/"+kv[i]] = []string{kv[i+1]}
		}
		return m
	}
	tests := []struct {
		name   string
		policy []*Policy
		ctx    map[string][]string
		want   Outcome
	}{
		{"Deny on a value, other spelling alone", []*Policy{allowAll, deny("StringEquals", "prod")}, tags("Env", "prod"), ExplicitDeny},
		{"Deny on a value, decoy in the policy's spelling", []*Policy{allowAll, deny("StringEquals", "prod")}, tags("Env", "prod", "env", "dev"), ExplicitDeny},
		{"Deny on a value, decoy in a third spelling", []*Policy{allowAll, deny("StringEquals", "prod")}, tags("ENV", "dev", "Env", "prod", "eNv", "test"), ExplicitDeny},
		{"Deny on a value, no spelling has it", []*Policy{allowAll, deny("StringEquals", "prod")}, tags("Env", "dev", "env", "test"), Allowed},
		{"Deny unless a value, decoy has it", []*Policy{allowAll, deny("StringNotEquals", "dev")}, tags("Env", "prod", "env", "dev"), ExplicitDeny},
		{"Deny unless a value, every spelling has it", []*Policy{allowAll, deny("StringNotEquals", "dev")}, tags("Env", "dev", "env", "dev"), Allowed},
		{"Allow only a value, decoy beside another", []*Policy{allowIf("StringEquals", "dev")}, tags("Env", "prod", "env", "dev"), ImplicitDeny},
		{"Allow only a value, every spelling has it", []*Policy{allowIf("StringEquals", "dev")}, tags("Env", "dev", "env", "dev"), Allowed},
		{"Allow only a value, one spelling", []*Policy{allowIf("StringEquals", "dev")}, tags("ENV", "dev"), Allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Map order varies from run to run: ask often.
			for range 20 {
				if d := Evaluate(Request{Principal: alice, Action: "kinesis:AddTagsToStream", Resource: orders, Context: tt.ctx}, tt.policy, nil); d.Outcome != tt.want {
					t.Fatalf("%v, want %v", d.Outcome, tt.want)
				}
			}
		})
	}
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	p := idPolicy("p", `{"Effect":"Allow","Action":["kinesis:Get*","kinesis:Put*"],"Resource":"arn:aws:kinesis:*:*:stream/ord*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`)
	req := Request{Principal: alice, Action: putOrder, Resource: orders, Context: map[string][]string{"aws:SourceIp": {"10.1.2.3"}}}
	allocs := testing.AllocsPerRun(100, func() {
		if !Evaluate(req, []*Policy{p}, nil).Allowed() {
			t.Fatal("denied")
		}
	})
	if allocs != 0 {
		t.Errorf("Evaluate allocates %v times per call, want 0", allocs)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p := idPolicy("p", `{"Effect":"Allow","Action":["kinesis:Get*","kinesis:Put*"],"Resource":"arn:aws:kinesis:*:*:stream/ord*"},{"Effect":"Deny","Action":"kinesis:Delete*","Resource":"*"}`)
	r := resPolicy(`{"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"kinesis:PutRecord","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`)
	req := Request{Principal: alice, Action: putOrder, Resource: orders, Context: map[string][]string{"aws:SourceIp": {"10.1.2.3"}}}
	ids := []*Policy{p}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(req, ids, r)
	}
}
