package kds

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kdsgo/kds/iam"
	"github.com/kdsgo/kds/internal/awsarn"
)

// AccessControl holds the identity policies of the principals that call a
// [Service], in IAM's JSON policy language. [WithAccessControl] makes a
// Service judge every call by them and by the resource policies of its
// streams and consumers (see [Service.PutResourcePolicy]), as IAM judges
// calls to Kinesis. Policies may change while the Service runs; an
// AccessControl is safe for concurrent use and may serve several Services.
type AccessControl struct {
	mu sync.RWMutex
	// policies holds each holder's policies by name. A holder is a user's
	// ARN, or a role's ARN without its path, which its sessions share.
	policies map[string]map[string]*iam.Policy
	// lists holds each holder's policies in name order, for evaluation. A
	// list is replaced, never changed, so a reader may keep one.
	lists map[string][]*iam.Policy
}

// NewAccessControl returns an AccessControl without policies: once a
// Service uses it, only account roots may call until policies allow
// others. The zero AccessControl is the same.
func NewAccessControl() *AccessControl { return new(AccessControl) }

// policyNamePattern is IAM's pattern for policy names.
var policyNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

// PutIdentityPolicy attaches the identity policy document to a principal
// under policyName, replacing the principal's policy of that name if it
// has one. The principal is an IAM user or role ARN
// ("arn:aws:iam::123456789012:user/alice",
// "arn:aws:iam::123456789012:role/reader"); a role's policies also govern
// its sessions ("arn:aws:sts::123456789012:assumed-role/reader/s1"). An
// account root cannot take identity policies: it is allowed everything
// its account owns. A document IAM would refuse is refused with the
// [*iam.ParseError] of [iam.Parse].
func (ac *AccessControl) PutIdentityPolicy(principalARN, policyName, document string) error {
	holder, err := policyHolder(principalARN)
	if err != nil {
		return err
	}
	if !policyNamePattern.MatchString(policyName) {
		return fmt.Errorf("kds: policy name %q is not 1 to 128 letters, digits and _+=,.@-", policyName)
	}
	p, err := iam.Parse(iam.IdentityPolicy, policyName, []byte(document))
	if err != nil {
		return err
	}
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if ac.policies == nil { // the zero AccessControl
		ac.policies, ac.lists = map[string]map[string]*iam.Policy{}, map[string][]*iam.Policy{}
	}
	if ac.policies[holder] == nil {
		ac.policies[holder] = map[string]*iam.Policy{}
	}
	ac.policies[holder][policyName] = p
	ac.relistLocked(holder)
	return nil
}

// DeleteIdentityPolicy removes the principal's policy named policyName,
// if it has one.
func (ac *AccessControl) DeleteIdentityPolicy(principalARN, policyName string) {
	holder, err := policyHolder(principalARN)
	if err != nil {
		return
	}
	ac.mu.Lock()
	defer ac.mu.Unlock()
	delete(ac.policies[holder], policyName)
	ac.relistLocked(holder)
}

// relistLocked rebuilds the evaluation list of holder. The caller holds
// ac.mu for writing.
func (ac *AccessControl) relistLocked(holder string) {
	named := ac.policies[holder]
	if len(named) == 0 {
		delete(ac.policies, holder)
		delete(ac.lists, holder)
		return
	}
	list := make([]*iam.Policy, 0, len(named))
	for _, name := range slices.Sorted(maps.Keys(named)) {
		list = append(list, named[name])
	}
	ac.lists[holder] = list
}

// identityPolicies returns the policies that govern principal.
func (ac *AccessControl) identityPolicies(principal string) []*iam.Policy {
	holder, err := policyHolder(principal)
	if err != nil {
		return nil
	}
	ac.mu.RLock()
	defer ac.mu.RUnlock()
	return ac.lists[holder]
}

// policyHolder returns the key under which principal's identity policies
// are kept: a user's ARN, or for a role and its sessions
// "arn:<partition>:iam::<account>:role/<name>", the role's ARN without
// its path (role names are unique within an account). Other principals
// cannot hold identity policies.
func policyHolder(principal string) (string, error) {
	parts, ok := arnFields(principal)
	if ok && parts[0] == "arn" && parts[1] != "" && parts[3] == "" && awsarn.IsAccountID(parts[4]) {
		head := "arn:" + parts[1] + ":iam::" + parts[4] + ":"
		switch res := parts[5]; {
		case parts[2] == "iam" && res == "root":
			return "", fmt.Errorf("kds: %s is an account root, which identity policies do not govern", principal)
		case parts[2] == "iam" && strings.HasPrefix(res, "user/") && len(res) > len("user/"):
			return principal, nil
		case parts[2] == "iam" && strings.HasPrefix(res, "role/") && len(res) > len("role/"):
			return head + "role/" + res[strings.LastIndexByte(res, '/')+1:], nil
		case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
			if role, _, ok := strings.Cut(res[len("assumed-role/"):], "/"); ok && role != "" {
				return head + "role/" + role, nil
			}
		}
	}
	return "", fmt.Errorf("kds: %q is not the ARN of an IAM user, role or role session", principal)
}

// WithAccessControl makes the Service authorise every call, as IAM
// authorises calls to Kinesis, by the identity policies in ac and the
// resource policy of the stream or consumer the call acts on. A call is
// made by the principal of its context's [Caller], or by the account's
// root when it has none or its Principal is empty; refused calls fail
// with AccessDeniedException before the operation runs. docs/access-control.md
// describes the rules, the condition keys and the action and resource of
// every operation. Default: no access control, and every call is allowed.
func WithAccessControl(ac *AccessControl) Option {
	return optionFunc(func(c *config) {
		if ac == nil {
			c.errs = append(c.errs, errors.New("kds: WithAccessControl: nil AccessControl"))
			return
		}
		c.hooks = append(c.hooks, &accessHook{ac: ac})
	})
}

// accessHook authorises calls by an AccessControl's policies.
type accessHook struct {
	ac *AccessControl
}

// rootIdentity stands for the identity policies of an account root, which
// may do anything its account owns.
var rootIdentity = []*iam.Policy{iam.MustParse(iam.IdentityPolicy, "account root",
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)}

// before refuses the call unless every resource it names (or "*" for an
// account-wide call) is allowed to its caller.
func (h *accessHook) before(_ context.Context, c *callInfo) error {
	svc := c.svc
	principal := c.caller.Principal
	if principal == "" {
		principal = svc.rootARN()
	}
	root := isRoot(principal)
	if root && iam.AccountOf(principal) == svc.cfg.accountID && isPolicyOperation(c.op) {
		// The owner can always mend a resource policy that locks it out.
		return nil
	}
	identity := rootIdentity
	if !root {
		identity = h.ac.identityPolicies(principal)
	}
	resources := c.resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	foreign := iam.AccountOf(principal) != svc.cfg.accountID
	var keys map[string][]string // built once a policy has conditions
	for _, arn := range resources {
		req := iam.Request{Principal: principal, Action: "kinesis:" + c.op, Resource: arn}
		target, found := svc.target(arn)
		var resource *iam.Policy
		if found {
			resource = target.policySlot().Load()
		}
		if hasConditions(resource) || slices.ContainsFunc(identity, hasConditions) {
			if keys == nil {
				keys = requestContext(c, principal)
			}
			req.Context = keys
			if found {
				req.Context = target.withResourceTags(keys)
			}
		}
		d := iam.Evaluate(req, identity, resource)
		named := c.deniedName(arn)
		if named != arn {
			// A registered consumer the request names by stream and name:
			// a policy may name it either way.
			alias := req
			alias.Resource = named
			d = eitherName(d, iam.Evaluate(alias, identity, resource))
		}
		if d.Allowed() && foreign && (arn == "*" || c.op == opPutResourcePolicy.name) {
			// Another account's principals may neither make account-wide
			// calls here (theirs would go to their own account) nor
			// attach resource policies, whatever a policy allows.
			d = iam.Decision{Outcome: iam.ImplicitDeny, PolicyType: iam.ResourcePolicy, CrossAccount: true}
		}
		if !d.Allowed() {
			req.Resource = named
			return &Error{Code: codeAccessDenied, Message: iam.AccessDeniedMessage(req, d)}
		}
	}
	return nil
}

// eitherName combines the decisions on one resource under its two names,
// as if each statement matched it when it matched either: an explicit
// deny under either name denies, else an allow under either allows.
func eitherName(a, b iam.Decision) iam.Decision {
	switch {
	case a.Outcome == iam.ExplicitDeny:
		return a
	case b.Outcome == iam.ExplicitDeny, b.Allowed():
		return b
	}
	return a
}

// hasConditions reports whether any statement of p has a condition, for
// which the request's condition keys must be gathered.
func hasConditions(p *iam.Policy) bool {
	if p == nil {
		return false
	}
	for i := range p.Statements {
		if len(p.Statements[i].Conditions) > 0 {
			return true
		}
	}
	return false
}

// after has nothing to do: access control acts before the call.
func (h *accessHook) after(context.Context, *callInfo, any, error) {}

// observesData is true: data-plane calls are checked too.
func (h *accessHook) observesData() bool { return true }

// rootARN returns the ARN of the account root, the principal of calls
// without one.
func (svc *Service) rootARN() string {
	return "arn:" + svc.partition() + ":iam::" + svc.cfg.accountID + ":root"
}

// isRoot reports whether principal is an account's root user: its ARN or
// the bare account id.
func isRoot(principal string) bool {
	if awsarn.IsAccountID(principal) {
		return true
	}
	parts, ok := arnFields(principal)
	return ok && parts[0] == "arn" && parts[2] == "iam" && parts[3] == "" && awsarn.IsAccountID(parts[4]) && parts[5] == "root"
}

// arnFields splits an ARN into its six colon-separated fields (the last
// keeps any further colons), without allocating.
func arnFields(s string) (fields [6]string, ok bool) {
	for i := range 5 {
		fields[i], s, ok = strings.Cut(s, ":")
		if !ok {
			return fields, false
		}
	}
	fields[5] = s
	return fields, true
}

// isPolicyOperation reports whether op reads or changes a resource policy.
func isPolicyOperation(op string) bool {
	return op == opPutResourcePolicy.name || op == opGetResourcePolicy.name || op == opDeleteResourcePolicy.name
}

// requestContext returns the condition keys of call c by principal that
// do not depend on the resource.
func requestContext(c *callInfo, principal string) map[string][]string {
	keys := map[string][]string{
		"aws:PrincipalArn":     {principalARN(principal)},
		"aws:PrincipalAccount": {iam.AccountOf(principal)},
		"aws:SecureTransport":  {strconv.FormatBool(!c.caller.Plaintext)},
		"aws:CurrentTime":      {c.start.UTC().Format("2006-01-02T15:04:05Z")},
		"aws:EpochTime":        {strconv.FormatInt(c.start.Unix(), 10)},
		"aws:RequestedRegion":  {c.svc.cfg.region},
	}
	if c.caller.SourceIP.IsValid() {
		keys["aws:SourceIp"] = []string{c.caller.SourceIP.String()}
	}
	var tags map[string]string
	var tagKeys []string
	switch in := c.in.(type) {
	case CreateStreamInput:
		tags = in.Tags
	case RegisterStreamConsumerInput:
		tags = in.Tags
	case AddTagsToStreamInput:
		tags = in.Tags
	case TagResourceInput:
		tags = in.Tags
	case RemoveTagsFromStreamInput:
		tagKeys = slices.Clone(in.TagKeys)
	case UntagResourceInput:
		tagKeys = slices.Clone(in.TagKeys)
	}
	for k, v := range tags {
		keys["aws:RequestTag/"+k] = []string{v}
		tagKeys = append(tagKeys, k)
	}
	if len(tagKeys) > 0 {
		slices.Sort(tagKeys)
		keys["aws:TagKeys"] = tagKeys
	}
	return keys
}

// principalARN returns the value of aws:PrincipalArn for principal: a
// role session's role (without the path the session ARN does not carry),
// the root ARN for a bare account id, otherwise principal itself.
func principalARN(principal string) string {
	if awsarn.IsAccountID(principal) {
		return "arn:aws:iam::" + principal + ":root"
	}
	if strings.Contains(principal, ":sts::") {
		if holder, err := policyHolder(principal); err == nil {
			return holder
		}
	}
	return principal
}

// target returns the stream or consumer arn names, if it exists in this
// Service.
func (svc *Service) target(arn string) (tagTarget, bool) {
	now := svc.clock.Now()
	if _, _, ok := parseConsumerARN(arn); ok {
		c, err := svc.findConsumer("", "", arn, now)
		if err != nil {
			return tagTarget{}, false
		}
		return tagTarget{stream: c.stream, consumer: c}, true
	}
	if !strings.Contains(arn, ":stream/") {
		return tagTarget{}, false // "*", or another service's resource
	}
	s, err := svc.lookup(streamRef{arn: arn}, now)
	if err != nil {
		return tagTarget{}, false
	}
	return tagTarget{stream: s}, true
}

// withResourceTags returns the condition keys keys with the target's tags
// as aws:ResourceTag/<key>, in a copy if it has any.
func (t tagTarget) withResourceTags(keys map[string][]string) map[string][]string {
	t.stream.mu.RLock()
	defer t.stream.mu.RUnlock()
	tags := t.tagsLocked()
	if len(tags) == 0 {
		return keys
	}
	out := maps.Clone(keys)
	for k, v := range tags {
		out["aws:ResourceTag/"+k] = []string{v}
	}
	return out
}

// authorize applies the Service's access control, if it has any, to a
// Go-native call that does on resource what the Kinesis operations ops
// do, on behalf of ctx's Caller: each op must be allowed.
func (svc *Service) authorize(ctx context.Context, resource string, ops ...string) error {
	if len(svc.cfg.hooks) == 0 {
		return nil
	}
	caller, _ := CallerFrom(ctx)
	for _, h := range svc.cfg.hooks {
		if a, ok := h.(*accessHook); ok {
			for _, op := range ops {
				c := &callInfo{svc: svc, op: op, caller: caller, start: svc.clock.Now(), resources: []string{resource}}
				if err := a.before(ctx, c); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
