package iam

// PolicyType says where a policy is attached: to a principal (identity
// based) or to a resource (resource based). It decides what [Parse]
// accepts and how [Evaluate] treats the policy's statements.
type PolicyType int

const (
	// IdentityPolicy is a policy attached to a principal (an IAM user or
	// role). Its statements must not have a Principal: they apply to the
	// principal the policy is attached to.
	IdentityPolicy PolicyType = iota
	// ResourcePolicy is a policy attached to a stream or a consumer
	// (PutResourcePolicy). Every statement names a Principal or a
	// NotPrincipal.
	ResourcePolicy
)

// String returns "identity-based" or "resource-based", the words AWS uses
// in AccessDeniedException messages.
func (t PolicyType) String() string {
	if t == ResourcePolicy {
		return "resource-based"
	}
	return "identity-based"
}

// Size limits of policy documents.
const (
	// MaxIdentityPolicySize is IAM's quota for a customer managed policy:
	// 6,144 characters, not counting white space.
	MaxIdentityPolicySize = 6144
	// MaxResourcePolicyBytes is the size limit kds applies to a Kinesis
	// resource policy, in bytes of the document as sent, white space
	// included. AWS does not publish Kinesis's limit (KINESIS.md §14 q7);
	// 20 KiB is the limit of the comparable SQS and S3 resource policies
	// and stays clear of any policy a person writes by hand.
	MaxResourcePolicyBytes = 20 * 1024
)

// Policy versions accepted in the Version element.
const (
	// Version2012 is the current policy language version, the one to
	// write in new policies.
	Version2012 = "2012-10-17"
	// Version2008 is the original version, assumed when a document has no
	// Version element.
	Version2008 = "2008-10-17"
)

// Effect is what a matching statement does to a request.
type Effect string

const (
	// Allow grants the request unless another statement denies it.
	Allow Effect = "Allow"
	// Deny refuses the request whatever other statements say.
	Deny Effect = "Deny"
)

// Policy is a parsed policy document. Name identifies it in a [Decision]
// (an identity policy's name, or the ARN of the resource a resource policy
// is attached to); Parse sets it from its argument. A Policy is read-only
// once parsed and may be shared between goroutines.
type Policy struct {
	// Name is the caller's name for the policy, reported in decisions.
	Name string
	// Type is where the policy is attached.
	Type PolicyType
	// Version is the Version element, Version2008 when the document has none.
	Version string
	// ID is the optional Id element.
	ID string
	// Statements are the statements in document order.
	Statements []Statement
	// Document is the JSON text the policy was parsed from, kept so that
	// GetResourcePolicy can return it unchanged.
	Document string
}

// Statement is one statement of a policy. Exactly one of Action and
// NotAction is set, and of Resource and NotResource; for resource
// policies exactly one of Principal and NotPrincipal.
type Statement struct {
	// Sid is the optional statement id.
	Sid string
	// Effect is Allow or Deny.
	Effect Effect
	// Principal lists whom the statement applies to (resource policies).
	Principal *Principal
	// NotPrincipal lists whom the statement applies to everyone but.
	NotPrincipal *Principal
	// Action lists action patterns such as "kinesis:Put*".
	Action []string
	// NotAction lists action patterns the statement does not apply to.
	NotAction []string
	// Resource lists resource ARN patterns.
	Resource []string
	// NotResource lists resource ARN patterns the statement does not
	// apply to.
	NotResource []string
	// Conditions are the statement's conditions, one per operator and
	// key, all of which must hold.
	Conditions []Condition
}

// matchesAction reports whether the statement's Action or NotAction
// element covers action.
func (s *Statement) matchesAction(action string) bool {
	if s.NotAction != nil {
		return !anyMatch(s.NotAction, action, true)
	}
	return anyMatch(s.Action, action, true)
}

// matchesResource reports whether the statement's Resource or NotResource
// element covers resource.
func (s *Statement) matchesResource(resource string) bool {
	switch {
	case s.NotResource != nil:
		return !anyMatch(s.NotResource, resource, false)
	case s.Resource != nil:
		return anyMatch(s.Resource, resource, false)
	}
	return true
}

// conditionsHold reports whether every condition of the statement holds
// in ctx.
func (s *Statement) conditionsHold(ctx map[string][]string) bool {
	deny := s.Effect == Deny
	for i := range s.Conditions {
		if !s.Conditions[i].holds(ctx, deny) {
			return false
		}
	}
	return true
}
