package iam

// Request is one call to be authorised.
type Request struct {
	// Principal is the caller: an IAM user or role ARN, an STS
	// assumed-role ARN, an account id or root ARN (the account's root
	// user), a service principal ("firehose.amazonaws.com"), or "" for an
	// anonymous caller.
	Principal string
	// Action is the IAM action, e.g. "kinesis:PutRecord".
	Action string
	// Resource is the ARN of the resource acted on, e.g.
	// "arn:aws:kinesis:us-east-1:123456789012:stream/orders", or "*" for
	// actions without a resource (ListStreams, DescribeLimits).
	Resource string
	// Context holds the request's condition keys and their values, e.g.
	// "aws:SourceIp": {"203.0.113.7"}, "aws:SecureTransport": {"true"},
	// "aws:TagKeys": {"team", "env"}. Keys are matched case-insensitively;
	// if Context spells a key several ways, a Deny's condition holds when
	// it holds for any spelling and an Allow's only when it holds for
	// every one. A key that is absent or has no values counts as missing.
	Context map[string][]string
}

// Outcome is the result of an evaluation.
type Outcome int

const (
	// ImplicitDeny means no applicable statement allows the request. It
	// is the zero Outcome, so a zero Decision denies.
	ImplicitDeny Outcome = iota
	// ExplicitDeny means an applicable Deny statement refused the request.
	ExplicitDeny
	// Allowed means the request may proceed.
	Allowed
)

// String returns "implicit deny", "explicit deny" or "allow".
func (o Outcome) String() string {
	switch o {
	case ExplicitDeny:
		return "explicit deny"
	case Allowed:
		return "allow"
	}
	return "implicit deny"
}

// Decision is the result of [Evaluate] with the statement that decided
// it, for audit records and error messages.
type Decision struct {
	// Outcome is allow, explicit deny or implicit deny.
	Outcome Outcome
	// PolicyType is the type of the deciding policy. For an implicit deny
	// it is the type of policy that lacked an Allow: the resource policy
	// when a cross-account request is not allowed by it, otherwise the
	// identity policies.
	PolicyType PolicyType
	// Policy is the deciding policy's [Policy.Name]; "" for an implicit
	// deny.
	Policy string
	// Sid is the deciding statement's Sid, if it has one.
	Sid string
	// Statement is the 1-based position of the deciding statement in its
	// policy; 0 for an implicit deny.
	Statement int
	// CrossAccount is set when the principal's account differs from the
	// resource's.
	CrossAccount bool
}

// Allowed reports whether the request may proceed.
func (d Decision) Allowed() bool { return d.Outcome == Allowed }

// Evaluate decides req against the identity policies of the caller and
// the resource policy of the resource (nil when it has none), following
// IAM's policy evaluation logic for these two policy types:
//
//  1. An applicable Deny statement in any of the policies denies
//     (ExplicitDeny). Statements of a resource policy apply only when their
//     Principal names the caller (or NotPrincipal does not).
//  2. Within one account, an applicable Allow in an identity policy
//     allows, and so does one in the resource policy whose Principal names
//     the caller itself (its ARN, its role for a role session, or "*"). A
//     resource policy that names only the caller's account delegates to
//     the account's identity policies, which must then allow.
//  3. Across accounts (the caller's account is not the resource's), the
//     resource policy must allow and so must the caller's identity
//     policies. An anonymous caller has no identity policies: the resource
//     policy alone decides.
//  4. Otherwise the request is denied implicitly.
//
// A resource of "*" (actions without a resource) is treated as being in
// the caller's account. Each policy plays the role of the argument it is
// passed in, whatever its Type. These rules follow IAM's "Policy evaluation
// logic" and its "Cross-account policy evaluation logic" pages, restricted
// to identity and resource policies.
//
// Evaluate allocates nothing for action, resource and principal matching
// or for string, IP, ARN, number and Bool conditions (Date conditions and
// role-session principals allocate a little); it is safe for concurrent
// use.
func Evaluate(req Request, identity []*Policy, resource *Policy) Decision {
	principalAccount := AccountOf(req.Principal)
	resourceAccount := AccountOf(req.Resource)
	cross := req.Resource != "*" && resourceAccount != principalAccount
	d := Decision{CrossAccount: cross}

	var idAllow, resAllow Decision
	var idAllowed, resAllowed, resNamed bool
	for _, p := range identity {
		if p == nil {
			continue
		}
		for i := range p.Statements {
			s := &p.Statements[i]
			if !s.applies(req) {
				continue
			}
			if s.Effect == Deny {
				return decided(d, ExplicitDeny, IdentityPolicy, p, i)
			}
			if !idAllowed {
				idAllowed = true
				idAllow = decided(d, Allowed, IdentityPolicy, p, i)
			}
		}
	}
	if resource != nil {
		for i := range resource.Statements {
			s := &resource.Statements[i]
			m := s.principalMatch(req.Principal)
			if m == noMatch || !s.applies(req) {
				continue
			}
			if s.Effect == Deny {
				return decided(d, ExplicitDeny, ResourcePolicy, resource, i)
			}
			if !resAllowed || (m == namedMatch && !resNamed) {
				resAllowed, resNamed = true, m == namedMatch
				resAllow = decided(d, Allowed, ResourcePolicy, resource, i)
			}
		}
	}

	switch {
	case req.Principal == "" || principalAccount == "":
		if resAllowed {
			return resAllow
		}
		d.PolicyType = ResourcePolicy
	case cross:
		if !resAllowed {
			d.PolicyType = ResourcePolicy
			break
		}
		if idAllowed {
			return idAllow
		}
		d.PolicyType = IdentityPolicy
	default:
		if idAllowed {
			return idAllow
		}
		if resAllowed && resNamed {
			return resAllow
		}
		d.PolicyType = IdentityPolicy
	}
	d.Outcome = ImplicitDeny
	return d
}

// decided fills d with the statement at index i of p.
func decided(d Decision, o Outcome, t PolicyType, p *Policy, i int) Decision {
	d.Outcome = o
	d.PolicyType = t
	d.Policy = p.Name
	d.Sid = p.Statements[i].Sid
	d.Statement = i + 1
	return d
}

// applies reports whether the statement's actions, resources and
// conditions cover req (its principal aside).
func (s *Statement) applies(req Request) bool {
	return s.matchesAction(req.Action) && s.matchesResource(req.Resource) && s.conditionsHold(req.Context)
}

// principalMatch reports how the statement's Principal or NotPrincipal
// covers the caller. NotPrincipal covers, as a named match, everyone it
// does not list by exact name: as IAM warns, an account or a role listed
// there does not exempt that account's users or the role's sessions.
func (s *Statement) principalMatch(caller string) principalMatch {
	switch {
	case s.Principal != nil:
		return s.Principal.match(caller)
	case s.NotPrincipal != nil:
		if s.NotPrincipal.names(caller) {
			return noMatch
		}
		return namedMatch
	}
	return noMatch
}
