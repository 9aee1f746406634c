package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/kdsgo/kds/compat/kinesisapi"
	"github.com/kdsgo/kds/internal/awsarn"
)

// readCredentials reads the access keys kds serve accepts from the JSON
// file at path: a list of {"AccessKeyId", "SecretAccessKey", "Principal"}
// objects, with "SessionToken" for a temporary key. It refuses a file it
// cannot use whole: fields it does not know (a misspelt "Principal" would
// otherwise make a key the account root's), a key without id or secret,
// an id twice, a principal that is not an IAM or STS ARN.
func readCredentials(path string) ([]kinesisapi.Credential, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var creds []kinesisapi.Credential
	if err := dec.Decode(&creds); err != nil {
		return nil, fmt.Errorf("%s: %w (want a JSON list of {\"AccessKeyId\", \"SecretAccessKey\", \"Principal\"})", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", path)
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("%s: no access keys", path)
	}
	seen := make(map[string]bool, len(creds))
	for i, c := range creds {
		if err := checkCredential(c); err != nil {
			return nil, fmt.Errorf("%s: key %d: %w", path, i+1, err)
		}
		if seen[c.AccessKeyID] {
			return nil, fmt.Errorf("%s: key %d: AccessKeyId %q appears twice", path, i+1, c.AccessKeyID)
		}
		seen[c.AccessKeyID] = true
	}
	return creds, nil
}

// checkCredential finds what makes c unusable.
func checkCredential(c kinesisapi.Credential) error {
	switch {
	case c.AccessKeyID == "":
		return errors.New("AccessKeyId missing")
	case strings.IndexFunc(c.AccessKeyID, func(r rune) bool { return !isWordChar(r) }) >= 0:
		// AWS's pattern for access key ids; it keeps them readable in a
		// signature's Credential.
		return fmt.Errorf("AccessKeyId %q: only letters, digits and _ allowed", c.AccessKeyID)
	case c.SecretAccessKey == "":
		return fmt.Errorf("AccessKeyId %q: SecretAccessKey missing", c.AccessKeyID)
	case c.Principal != "" && !isPrincipalARN(c.Principal):
		return fmt.Errorf("AccessKeyId %q: Principal %q is not an IAM or STS ARN such as arn:aws:iam::123456789012:user/alice", c.AccessKeyID, c.Principal)
	}
	return nil
}

// isWordChar reports whether r is an ASCII letter, digit or underscore.
func isWordChar(r rune) bool {
	return r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
}

// isPrincipalARN reports whether s is the ARN of an IAM principal:
// arn:<partition>:iam::<account>:<resource> (a root, user or role) or
// arn:<partition>:sts::<account>:<resource> (an assumed role's session).
func isPrincipalARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[1] != "" && (parts[2] == "iam" || parts[2] == "sts") &&
		parts[3] == "" && awsarn.IsAccountID(parts[4]) && parts[5] != ""
}
