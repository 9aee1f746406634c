// Package iam is the policy language of AWS Identity and Access Management,
// as far as Kinesis Data Streams uses it: it parses JSON policy documents
// and decides whether a request is allowed.
//
// # Policies
//
// [Parse] reads an identity-based policy (attached to a principal; it must
// not name a Principal) or a resource-based policy (attached to a stream or
// a consumer; every statement names a Principal or NotPrincipal). Supported
// elements: Version ("2012-10-17" or "2008-10-17"), Id, Statement (one
// object or an array), Sid, Effect, Principal / NotPrincipal, Action /
// NotAction, Resource / NotResource and Condition. A document that IAM
// would refuse is refused with a [*ParseError] (errors.Is
// [ErrMalformedPolicy]) whose text follows IAM's MalformedPolicyDocument
// wording where it is known.
//
// Actions match case-insensitively ("kinesis:put*" matches
// "kinesis:PutRecord"); resources match case-sensitively. In both, '*'
// stands for any run of characters and '?' for one character, and either
// may span ':' and '/', as in IAM.
//
// Condition operators: String(Not)Equals, String(Not)EqualsIgnoreCase,
// String(Not)Like, Numeric(Not)Equals, NumericLessThan(Equals),
// NumericGreaterThan(Equals), Date(Not)Equals, DateLessThan(Equals),
// DateGreaterThan(Equals), Bool, BinaryEquals, IpAddress, NotIpAddress,
// Arn(Not)Equals, Arn(Not)Like and Null, each (but Null) with the IfExists
// suffix and the ForAnyValue: / ForAllValues: set qualifiers. Values of one
// key are ORed; keys and operators are ANDed. Condition key names are
// case-insensitive; a request context that spells one key several ways
// (tags "Env" and "env") is judged cautiously: a Deny's condition holds if
// it holds for any spelling, an Allow's only if it holds for all. Policy
// variables (${aws:username}) are not expanded, so a 2012-10-17 policy
// that uses them is refused rather than read literally (which could allow
// what IAM denies); in 2008-10-17 policies IAM itself reads them
// literally. Numbers are plain decimals (no NaN or Inf), and JSON null is
// refused wherever it stands. In NotPrincipal only an exact name spares a
// caller: an account or a role listed there spares neither the account's
// users nor the role's sessions.
//
// # Evaluation
//
// [Evaluate] applies IAM's evaluation logic to one [Request]: an explicit
// Deny in any applicable statement wins; otherwise, in the same account, an
// Allow in an identity policy or in a resource policy that names the
// principal allows; across accounts both the resource policy and the
// caller's identity policies must allow; otherwise the request is denied
// implicitly. [AccessDeniedMessage] words a denial as AWS words it in an
// AccessDeniedException.
//
// Not modelled: service control policies, resource control policies,
// permissions boundaries, session policies, and the tags of principals.
//
// The package has no state; every function is safe for concurrent use,
// and a parsed [Policy] may be shared between goroutines as long as it is
// not modified.
package iam
