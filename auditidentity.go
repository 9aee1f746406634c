package kds

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"

	"github.com/kdsgo/kds/internal/awsarn"
)

// AuditIdentity is the userIdentity element of an [AuditEvent]: the IAM
// identity that made the call, as CloudTrail describes it.
type AuditIdentity struct {
	// Type is Root, IAMUser, AssumedRole, Role, FederatedUser or, for a
	// principal that is not an IAM ARN, Unknown.
	Type string `json:"type"`
	// PrincipalID identifies the principal: the account ID for Root, the
	// user's or role's unique ID (for AssumedRole followed by ":" and the
	// session name), the account ID and user name for FederatedUser. kds
	// has no IAM of its own, so it derives unique IDs from the ARN (AIDA…
	// for users, AROA… for roles); they are stable but not AWS's.
	PrincipalID string `json:"principalId"`
	// ARN is the principal's ARN.
	ARN string `json:"arn"`
	// AccountID is the account that owns the principal.
	AccountID string `json:"accountId"`
	// AccessKeyID is the access key that signed the call, if any.
	AccessKeyID string `json:"accessKeyId,omitempty"`
	// UserName is the IAM user's or role's name.
	UserName string `json:"userName,omitempty"`
	// SessionContext describes the role session of an AssumedRole.
	SessionContext *AuditSessionContext `json:"sessionContext,omitempty"`
}

// AuditSessionContext is the sessionContext of an assumed role's
// [AuditIdentity].
type AuditSessionContext struct {
	// SessionIssuer is the role whose session made the call.
	SessionIssuer AuditSessionIssuer `json:"sessionIssuer"`
}

// AuditSessionIssuer is the role that issued a session's credentials.
type AuditSessionIssuer struct {
	// Type is "Role".
	Type string `json:"type"`
	// PrincipalID is the role's unique ID (AROA…).
	PrincipalID string `json:"principalId"`
	// ARN is the role's ARN, arn:aws:iam::<account>:role/<name>.
	ARN string `json:"arn"`
	// AccountID is the account that owns the role.
	AccountID string `json:"accountId"`
	// UserName is the role's name.
	UserName string `json:"userName"`
}

// auditIdentity describes caller c of a Service in account account.
func auditIdentity(c Caller, account string) AuditIdentity {
	id := AuditIdentity{ARN: c.Principal, AccessKeyID: c.AccessKeyID, Type: "Unknown"}
	if id.ARN == "" {
		id.ARN = "arn:aws:iam::" + account + ":root"
	}
	parts := strings.SplitN(id.ARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !awsarn.IsAccountID(parts[4]) {
		return id
	}
	id.AccountID = parts[4]
	service, resource := parts[2], parts[5]
	kind, path, _ := strings.Cut(resource, "/")
	name := path[strings.LastIndexByte(path, '/')+1:]
	switch {
	case service == "iam" && resource == "root":
		id.Type, id.PrincipalID = "Root", id.AccountID
	case service == "iam" && kind == "user" && name != "":
		id.Type, id.UserName, id.PrincipalID = "IAMUser", name, uniqueID("AIDA", id.ARN)
	case service == "iam" && kind == "role" && name != "":
		id.Type, id.UserName, id.PrincipalID = "Role", name, uniqueID("AROA", id.ARN)
	case service == "sts" && kind == "assumed-role":
		role, session, ok := strings.Cut(path, "/")
		if !ok || role == "" || session == "" {
			break
		}
		roleARN := "arn:" + parts[1] + ":iam::" + id.AccountID + ":role/" + role
		roleID := uniqueID("AROA", roleARN)
		id.Type, id.PrincipalID = "AssumedRole", roleID+":"+session
		id.SessionContext = &AuditSessionContext{SessionIssuer: AuditSessionIssuer{
			Type: "Role", PrincipalID: roleID, ARN: roleARN, AccountID: id.AccountID, UserName: role,
		}}
	case service == "sts" && kind == "federated-user" && name != "":
		id.Type, id.PrincipalID = "FederatedUser", id.AccountID+":"+name
	}
	return id
}

// uniqueID derives an IAM-style unique ID, prefix and 17 characters of
// base32, from an ARN, so that a principal keeps one ID.
func uniqueID(prefix, arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
}
