package kds_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// Tests of PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy
// on their own, without access control (access_test.go has the policies
// at work).

// readPolicy is a resource policy letting account 111122223333 read the
// stream s.
const readPolicy = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "read",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStreamSummary"],
    "Resource": "arn:aws:kinesis:us-east-1:000000000000:stream/s"
  }]
}`

// getPolicy returns GetResourcePolicy's Policy, failing the test on error.
func getPolicy(t *testing.T, svc *kds.Service, arn string) string {
	t.Helper()
	out, err := svc.GetResourcePolicy(ctx, kds.GetResourcePolicyInput{ResourceARN: arn})
	if err != nil {
		t.Fatalf("GetResourcePolicy(%s): %v", arn, err)
	}
	return out.Policy
}

// putPolicy attaches doc to arn, failing the test on error.
func putPolicy(t *testing.T, svc *kds.Service, arn, doc string) {
	t.Helper()
	if _, err := svc.PutResourcePolicy(ctx, kds.PutResourcePolicyInput{ResourceARN: arn, Policy: doc}); err != nil {
		t.Fatalf("PutResourcePolicy(%s): %v", arn, err)
	}
}

// A stream and its consumer each have a policy of their own: "{}" until
// one is put, the document exactly as put, replaced by the next put, and
// "{}" again once deleted. Deleting a policy that is not there fails.
func TestResourcePolicyRoundTrip(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	consumer := efoRegister(t, svc, "s", "c").ConsumerARN
	for _, arn := range []string{streamARN("s"), consumer} {
		t.Run(arn, func(t *testing.T) {
			if got := getPolicy(t, svc, arn); got != "{}" {
				t.Fatalf("no policy yet: %q, want {}", got)
			}
			putPolicy(t, svc, arn, readPolicy)
			if got := getPolicy(t, svc, arn); got != readPolicy {
				t.Fatalf("GetResourcePolicy = %q, want the document as put", got)
			}
			other := strings.Replace(readPolicy, "111122223333", "444455556666", 1)
			putPolicy(t, svc, arn, other)
			if got := getPolicy(t, svc, arn); got != other {
				t.Fatalf("after a second put: %q", got)
			}
			if _, err := svc.DeleteResourcePolicy(ctx, kds.DeleteResourcePolicyInput{ResourceARN: arn}); err != nil {
				t.Fatal(err)
			}
			if got := getPolicy(t, svc, arn); got != "{}" {
				t.Fatalf("after delete: %q, want {}", got)
			}
			_, err := svc.DeleteResourcePolicy(ctx, kds.DeleteResourcePolicyInput{ResourceARN: arn})
			wantErr(t, err, kds.ErrResourceNotFound, "No resource policy found for resource ARN "+arn+".")
		})
	}
	// The consumer's policy is not the stream's.
	putPolicy(t, svc, consumer, readPolicy)
	if got := getPolicy(t, svc, streamARN("s")); got != "{}" {
		t.Errorf("the stream has its consumer's policy: %q", got)
	}
}

func TestPutResourcePolicyRefusesBadDocuments(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	arn := streamARN("s")
	tests := []struct{ name, doc, msg string }{
		{"not JSON", `{"Statement": [`, "Syntax errors in policy."},
		{"no principal", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}}`, "Missing required field Principal"},
		{"bad effect", `{"Statement":{"Effect":"Maybe","Principal":"*","Action":"kinesis:*","Resource":"*"}}`, "Invalid effect: Maybe"},
		{"no actions", `{"Statement":{"Effect":"Allow","Principal":"*","Resource":"*"}}`, "Policy statement must contain actions."},
		{"bad principal", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"kinesis:*","Resource":"*"}}`, "Invalid principal in policy"},
		{"too big", `{"Statement":[` + strings.Repeat(" ", 20*1024) + `]}`, "Cannot exceed quota for PolicySize: 20480"},
	}
	putPolicy(t, svc, arn, readPolicy)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.PutResourcePolicy(ctx, kds.PutResourcePolicyInput{ResourceARN: arn, Policy: tt.doc})
			wantErr(t, err, kds.ErrInvalidArgument, tt.msg)
			if got := getPolicy(t, svc, arn); got != readPolicy {
				t.Fatalf("a refused put changed the policy to %q", got)
			}
		})
	}
}

func TestResourcePolicyValidation(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	_, err := svc.PutResourcePolicy(ctx, kds.PutResourcePolicyInput{})
	wantViolations(t, err, violation("null", "policy", notNull), violation("null", "resourceARN", notNull))
	_, err = svc.PutResourcePolicy(ctx, kds.PutResourcePolicyInput{ResourceARN: "s", Policy: readPolicy})
	wantViolations(t, err, violation("'s'", "resourceARN", resourceARNConstraint))
	_, err = svc.GetResourcePolicy(ctx, kds.GetResourcePolicyInput{})
	wantViolations(t, err, violation("null", "resourceARN", notNull))
	_, err = svc.DeleteResourcePolicy(ctx, kds.DeleteResourcePolicyInput{ResourceARN: streamARN("s") + "/consumer/c"})
	wantViolations(t, err, violation("'"+streamARN("s")+"/consumer/c'", "resourceARN", resourceARNConstraint))
}

func TestResourcePolicyNotFound(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	unknown := efoARN("s", "x", testStart)
	tests := []struct{ name, arn, msg string }{
		{"unknown stream", streamARN("nope"), notFound("nope")},
		{"other account", "arn:aws:kinesis:us-east-1:111111111111:stream/s", "Stream s under account 111111111111 not found."},
		{"unknown consumer", unknown, "Consumer " + unknown + " under stream s under account " + testAccount + " not found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.PutResourcePolicy(ctx, kds.PutResourcePolicyInput{ResourceARN: tt.arn, Policy: readPolicy})
			wantErr(t, err, kds.ErrResourceNotFound, tt.msg)
			_, err = svc.GetResourcePolicy(ctx, kds.GetResourcePolicyInput{ResourceARN: tt.arn})
			wantErr(t, err, kds.ErrResourceNotFound, tt.msg)
			_, err = svc.DeleteResourcePolicy(ctx, kds.DeleteResourcePolicyInput{ResourceARN: tt.arn})
			wantErr(t, err, kds.ErrResourceNotFound, tt.msg)
		})
	}
}

// A policy goes with its resource: a stream created again under the same
// name, or a consumer registered again, starts without one. A stream's
// policy changes only while it is ACTIVE or UPDATING.
func TestResourcePolicyGoesWithResource(t *testing.T) {
	const delay = time.Second
	svc, clock := newService(t, kds.WithStatusDelay(delay))
	arn := streamARN("s")
	efoStream(t, svc, "s", 1)
	_, err := svc.PutResourcePolicy(ctx, kds.PutResourcePolicyInput{ResourceARN: arn, Policy: readPolicy})
	wantErr(t, err, kds.ErrResourceInUse, "Stream s under account "+testAccount+" not ACTIVE, instead in state CREATING")
	clock.Advance(delay)
	putPolicy(t, svc, arn, readPolicy)
	c := efoRegister(t, svc, "s", "c").ConsumerARN
	putPolicy(t, svc, c, readPolicy) // a CREATING consumer takes one
	clock.Advance(delay)
	if _, err := svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput{ConsumerARN: c}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(delay)
	again := efoRegister(t, svc, "s", "c").ConsumerARN
	if got := getPolicy(t, svc, again); got != "{}" {
		t.Errorf("consumer registered again: %q, want {}", got)
	}

	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s", EnforceConsumerDeletion: true}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.DeleteResourcePolicy(ctx, kds.DeleteResourcePolicyInput{ResourceARN: arn})
	wantErr(t, err, kds.ErrResourceInUse, "Stream s under account "+testAccount+" not ACTIVE, instead in state DELETING")
	if got := getPolicy(t, svc, arn); got != readPolicy {
		t.Errorf("DELETING stream: %q, want its policy", got)
	}
	clock.Advance(delay)
	efoStream(t, svc, "s", 1)
	if got := getPolicy(t, svc, arn); got != "{}" {
		t.Errorf("stream created again: %q, want {}", got)
	}
}
