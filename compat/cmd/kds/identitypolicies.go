package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/kdsgo/kds"
)

// identityPoliciesFlag is --identity-policies FILE: the identity policies
// of the principals that may call the served Service. Given, it turns the
// Service's access control on.
//
// FILE is a JSON object mapping each principal's ARN to its policies, in
// the shape of IAM's GetUserPolicy answers:
//
//	{"arn:aws:iam::000000000000:user/alice": [
//	    {"PolicyName": "put", "PolicyDocument": {"Version": "2012-10-17", "Statement": ...}}]}
//
// A PolicyDocument may also be the policy's JSON text as a string.
type identityPoliciesFlag struct {
	path string
	ac   *kds.AccessControl // nil until Set
}

func (f *identityPoliciesFlag) String() string { return f.path }

// Set reads and checks the file, so that a bad one stops kds serve before
// it listens.
func (f *identityPoliciesFlag) Set(path string) error {
	ac, err := loadIdentityPolicies(path)
	if err != nil {
		return err
	}
	f.path, f.ac = path, ac
	return nil
}

// identityPolicy is one policy of a principal in the file.
type identityPolicy struct {
	PolicyName     string
	PolicyDocument json.RawMessage
}

// loadIdentityPolicies reads an --identity-policies file into a new
// AccessControl.
func loadIdentityPolicies(path string) (*kds.AccessControl, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var file map[string][]identityPolicy
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("%s: %w (want {\"<principal ARN>\": [{\"PolicyName\": ..., \"PolicyDocument\": {...}}]})", path, err)
	}
	ac := kds.NewAccessControl()
	for _, principal := range slices.Sorted(maps.Keys(file)) {
		if len(file[principal]) == 0 {
			return nil, fmt.Errorf("%s: %s has no policies", path, principal)
		}
		names := map[string]bool{}
		for _, p := range file[principal] {
			if names[p.PolicyName] {
				return nil, fmt.Errorf("%s: %s has two policies named %q", path, principal, p.PolicyName)
			}
			names[p.PolicyName] = true
			doc, err := policyText(p.PolicyDocument)
			if err == nil {
				err = ac.PutIdentityPolicy(principal, p.PolicyName, doc)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %s, policy %q: %w", path, principal, p.PolicyName, err)
			}
		}
	}
	return ac, nil
}

// policyText returns a PolicyDocument's JSON text: the document itself,
// or the string it is.
func policyText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", errors.New("no PolicyDocument")
	}
	if raw[0] != '"' {
		return string(raw), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}
