package iam

// AccessDeniedMessage words the denial d of req as AWS words the message
// of an AccessDeniedException, for example:
//
//	User: arn:aws:iam::123456789012:user/alice is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:123456789012:stream/orders because no identity-based policy allows the kinesis:PutRecord action
//	User: arn:aws:iam::123456789012:user/alice is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:123456789012:stream/orders with an explicit deny in a resource-based policy
//
// The format follows IAM's documentation, "Troubleshoot access denied
// error messages" (docs.aws.amazon.com/IAM/latest/UserGuide/
// troubleshoot_access-denied.html): "User: <principal ARN> is not
// authorized to perform: <action> on resource: <resource ARN>" followed by
// "with an explicit deny in a <type> policy" for an explicit deny and
// "because no <type> policy allows the <action> action" for an implicit
// one, where <type> is "identity-based" or "resource-based". Since 2025
// AWS may append ": <policy ARN>" to explicit denials in identity policies
// (AWS Security Blog, "Enhanced access denied error messages with policy
// ARNs"); kds policies have names rather than ARNs, so the message stops
// at the policy type and the name is left to [Decision.Policy].
//
// A principal given as an account id is shown as that account's root ARN;
// an anonymous one as "anonymous". For an allowed decision it returns "".
func AccessDeniedMessage(req Request, d Decision) string {
	var tail string
	switch d.Outcome {
	case Allowed:
		return ""
	case ExplicitDeny:
		tail = "with an explicit deny in " + article(d.PolicyType) + " policy"
	default:
		tail = "because no " + d.PolicyType.String() + " policy allows the " + req.Action + " action"
	}
	return "User: " + displayPrincipal(req.Principal) + " is not authorized to perform: " + req.Action +
		" on resource: " + req.Resource + " " + tail
}

// article returns "an identity-based" or "a resource-based".
func article(t PolicyType) string {
	if t == ResourcePolicy {
		return "a resource-based"
	}
	return "an identity-based"
}

// displayPrincipal returns the principal as AWS names it in messages.
func displayPrincipal(p string) string {
	switch {
	case p == "":
		return "anonymous"
	case isAccountID(p):
		return "arn:aws:iam::" + p + ":root"
	}
	return p
}
