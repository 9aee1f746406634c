package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdsgo/kds"
)

// policiesFile writes content to a file in a temporary directory and
// returns its path.
func policiesFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policies.json")
	writeFile(t, path, content)
	return path
}

// kds serve --identity-policies gives the served Service access control
// with the file's policies: here alice may put to s (a document as an
// object) and list streams (a document as a string), and nothing else;
// bob, who is not in the file, nothing; the root, everything.
func TestIdentityPoliciesFlag(t *testing.T) {
	path := policiesFile(t, `{
	  "arn:aws:iam::000000000000:user/alice": [
	    {"PolicyName": "put", "PolicyDocument": {"Version": "2012-10-17",
	      "Statement": {"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": "arn:aws:kinesis:us-east-1:000000000000:stream/s"}}},
	    {"PolicyName": "list", "PolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kinesis:ListStreams\",\"Resource\":\"*\"}}"}
	  ]
	}`)
	creds := credentialsFile(t, `[{"AccessKeyId": "AKIDALICE", "SecretAccessKey": "s", "Principal": "arn:aws:iam::000000000000:user/alice"}]`)
	var stderr bytes.Buffer
	cfg, err := parseServeFlags([]string{"--identity-policies", path, "--credentials", creds}, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	svc, err := kds.NewService(cfg.serviceOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	root := context.Background()
	if _, err := svc.CreateStream(root, kds.CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	as := func(principal string) context.Context {
		return kds.WithCaller(root, kds.Caller{Principal: principal})
	}
	alice, bob := as("arn:aws:iam::000000000000:user/alice"), as("arn:aws:iam::000000000000:user/bob")
	put := kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")}
	if _, err := svc.PutRecord(alice, put); err != nil {
		t.Errorf("alice PutRecord: %v", err)
	}
	if _, err := svc.ListStreams(alice, kds.ListStreamsInput{}); err != nil {
		t.Errorf("alice ListStreams: %v", err)
	}
	if _, err := svc.DeleteStream(alice, kds.DeleteStreamInput{StreamName: "s"}); !errors.Is(err, kds.ErrAccessDenied) {
		t.Errorf("alice DeleteStream: %v, want AccessDeniedException", err)
	}
	if _, err := svc.PutRecord(bob, put); !errors.Is(err, kds.ErrAccessDenied) {
		t.Errorf("bob PutRecord: %v, want AccessDeniedException", err)
	}

	// Without the flag, there is no access control.
	cfg, err = parseServeFlags(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	open, err := kds.NewService(cfg.serviceOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if _, err := open.ListStreams(bob, kds.ListStreamsInput{}); err != nil {
		t.Errorf("bob without access control: %v", err)
	}
}

func TestIdentityPoliciesFlagErrors(t *testing.T) {
	const alice = `"arn:aws:iam::000000000000:user/alice"`
	const doc = `{"Statement": {"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"}}`
	tests := []struct{ name, content, inStderr string }{
		{"not JSON", `{`, "unexpected EOF"},
		{"not an object", `[]`, "cannot unmarshal array"},
		{"unknown field", `{` + alice + `: [{"PolicyName": "p", "Document": {}}]}`, `unknown field "Document"`},
		{"no document", `{` + alice + `: [{"PolicyName": "p"}]}`, "no PolicyDocument"},
		{"bad document", `{` + alice + `: [{"PolicyName": "p", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "kinesis:*"}}}]}`, "Policy statement must contain resources."},
		{"principal in an identity policy", `{` + alice + `: [{"PolicyName": "p", "PolicyDocument": {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kinesis:*", "Resource": "*"}}}]}`, "should not specify a principal"},
		{"no policies", `{"alice": []}`, "alice has no policies"},
		{"bad principal", `{"alice": [{"PolicyName": "p", "PolicyDocument": ` + doc + `}]}`, "not the ARN of an IAM user, role or role session"},
		{"root", `{"arn:aws:iam::000000000000:root": [{"PolicyName": "p", "PolicyDocument": ` + doc + `}]}`, "account root"},
		{"bad name", `{` + alice + `: [{"PolicyName": "", "PolicyDocument": ` + doc + `}]}`, "policy name"},
		{"same name twice", `{` + alice + `: [{"PolicyName": "p", "PolicyDocument": ` + doc + `}, {"PolicyName": "p", "PolicyDocument": ` + doc + `}]}`, `two policies named "p"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runServe(context.Background(), []string{"--identity-policies", policiesFile(t, tt.content)}, &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tt.inStderr) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tt.inStderr)
			}
		})
	}
	var stderr bytes.Buffer
	if code := runServe(context.Background(), []string{"--identity-policies", filepath.Join(t.TempDir(), "none.json")}, new(bytes.Buffer), &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), "no such file") {
		t.Errorf("missing file: exit %d, %q", code, stderr.String())
	}
	// A good file without -credentials: every caller would be the account
	// root, whom identity policies do not govern.
	stderr.Reset()
	good := policiesFile(t, `{`+alice+`: [{"PolicyName": "p", "PolicyDocument": `+doc+`}]}`)
	if _, err := parseServeFlags([]string{"--identity-policies", good}, &stderr); err == nil ||
		!strings.Contains(stderr.String(), "-identity-policies needs -credentials") {
		t.Errorf("without -credentials: %v, %q", err, stderr.String())
	}
}
