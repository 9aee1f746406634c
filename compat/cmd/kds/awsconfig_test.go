package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestEndpointFromTheEnvironment checks that AWS_ENDPOINT_URL reaches the
// client as it does the SDK's, and that an endpoint needs no region.
func TestEndpointFromTheEnvironment(t *testing.T) {
	ts := newTestServer(t, map[string]int{"orders": 1})
	t.Setenv("AWS_ENDPOINT_URL", ts.url)
	r := runKDS(t, "", "streams").must(t)
	if r.stdout != "orders\n" {
		t.Errorf("stdout %q, want the stream's name", r.stdout)
	}
}

// TestProfileFromFlag checks that --profile picks a profile's region,
// endpoint and credentials from the shared files.
func TestProfileFromFlag(t *testing.T) {
	ts := newTestServer(t, map[string]int{"orders": 1})
	os.Unsetenv("AWS_ACCESS_KEY_ID")
	os.Unsetenv("AWS_SECRET_ACCESS_KEY")
	writeFile(t, os.Getenv("AWS_CONFIG_FILE"), fmt.Sprintf("[profile local]\nregion = eu-west-1\nendpoint_url = %s\n", ts.url))
	writeFile(t, os.Getenv("AWS_SHARED_CREDENTIALS_FILE"), "[local]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n")

	r := runKDS(t, "", "streams", "--profile", "local").must(t)
	if r.stdout != "orders\n" {
		t.Errorf("stdout %q, want the stream's name", r.stdout)
	}
	// Without the profile there are no credentials and no endpoint.
	r = runKDS(t, "", "streams", "--region", "eu-west-1", "--endpoint-url", ts.url)
	if r.code != exitFail {
		t.Errorf("without the profile: %v; want a failure", r)
	}
	r = runKDS(t, "", "streams", "--profile", "absent")
	if r.code != exitFail || !strings.Contains(r.stderr, "absent") {
		t.Errorf("an absent profile: %v; want a failure naming it", r)
	}
}

// TestNoRegion checks the message when neither a region nor an endpoint
// is configured.
func TestNoRegion(t *testing.T) {
	isolateAWSConfig(t)
	r := runKDS(t, "", "streams")
	if r.code != exitFail || !strings.Contains(r.stderr, "no AWS region") {
		t.Errorf("%v; want exit 1 with a message about the region", r)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
