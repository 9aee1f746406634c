package iam

import "strings"

// Principal is the value of a Principal or NotPrincipal element: "*" (any
// principal, also anonymous) or a map from principal type to names.
//
// AWS entries may be "*", a 12-digit account id, an account's root ARN
// (arn:aws:iam::123456789012:root, which like the account id stands for
// every principal of that account), an IAM user or role ARN, or an STS
// assumed-role session ARN. A role ARN also covers the sessions of that
// role. Wildcards inside ARNs are not allowed, as in IAM.
type Principal struct {
	// Any is set for "*" and {"AWS": "*"}.
	Any bool
	// AWS lists account ids and IAM/STS ARNs.
	AWS []string
	// Service lists AWS service principals such as
	// "firehose.amazonaws.com".
	Service []string
	// Federated lists identity providers.
	Federated []string
	// CanonicalUser lists S3 canonical user ids.
	CanonicalUser []string
}

// principalMatch says how a Principal element covered a caller.
type principalMatch int

const (
	// noMatch: the element does not name the caller.
	noMatch principalMatch = iota
	// accountMatch: the element names the caller's account (its id or root
	// ARN). In the same account IAM treats this as a delegation to the
	// account's identity policies.
	accountMatch
	// namedMatch: the element names the caller itself, or "*".
	namedMatch
)

// names reports whether p lists the caller by its exact name (or is
// "*"): the test NotPrincipal applies.
func (p *Principal) names(caller string) bool {
	if p.Any {
		return true
	}
	if caller == "" {
		return false
	}
	for _, list := range [][]string{p.AWS, p.Service, p.Federated} {
		for _, a := range list {
			if a == "*" || a == caller || strings.EqualFold(a, caller) && strings.HasSuffix(caller, ".amazonaws.com") {
				return true
			}
		}
	}
	return false
}

// match reports how p covers the caller. caller is an ARN, an account id,
// a service principal name or "" for an anonymous caller.
func (p *Principal) match(caller string) principalMatch {
	if p.Any {
		return namedMatch
	}
	best := noMatch
	if caller == "" {
		return noMatch
	}
	if strings.HasSuffix(caller, ".amazonaws.com") && !strings.HasPrefix(caller, "arn:") {
		for _, s := range p.Service {
			if strings.EqualFold(s, caller) {
				return namedMatch
			}
		}
		return noMatch
	}
	account := AccountOf(caller)
	for _, a := range p.AWS {
		if a == "*" {
			return namedMatch
		}
		if acct, ok := accountPrincipal(a); ok {
			if acct == account && account != "" {
				best = accountMatch
			}
			continue
		}
		if a == caller || sameRole(a, caller) {
			return namedMatch
		}
	}
	for _, f := range p.Federated {
		if f == caller {
			return namedMatch
		}
	}
	return best
}

// accountPrincipal reports whether entry names a whole account (an account
// id or the account's root ARN) and returns the account id.
func accountPrincipal(entry string) (string, bool) {
	if isAccountID(entry) {
		return entry, true
	}
	if strings.HasPrefix(entry, "arn:") && strings.HasSuffix(entry, ":root") {
		parts := strings.SplitN(entry, ":", 6)
		if len(parts) == 6 && parts[2] == "iam" && parts[5] == "root" {
			return parts[4], true
		}
	}
	return "", false
}

// sameRole reports whether roleARN (arn:aws:iam::A:role/path/R) is the role
// whose session caller (arn:aws:sts::A:assumed-role/R/session) is.
func sameRole(roleARN, caller string) bool {
	r := strings.SplitN(roleARN, ":", 6)
	c := strings.SplitN(caller, ":", 6)
	if len(r) != 6 || len(c) != 6 || r[2] != "iam" || c[2] != "sts" || r[4] != c[4] {
		return false
	}
	role, ok := strings.CutPrefix(r[5], "role/")
	if !ok {
		return false
	}
	role = role[strings.LastIndexByte(role, '/')+1:]
	session, ok := strings.CutPrefix(c[5], "assumed-role/")
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(session, "/")
	return name == role
}

// AccountOf returns the account of a principal or resource: the 12-digit
// id itself, or the account field of an ARN. It returns "" when there is
// none (an anonymous caller, a service principal, "*").
func AccountOf(s string) string {
	if isAccountID(s) {
		return s
	}
	if !strings.HasPrefix(s, "arn:") {
		return ""
	}
	rest := s
	for range 4 {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	account, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return account
}

// isAccountID reports whether s is a 12-digit AWS account id.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validAWSPrincipal reports whether entry may appear under "AWS" in a
// Principal element: "*", an account id, or an IAM/STS ARN without
// wildcards.
func validAWSPrincipal(entry string) bool {
	if entry == "*" || isAccountID(entry) {
		return true
	}
	if strings.ContainsAny(entry, "*?") {
		return false
	}
	parts := strings.SplitN(entry, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || (parts[2] != "iam" && parts[2] != "sts") {
		return false
	}
	return isAccountID(parts[4]) && parts[5] != ""
}
