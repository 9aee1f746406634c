package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kdsgo/kds/compat/kinesisapi"
)

// credentialsFile writes content to a file in a new temporary directory
// and returns its path.
func credentialsFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials.json")
	writeFile(t, path, content)
	return path
}

func TestReadCredentials(t *testing.T) {
	path := credentialsFile(t, `[
		{"AccessKeyId": "AKIDPRODUCER", "SecretAccessKey": "p-secret", "Principal": "arn:aws:iam::123456789012:user/producer"},
		{"AccessKeyId": "ASIA_TEMP", "SecretAccessKey": "t-secret", "SessionToken": "tok", "Principal": "arn:aws:sts::123456789012:assumed-role/reader/s1"},
		{"AccessKeyId": "root1", "SecretAccessKey": "r-secret"}
	]`)
	got, err := readCredentials(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []kinesisapi.Credential{
		{AccessKeyID: "AKIDPRODUCER", SecretAccessKey: "p-secret", Principal: "arn:aws:iam::123456789012:user/producer"},
		{AccessKeyID: "ASIA_TEMP", SecretAccessKey: "t-secret", SessionToken: "tok", Principal: "arn:aws:sts::123456789012:assumed-role/reader/s1"},
		{AccessKeyID: "root1", SecretAccessKey: "r-secret"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read %+v\nwant %+v", got, want)
	}
}

func TestReadCredentialsErrors(t *testing.T) {
	tests := []struct {
		name, content, inErr string
	}{
		{"not JSON", `AKID:secret`, "invalid character"},
		{"an object, not a list", `{"AccessKeyId": "A", "SecretAccessKey": "s"}`, "want a JSON list"},
		{"misspelt field", `[{"AccessKeyId": "A", "SecretAccessKey": "s", "Principle": "arn:aws:iam::123456789012:user/a"}]`, `unknown field "Principle"`},
		{"two values", `[] []`, "more than one JSON value"},
		{"empty list", `[]`, "no access keys"},
		{"no id", `[{"SecretAccessKey": "s"}]`, "key 1: AccessKeyId missing"},
		{"id with a slash", `[{"AccessKeyId": "A/B", "SecretAccessKey": "s"}]`, `AccessKeyId "A/B": only letters, digits and _ allowed`},
		{"id with a space", `[{"AccessKeyId": "A B", "SecretAccessKey": "s"}]`, "only letters, digits and _ allowed"},
		{"no secret", `[{"AccessKeyId": "A", "SecretAccessKey": "s"}, {"AccessKeyId": "B"}]`, `key 2: AccessKeyId "B": SecretAccessKey missing`},
		{"same id twice", `[{"AccessKeyId": "A", "SecretAccessKey": "s"}, {"AccessKeyId": "A", "SecretAccessKey": "t"}]`, `key 2: AccessKeyId "A" appears twice`},
		{"principal not an ARN", `[{"AccessKeyId": "A", "SecretAccessKey": "s", "Principal": "alice"}]`, `Principal "alice" is not an IAM or STS ARN`},
		{"principal of another service", `[{"AccessKeyId": "A", "SecretAccessKey": "s", "Principal": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}]`, "is not an IAM or STS ARN"},
		{"principal with a short account", `[{"AccessKeyId": "A", "SecretAccessKey": "s", "Principal": "arn:aws:iam::1234:user/a"}]`, "is not an IAM or STS ARN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := credentialsFile(t, tt.content)
			_, err := readCredentials(path)
			if err == nil || !strings.Contains(err.Error(), tt.inErr) || !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("error %v, want one naming the file and containing %q", err, tt.inErr)
			}
		})
	}
	if _, err := readCredentials(filepath.Join(t.TempDir(), "absent.json")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("absent file: error %v", err)
	}
}
