package kds_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/iam"
)

// Tests of access control: identity and resource policies judging calls
// to a Service.

const (
	alice       = "arn:aws:iam::000000000000:user/alice"
	bob         = "arn:aws:iam::000000000000:user/bob"
	otherRoot   = "arn:aws:iam::111122223333:root"
	outsider    = "arn:aws:iam::111122223333:user/carol"
	ownerRoot   = "arn:aws:iam::000000000000:root"
	streamS     = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	streamT     = "arn:aws:kinesis:us-east-1:000000000000:stream/t"
	allowAllDoc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}}`
)

// as returns a context whose calls are made by principal.
func as(principal string) context.Context {
	return kds.WithCaller(ctx, kds.Caller{Principal: principal})
}

// policy is an identity or resource policy document with the given
// statements (JSON objects).
func policy(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// guarded returns a Service with access control on a ManualClock at
// testStart, its AccessControl, and the clock.
func guarded(t *testing.T, opts ...kds.Option) (*kds.Service, *kds.AccessControl, *kds.ManualClock) {
	t.Helper()
	ac := kds.NewAccessControl()
	svc, clock := newService(t, append(opts, kds.WithAccessControl(ac))...)
	return svc, ac, clock
}

// attach gives principal the identity policy doc, failing the test on
// error.
func attach(t *testing.T, ac *kds.AccessControl, principal, doc string) {
	t.Helper()
	if err := ac.PutIdentityPolicy(principal, "p", doc); err != nil {
		t.Fatalf("PutIdentityPolicy(%s): %v", principal, err)
	}
}

// wantDenied fails the test unless err is AccessDeniedException with the
// message msg, or any message when msg is "".
func wantDenied(t *testing.T, err error, msg string) {
	t.Helper()
	wantErr(t, err, kds.ErrAccessDenied, msg)
}

// wantNotDenied fails the test if err is AccessDeniedException.
func wantNotDenied(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, kds.ErrAccessDenied) {
		t.Fatalf("denied: %v", err)
	}
}

// implicitDeny is the message of a call no policy of type kind
// ("identity-based" or "resource-based") allows.
func implicitDeny(principal, action, resource, kind string) string {
	return "User: " + principal + " is not authorized to perform: kinesis:" + action + " on resource: " + resource +
		" because no " + kind + " policy allows the kinesis:" + action + " action"
}

// explicitDeny is the message of a call a Deny statement refused; kind is
// "an identity-based" or "a resource-based".
func explicitDeny(principal, action, resource, kind string) string {
	return "User: " + principal + " is not authorized to perform: kinesis:" + action + " on resource: " + resource +
		" with an explicit deny in " + kind + " policy"
}

// TestAccessEvaluation runs IAM's evaluation rules through the Service:
// each case gives alice (or another caller) identity policies, gives the
// stream s a resource policy, makes one call and expects it allowed or
// denied with a message.
func TestAccessEvaluation(t *testing.T) {
	type call struct {
		name string
		do   func(*kds.Service, context.Context) error
	}
	putTo := func(stream string) call {
		return call{"PutRecord " + stream, func(svc *kds.Service, c context.Context) error {
			_, err := svc.PutRecord(c, kds.PutRecordInput{StreamName: stream, PartitionKey: "k", Data: []byte("x")})
			return err
		}}
	}
	describe := func(stream string) call {
		return call{"DescribeStreamSummary " + stream, func(svc *kds.Service, c context.Context) error {
			_, err := svc.DescribeStreamSummary(c, kds.DescribeStreamSummaryInput{StreamName: stream})
			return err
		}}
	}
	deleteT := call{"DeleteStream t", func(svc *kds.Service, c context.Context) error {
		_, err := svc.DeleteStream(c, kds.DeleteStreamInput{StreamName: "t"})
		return err
	}}
	tag := func(tags map[string]string) call {
		return call{fmt.Sprint("TagResource ", tags), func(svc *kds.Service, c context.Context) error {
			_, err := svc.TagResource(c, kds.TagResourceInput{ResourceARN: streamS, Tags: tags})
			return err
		}}
	}
	untag := func(keys ...string) call {
		return call{fmt.Sprint("UntagResource ", keys), func(svc *kds.Service, c context.Context) error {
			_, err := svc.UntagResource(c, kds.UntagResourceInput{ResourceARN: streamS, TagKeys: keys})
			return err
		}}
	}
	// putToRetagged tags s Team=blue (beside its team=red) as the root,
	// then puts to it.
	putToRetagged := call{"PutRecord s tagged Team=blue and team=red", func(svc *kds.Service, c context.Context) error {
		if _, err := svc.TagResource(ctx, kds.TagResourceInput{ResourceARN: streamS, Tags: map[string]string{"Team": "blue"}}); err != nil {
			return err
		}
		_, err := svc.PutRecord(c, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")})
		return err
	}}
	listStreams := call{"ListStreams", func(svc *kds.Service, c context.Context) error {
		_, err := svc.ListStreams(c, kds.ListStreamsInput{})
		return err
	}}
	putPolicyCall := call{"PutResourcePolicy s", func(svc *kds.Service, c context.Context) error {
		_, err := svc.PutResourcePolicy(c, kds.PutResourcePolicyInput{ResourceARN: streamS, Policy: readPolicy})
		return err
	}}
	deletePolicyCall := call{"DeleteResourcePolicy s", func(svc *kds.Service, c context.Context) error {
		_, err := svc.DeleteResourcePolicy(c, kds.DeleteResourcePolicyInput{ResourceARN: streamS})
		return err
	}}

	tlsFrom := func(ip string) kds.Caller {
		return kds.Caller{Principal: alice, SourceIP: netip.MustParseAddr(ip)}
	}
	plainFrom := func(ip string) kds.Caller {
		c := tlsFrom(ip)
		c.Plaintext = true
		return c
	}
	allowPut := `{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"*"}`
	allowAny := `{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}`
	denyPlaintext := policy(`{"Effect":"Deny","Principal":"*","Action":"kinesis:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)
	denyAll := policy(`{"Effect":"Deny","Principal":"*","Action":"kinesis:*","Resource":"*"}`)
	fromTen := policy(`{"Effect":"Allow","Action":"kinesis:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`)
	notFromNets := policy(allowAny, `{"Effect":"Deny","Action":"kinesis:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}}`)
	tagDev := policy(`{"Effect":"Allow","Action":"kinesis:TagResource","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/env":"dev"},"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}}`)
	untagTeam := policy(`{"Effect":"Allow","Action":"kinesis:UntagResource","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}}`)
	principalA := policy(`{"Effect":"Allow","Principal":"*","Action":"kinesis:PutRecord","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::000000000000:user/a*"}}}`)
	toOtherAccount := policy(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kinesis:PutRecord","Resource":"` + streamS + `"}`)
	tests := []struct {
		name     string
		identity map[string]string // principal -> identity policy
		resource string            // resource policy of s, if any
		caller   kds.Caller
		call     call
		denied   string // "" if allowed, else the message ("-" for any)
	}{
		{name: "no policy means deny", call: putTo("s"),
			denied: implicitDeny(alice, "PutRecord", streamS, "identity-based")},
		{name: "allow", identity: map[string]string{alice: policy(allowPut)}, call: putTo("s")},
		{name: "another action is not allowed", identity: map[string]string{alice: policy(allowPut)}, call: describe("s"),
			denied: implicitDeny(alice, "DescribeStreamSummary", streamS, "identity-based")},
		{name: "another principal's policy does not count", identity: map[string]string{bob: policy(allowPut)}, call: putTo("s"),
			denied: implicitDeny(alice, "PutRecord", streamS, "identity-based")},
		{name: "deny beats allow", identity: map[string]string{alice: policy(allowAny,
			`{"Effect":"Deny","Action":"kinesis:PutRecord","Resource":"`+streamS+`"}`)}, call: putTo("s"),
			denied: explicitDeny(alice, "PutRecord", streamS, "an identity-based")},
		{name: "deny of another resource", identity: map[string]string{alice: policy(allowAny,
			`{"Effect":"Deny","Action":"kinesis:PutRecord","Resource":"`+streamT+`"}`)}, call: putTo("s")},
		{name: "action wildcard", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:Put*","Resource":"*"}`)}, call: putTo("s")},
		{name: "action wildcard misses", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:Put*","Resource":"*"}`)}, call: describe("s"), denied: "-"},
		{name: "action case-insensitive", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"Kinesis:putrecord","Resource":"*"}`)}, call: putTo("s")},
		{name: "NotAction allows the rest", identity: map[string]string{alice: policy(`{"Effect":"Allow","NotAction":"kinesis:Delete*","Resource":"*"}`)}, call: putTo("s")},
		{name: "NotAction leaves out", identity: map[string]string{alice: policy(`{"Effect":"Allow","NotAction":"kinesis:Delete*","Resource":"*"}`)}, call: deleteT,
			denied: implicitDeny(alice, "DeleteStream", streamT, "identity-based")},
		{name: "NotResource allows the rest", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:*","NotResource":"` + streamT + `"}`)}, call: putTo("s")},
		{name: "NotResource leaves out", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:*","NotResource":"` + streamT + `"}`)}, call: putTo("t"), denied: "-"},
		{name: "ARN wildcard", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"arn:aws:kinesis:*:000000000000:stream/?"}`)}, call: putTo("t")},
		{name: "ARN wildcard misses", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"arn:aws:kinesis:*:000000000000:stream/s*"}`)}, call: putTo("t"), denied: "-"},
		{name: "ARNs are case-sensitive", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"arn:aws:kinesis:us-east-1:000000000000:stream/S"}`)}, call: putTo("s"), denied: "-"},
		{name: "ResourceTag StringEquals", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"red"}}}`)}, call: putTo("s")},
		{name: "ResourceTag StringEquals misses", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"red"}}}`)}, call: putTo("t"), denied: "-"},
		{name: "ResourceTag StringLike", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"*","Condition":{"StringLike":{"aws:ResourceTag/team":"b*"}}}`)}, call: putTo("t")},
		{name: "ResourceTag of an untagged key", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"*","Condition":{"StringLike":{"aws:ResourceTag/owner":"*"}}}`)}, call: putTo("s"), denied: "-"},
		{name: "RequestTag and TagKeys", identity: map[string]string{alice: tagDev},
			call: tag(map[string]string{"env": "dev"})},
		{name: "RequestTag value refused", identity: map[string]string{alice: tagDev},
			call: tag(map[string]string{"env": "prod"}), denied: "-"},
		{name: "TagKeys refused", identity: map[string]string{alice: tagDev},
			call: tag(map[string]string{"env": "dev", "team": "blue"}), denied: "-"},
		{name: "RequestTag deny sees every spelling of the key", identity: map[string]string{alice: policy(allowAny,
			`{"Effect":"Deny","Action":"kinesis:TagResource","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/env":"prod"}}}`)},
			call: tag(map[string]string{"Env": "prod", "env": "dev"}), denied: explicitDeny(alice, "TagResource", streamS, "an identity-based")},
		{name: "RequestTag allow needs every spelling of the key", identity: map[string]string{alice: policy(
			`{"Effect":"Allow","Action":"kinesis:TagResource","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/env":"dev"}}}`)},
			call: tag(map[string]string{"Env": "prod", "env": "dev"}), denied: implicitDeny(alice, "TagResource", streamS, "identity-based")},
		{name: "ResourceTag deny sees every spelling of the key", identity: map[string]string{alice: policy(allowAny,
			`{"Effect":"Deny","Action":"kinesis:PutRecord","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}`)},
			call: putToRetagged, denied: explicitDeny(alice, "PutRecord", streamS, "an identity-based")},
		{name: "TagKeys of UntagResource", identity: map[string]string{alice: untagTeam},
			call: untag("x", "team")},
		{name: "TagKeys of UntagResource misses", identity: map[string]string{alice: untagTeam},
			call: untag("x"), denied: "-"},
		{name: "IpAddress", identity: map[string]string{alice: fromTen},
			caller: tlsFrom("10.1.2.3"), call: putTo("s")},
		{name: "IpAddress misses", identity: map[string]string{alice: fromTen},
			caller: tlsFrom("192.0.2.1"), call: putTo("s"), denied: "-"},
		{name: "IpAddress needs an address", identity: map[string]string{alice: fromTen},
			call: putTo("s"), denied: "-"},
		{name: "NotIpAddress deny", identity: map[string]string{alice: notFromNets},
			caller: tlsFrom("192.0.2.1"), call: putTo("s"), denied: explicitDeny(alice, "PutRecord", streamS, "an identity-based")},
		{name: "NotIpAddress deny spares", identity: map[string]string{alice: notFromNets},
			caller: tlsFrom("2001:db8::1"), call: putTo("s")},
		{name: "NotIpAddress deny holds in-process calls", identity: map[string]string{alice: notFromNets},
			call: putTo("s"), denied: explicitDeny(alice, "PutRecord", streamS, "an identity-based")},
		{name: "NotIpAddress deny with a Null guard spares in-process calls", identity: map[string]string{alice: policy(allowAny,
			`{"Effect":"Deny","Action":"kinesis:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Null":{"aws:SourceIp":"false"}}}`)},
			call: putTo("s")},
		{name: "SecureTransport deny of plaintext", identity: map[string]string{alice: allowAllDoc},
			resource: denyPlaintext,
			caller:   plainFrom("10.1.2.3"), call: putTo("s"), denied: explicitDeny(alice, "PutRecord", streamS, "a resource-based")},
		{name: "SecureTransport deny spares TLS", identity: map[string]string{alice: allowAllDoc},
			resource: denyPlaintext,
			caller:   tlsFrom("10.1.2.3"), call: putTo("s")},
		{name: "SecureTransport deny spares in-process calls", identity: map[string]string{alice: allowAllDoc},
			resource: denyPlaintext,
			call:     putTo("s")},
		{name: "resource policy names the principal", resource: policy(`{"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"kinesis:PutRecord","Resource":"` + streamS + `"}`),
			call: putTo("s")},
		{name: "resource policy naming the account delegates to identity policies", resource: policy(`{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"kinesis:PutRecord","Resource":"` + streamS + `"}`),
			call: putTo("s"), denied: implicitDeny(alice, "PutRecord", streamS, "identity-based")},
		{name: "resource policy deny beats identity allow", identity: map[string]string{alice: policy(allowPut)},
			resource: policy(`{"Effect":"Deny","Principal":{"AWS":"` + alice + `"},"Action":"kinesis:Put*","Resource":"` + streamS + `"}`),
			call:     putTo("s"), denied: explicitDeny(alice, "PutRecord", streamS, "a resource-based")},
		{name: "ArnLike on PrincipalArn", resource: principalA,
			call: putTo("s")},
		{name: "ArnLike on PrincipalArn misses", resource: principalA,
			caller: kds.Caller{Principal: bob}, call: putTo("s"), denied: implicitDeny(bob, "PutRecord", streamS, "identity-based")},
		{name: "PrincipalAccount", identity: map[string]string{outsider: policy(allowPut)},
			resource: policy(`{"Effect":"Allow","Principal":"*","Action":"kinesis:PutRecord","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}`),
			caller:   kds.Caller{Principal: outsider}, call: putTo("s")},
		{name: "another account with both policies", identity: map[string]string{outsider: policy(allowPut)},
			resource: toOtherAccount,
			caller:   kds.Caller{Principal: outsider}, call: putTo("s")},
		{name: "another account without a resource policy", identity: map[string]string{outsider: policy(allowPut)},
			caller: kds.Caller{Principal: outsider}, call: putTo("s"), denied: implicitDeny(outsider, "PutRecord", streamS, "resource-based")},
		{name: "another account without an identity policy",
			resource: toOtherAccount,
			caller:   kds.Caller{Principal: outsider}, call: putTo("s"), denied: implicitDeny(outsider, "PutRecord", streamS, "identity-based")},
		{name: "another account's root needs only the resource policy",
			resource: toOtherAccount,
			caller:   kds.Caller{Principal: otherRoot}, call: putTo("s")},
		{name: "another account's root without the resource policy",
			caller: kds.Caller{Principal: otherRoot}, call: putTo("s"), denied: implicitDeny(otherRoot, "PutRecord", streamS, "resource-based")},
		{name: "another account cannot attach a resource policy", identity: map[string]string{outsider: allowAllDoc},
			resource: policy(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kinesis:*","Resource":"` + streamS + `"}`),
			caller:   kds.Caller{Principal: outsider}, call: putPolicyCall, denied: implicitDeny(outsider, "PutResourcePolicy", streamS, "resource-based")},
		{name: "another account cannot make account-wide calls", identity: map[string]string{outsider: allowAllDoc},
			caller: kds.Caller{Principal: outsider}, call: listStreams, denied: implicitDeny(outsider, "ListStreams", "*", "resource-based")},
		{name: "account-wide call", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:ListStreams","Resource":"*"}`)}, call: listStreams},
		{name: "account-wide call needs Resource *", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:ListStreams","Resource":"` + streamS + `"}`)},
			call: listStreams, denied: implicitDeny(alice, "ListStreams", "*", "identity-based")},
		{name: "owner root needs no policy", caller: kds.Caller{Principal: ownerRoot}, call: deleteT},
		{name: "no principal is the owner root", caller: kds.Caller{SourceIP: netip.MustParseAddr("10.1.2.3")}, call: putTo("s")},
		{name: "owner root is held by a resource policy's deny",
			resource: denyAll,
			caller:   kds.Caller{Principal: ownerRoot}, call: putTo("s"), denied: explicitDeny(ownerRoot, "PutRecord", streamS, "a resource-based")},
		{name: "owner root can always remove a resource policy",
			resource: denyAll,
			caller:   kds.Caller{Principal: ownerRoot}, call: deletePolicyCall},
		{name: "others are held by a resource policy's deny of policy changes", identity: map[string]string{alice: allowAllDoc},
			resource: denyAll,
			call:     deletePolicyCall, denied: explicitDeny(alice, "DeleteResourcePolicy", streamS, "a resource-based")},
		{name: "role session governed by its role", identity: map[string]string{"arn:aws:iam::000000000000:role/app/writer": policy(allowPut)},
			caller: kds.Caller{Principal: "arn:aws:sts::000000000000:assumed-role/writer/s1"}, call: putTo("s")},
		{name: "role session sees its role as PrincipalArn",
			resource: policy(`{"Effect":"Allow","Principal":"*","Action":"kinesis:PutRecord","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::000000000000:role/writer"}}}`),
			caller:   kds.Caller{Principal: "arn:aws:sts::000000000000:assumed-role/writer/s1"}, call: putTo("s")},
		{name: "RequestedRegion", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}`)},
			call: putTo("s"), denied: "-"},
		{name: "CurrentTime", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2015-01-22T01:22:03Z"},"NumericEquals":{"aws:EpochTime":"1421889722"}}}`)},
			call: putTo("s")},
		{name: "CurrentTime misses", identity: map[string]string{alice: policy(`{"Effect":"Allow","Action":"kinesis:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2015-01-22T01:22:02Z"}}}`)},
			call: putTo("s"), denied: "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, ac, _ := guarded(t)
			// No cleanup: a resource policy may deny it, and the Service
			// goes with the test.
			for name, team := range map[string]string{"s": "red", "t": "blue"} {
				in := kds.CreateStreamInput{StreamName: name, ShardCount: 1, Tags: map[string]string{"team": team}}
				if _, err := svc.CreateStream(ctx, in); err != nil {
					t.Fatal(err)
				}
			}
			for principal, doc := range tt.identity {
				attach(t, ac, principal, doc)
			}
			if tt.resource != "" {
				putPolicy(t, svc, streamS, tt.resource)
			}
			caller := tt.caller
			if caller == (kds.Caller{}) {
				caller.Principal = alice
			}
			err := tt.call.do(svc, kds.WithCaller(ctx, caller))
			switch tt.denied {
			case "":
				if err != nil {
					t.Fatalf("%s: %v", tt.call.name, err)
				}
			case "-":
				wantDenied(t, err, "")
			default:
				wantDenied(t, err, tt.denied)
			}
		})
	}
}

// opCase is how one Service operation is authorised: its action, the
// resource it is authorised on, and a call of it by a caller.
type opCase struct {
	action, resource string
	call             func(svc *kds.Service, c context.Context) error
}

// everyOperation returns a case for every operation of the Service, all
// acting on the stream s (two shards, tagged, with a resource policy and
// an ACTIVE consumer c) that prepare creates, or on c.
func everyOperation(svc *kds.Service) map[string]opCase {
	consumer := efoARN("s", "c", testStart)
	it := func() string {
		out, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
		if err != nil {
			panic(err)
		}
		return out.ShardIterator
	}
	return map[string]opCase{
		"AddTagsToStream": {"AddTagsToStream", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.AddTagsToStream(c, kds.AddTagsToStreamInput{StreamName: "s", Tags: map[string]string{"a": "b"}})
			return err
		}},
		"CreateStream": {"CreateStream", streamARN("new"), func(svc *kds.Service, c context.Context) error {
			_, err := svc.CreateStream(c, kds.CreateStreamInput{StreamName: "new", ShardCount: 1})
			return err
		}},
		"DecreaseStreamRetentionPeriod": {"DecreaseStreamRetentionPeriod", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.DecreaseStreamRetentionPeriod(c, kds.DecreaseStreamRetentionPeriodInput{StreamName: "s", RetentionPeriodHours: 24})
			return err
		}},
		"DeleteResourcePolicy": {"DeleteResourcePolicy", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.DeleteResourcePolicy(c, kds.DeleteResourcePolicyInput{ResourceARN: streamS})
			return err
		}},
		"DeleteStream": {"DeleteStream", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.DeleteStream(c, kds.DeleteStreamInput{StreamARN: streamS, EnforceConsumerDeletion: true})
			return err
		}},
		"DeregisterStreamConsumer": {"DeregisterStreamConsumer", consumer, func(svc *kds.Service, c context.Context) error {
			_, err := svc.DeregisterStreamConsumer(c, kds.DeregisterStreamConsumerInput{StreamARN: streamS, ConsumerName: "c"})
			return err
		}},
		"DescribeLimits": {"DescribeLimits", "*", func(svc *kds.Service, c context.Context) error {
			_, err := svc.DescribeLimits(c, kds.DescribeLimitsInput{})
			return err
		}},
		"DescribeStream": {"DescribeStream", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.DescribeStream(c, kds.DescribeStreamInput{StreamName: "s"})
			return err
		}},
		"DescribeStreamConsumer": {"DescribeStreamConsumer", consumer, func(svc *kds.Service, c context.Context) error {
			_, err := svc.DescribeStreamConsumer(c, kds.DescribeStreamConsumerInput{StreamARN: streamS, ConsumerName: "c"})
			return err
		}},
		"DescribeStreamSummary": {"DescribeStreamSummary", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.DescribeStreamSummary(c, kds.DescribeStreamSummaryInput{StreamARN: streamS})
			return err
		}},
		"DisableEnhancedMonitoring": {"DisableEnhancedMonitoring", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.DisableEnhancedMonitoring(c, kds.DisableEnhancedMonitoringInput{StreamName: "s", ShardLevelMetrics: []string{"IncomingBytes"}})
			return err
		}},
		"EnableEnhancedMonitoring": {"EnableEnhancedMonitoring", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.EnableEnhancedMonitoring(c, kds.EnableEnhancedMonitoringInput{StreamName: "s", ShardLevelMetrics: []string{"IncomingBytes"}})
			return err
		}},
		"GetRecords": {"GetRecords", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.GetRecords(c, kds.GetRecordsInput{ShardIterator: it()})
			return err
		}},
		"GetResourcePolicy": {"GetResourcePolicy", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.GetResourcePolicy(c, kds.GetResourcePolicyInput{ResourceARN: streamS})
			return err
		}},
		"GetShardIterator": {"GetShardIterator", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.GetShardIterator(c, kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000001", ShardIteratorType: kds.ShardIteratorTypeLatest})
			return err
		}},
		"IncreaseStreamRetentionPeriod": {"IncreaseStreamRetentionPeriod", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.IncreaseStreamRetentionPeriod(c, kds.IncreaseStreamRetentionPeriodInput{StreamName: "s", RetentionPeriodHours: 72})
			return err
		}},
		"ListShards": {"ListShards", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.ListShards(c, kds.ListShardsInput{StreamName: "s"})
			return err
		}},
		"ListStreamConsumers": {"ListStreamConsumers", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.ListStreamConsumers(c, kds.ListStreamConsumersInput{StreamARN: streamS})
			return err
		}},
		"ListStreams": {"ListStreams", "*", func(svc *kds.Service, c context.Context) error {
			_, err := svc.ListStreams(c, kds.ListStreamsInput{})
			return err
		}},
		"ListTagsForResource": {"ListTagsForResource", consumer, func(svc *kds.Service, c context.Context) error {
			_, err := svc.ListTagsForResource(c, kds.ListTagsForResourceInput{ResourceARN: consumer})
			return err
		}},
		"ListTagsForStream": {"ListTagsForStream", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.ListTagsForStream(c, kds.ListTagsForStreamInput{StreamName: "s"})
			return err
		}},
		"MergeShards": {"MergeShards", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.MergeShards(c, kds.MergeShardsInput{StreamName: "s", ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000001"})
			return err
		}},
		"PutRecord": {"PutRecord", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.PutRecord(c, kds.PutRecordInput{StreamARN: streamS, PartitionKey: "k", Data: []byte("x")})
			return err
		}},
		"PutRecords": {"PutRecords", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.PutRecords(c, kds.PutRecordsInput{StreamName: "s", Records: []kds.PutRecordsRequestEntry{{PartitionKey: "k", Data: []byte("x")}}})
			return err
		}},
		"PutResourcePolicy": {"PutResourcePolicy", consumer, func(svc *kds.Service, c context.Context) error {
			_, err := svc.PutResourcePolicy(c, kds.PutResourcePolicyInput{ResourceARN: consumer, Policy: readPolicy})
			return err
		}},
		"RegisterStreamConsumer": {"RegisterStreamConsumer", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.RegisterStreamConsumer(c, kds.RegisterStreamConsumerInput{StreamARN: streamS, ConsumerName: "d"})
			return err
		}},
		"RemoveTagsFromStream": {"RemoveTagsFromStream", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.RemoveTagsFromStream(c, kds.RemoveTagsFromStreamInput{StreamName: "s", TagKeys: []string{"team"}})
			return err
		}},
		"SplitShard": {"SplitShard", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.SplitShard(c, kds.SplitShardInput{StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "1000"})
			return err
		}},
		"SubscribeToShard": {"SubscribeToShard", consumer, func(svc *kds.Service, c context.Context) error {
			_, err := svc.SubscribeToShard(c, kds.SubscribeToShardInput{ConsumerARN: consumer, ShardId: "shardId-000000000000", StartingPosition: kds.StartingPosition{Type: kds.ShardIteratorTypeLatest}})
			return err
		}},
		"TagResource": {"TagResource", consumer, func(svc *kds.Service, c context.Context) error {
			_, err := svc.TagResource(c, kds.TagResourceInput{ResourceARN: consumer, Tags: map[string]string{"a": "b"}})
			return err
		}},
		"UntagResource": {"UntagResource", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.UntagResource(c, kds.UntagResourceInput{ResourceARN: streamS, TagKeys: []string{"team"}})
			return err
		}},
		"UpdateMaxRecordSize": {"UpdateMaxRecordSize", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.UpdateMaxRecordSize(c, kds.UpdateMaxRecordSizeInput{StreamARN: streamS, MaxRecordSizeInKiB: 2048})
			return err
		}},
		"UpdateShardCount": {"UpdateShardCount", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.UpdateShardCount(c, kds.UpdateShardCountInput{StreamName: "s", TargetShardCount: 4, ScalingType: kds.ScalingTypeUniformScaling})
			return err
		}},
		"StartStreamEncryption": {"StartStreamEncryption", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.StartStreamEncryption(c, kds.StartStreamEncryptionInput{StreamName: "s", EncryptionType: kds.EncryptionKMS, KeyId: kds.AWSManagedKeyAlias})
			return err
		}},
		"StopStreamEncryption": {"StopStreamEncryption", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.StopStreamEncryption(c, kds.StopStreamEncryptionInput{StreamName: "s", EncryptionType: kds.EncryptionKMS, KeyId: kds.AWSManagedKeyAlias})
			return err
		}},
		"UpdateStreamMode": {"UpdateStreamMode", streamS, func(svc *kds.Service, c context.Context) error {
			_, err := svc.UpdateStreamMode(c, kds.UpdateStreamModeInput{StreamARN: streamS, StreamModeDetails: kds.StreamModeDetails{StreamMode: kds.StreamModeOnDemand}})
			return err
		}},
	}
}

// kinesisOperations returns the names of the Service's methods that are
// Kinesis operations: func(context.Context, XInput) (XOutput, error).
func kinesisOperations() []string {
	var ops []string
	typ := reflect.TypeOf(&kds.Service{})
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	for i := range typ.NumMethod() {
		m := typ.Method(i).Type // the receiver is argument 0
		if m.NumIn() == 3 && m.In(1) == ctxType && strings.HasSuffix(m.In(2).Name(), "Input") && m.NumOut() == 2 {
			ops = append(ops, typ.Method(i).Name)
		}
	}
	return ops
}

// TestEveryOperationIsAuthorised checks, for every operation of the
// Service, the action and the resource it is authorised with: a caller
// without a policy is denied with a message naming both, and one allowed
// exactly that action on exactly that resource gets through.
func TestEveryOperationIsAuthorised(t *testing.T) {
	svc0, _ := newService(t)
	cases := everyOperation(svc0)
	ops := kinesisOperations()
	for _, op := range ops {
		if _, ok := cases[op]; !ok {
			t.Errorf("%s has no case here", op)
		}
	}
	if len(cases) != len(ops) {
		t.Errorf("%d cases for %d operations %v", len(cases), len(ops), ops)
	}
	for _, op := range slices.Sorted(func(yield func(string) bool) {
		for k := range cases {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Run(op, func(t *testing.T) {
			svc, ac, _ := guarded(t)
			efoStream(t, svc, "s", 2)
			tagResource(t, svc, streamS, map[string]string{"team": "red"})
			efoRegister(t, svc, "s", "c")
			putPolicy(t, svc, streamS, readPolicy)
			if _, err := svc.IncreaseStreamRetentionPeriod(ctx, kds.IncreaseStreamRetentionPeriodInput{StreamName: "s", RetentionPeriodHours: 48}); err != nil {
				t.Fatal(err)
			}
			tc := everyOperation(svc)[op]
			err := tc.call(svc, as(alice))
			named := tc.resource
			if op == "DescribeStreamConsumer" || op == "DeregisterStreamConsumer" {
				// Called with StreamARN and ConsumerName, named so in a
				// denial (TestAccessConsumerNamedByStream).
				named = streamS + "/consumer/c"
			}
			wantDenied(t, err, implicitDeny(alice, tc.action, named, "identity-based"))
			// A policy for the same action on another resource, and one
			// for another action on the resource, do not help.
			attach(t, ac, alice, policy(
				`{"Effect":"Allow","Action":"kinesis:`+tc.action+`","Resource":"`+streamT+`"}`,
				`{"Effect":"Allow","Action":"kinesis:ListStreamConsumers","Resource":"`+tc.resource+`"}`))
			if op != "ListStreamConsumers" {
				wantDenied(t, tc.call(svc, as(alice)), "")
			}
			attach(t, ac, alice, policy(`{"Effect":"Allow","Action":"kinesis:`+tc.action+`","Resource":"`+tc.resource+`"}`))
			if op == "StartStreamEncryption" || op == "StopStreamEncryption" {
				// The stream alone is not enough: the KMS key is a second
				// resource of these two.
				key, err := svc.Keys().Key(kds.AWSManagedKeyAlias)
				if err != nil {
					t.Fatal(err)
				}
				wantDenied(t, tc.call(svc, as(alice)), implicitDeny(alice, tc.action, key.ARN, "identity-based"))
				attach(t, ac, alice, policy(`{"Effect":"Allow","Action":"kinesis:`+tc.action+`","Resource":["`+tc.resource+`","`+key.ARN+`"]}`))
			}
			if err := tc.call(svc, as(alice)); err != nil {
				t.Fatalf("allowed %s on %s: %v", tc.action, tc.resource, err)
			}
		})
	}
}

// A principal allowed StopStreamEncryption on a stream and on a KMS key of
// its own cannot turn off the stream's encryption under another key: naming
// its own key is refused (it is not the stream's), and naming the stream's
// key is denied (it may not use that key).
func TestAccessStopEncryptionNeedsTheStreamsKey(t *testing.T) {
	svc, ac, _ := guarded(t)
	createStream(t, svc, "s", 1)
	k1, k2 := svc.Keys().CreateKey(), svc.Keys().CreateKey()
	startEncryption(t, svc, "s", k1.ARN)
	attach(t, ac, alice, policy(`{"Effect":"Allow","Action":"kinesis:StopStreamEncryption","Resource":["`+streamS+`","`+k2.ARN+`"]}`))
	stop := func(key string) error {
		_, err := svc.StopStreamEncryption(as(alice), kds.StopStreamEncryptionInput{StreamName: "s", EncryptionType: kds.EncryptionKMS, KeyId: key})
		return err
	}
	wantErr(t, stop(k2.ARN), kds.ErrInvalidArgument, "Stream s under account 000000000000 is not encrypted with KMS key "+k2.ARN+".")
	wantDenied(t, stop(k1.ARN), implicitDeny(alice, "StopStreamEncryption", k1.ARN, "identity-based"))
	if typ, key := encryptionOf(t, svc, "s"); typ != kds.EncryptionKMS || key != k1.ARN {
		t.Fatalf("the stream is now %s %q, want still KMS under %s", typ, key, k1.ARN)
	}
}

// A caller without permission learns nothing about what exists: it is
// denied whether the resource exists or not. Once allowed, it gets the
// resource's own errors.
func TestAccessDeniedBeforeNotFound(t *testing.T) {
	svc, ac, clock := guarded(t)
	createStream(t, svc, "s", 1)
	nope := streamARN("nope")
	_, err := svc.DescribeStream(as(alice), kds.DescribeStreamInput{StreamName: "nope"})
	wantDenied(t, err, implicitDeny(alice, "DescribeStream", nope, "identity-based"))
	_, err = svc.GetResourcePolicy(as(alice), kds.GetResourcePolicyInput{ResourceARN: nope})
	wantDenied(t, err, implicitDeny(alice, "GetResourcePolicy", nope, "identity-based"))
	unknown := efoARN("s", "x", testStart)
	_, err = svc.DescribeStreamConsumer(as(alice), kds.DescribeStreamConsumerInput{ConsumerARN: unknown})
	wantDenied(t, err, implicitDeny(alice, "DescribeStreamConsumer", unknown, "identity-based"))

	attach(t, ac, alice, allowAllDoc)
	_, err = svc.DescribeStream(as(alice), kds.DescribeStreamInput{StreamName: "nope"})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("nope"))
	// An expired iterator is answered as expired, not as denied.
	attach(t, ac, alice, policy(`{"Effect":"Allow","Action":"kinesis:GetRecords","Resource":"`+streamS+`"}`))
	it := trimHorizon(t, svc, "s", "shardId-000000000000")
	clock.Advance(kds.IteratorLifetime + time.Second)
	_, err = svc.GetRecords(as(alice), kds.GetRecordsInput{ShardIterator: it})
	wantErr(t, err, kds.ErrExpiredIterator, "")
}

// A consumer named by StreamARN and ConsumerName is judged both as the
// registered consumer (so policies on its ARN, exact or with wildcards, and
// its resource policy apply) and as <StreamARN>/consumer/<name>, the name
// AWS's denials give it; a denial names it so, registered or not: a caller
// refused learns neither whether the consumer exists nor when it was
// registered.
func TestAccessConsumerNamedByStream(t *testing.T) {
	svc, ac, _ := guarded(t)
	efoStream(t, svc, "s", 1)
	registered := efoRegister(t, svc, "s", "real").ConsumerARN
	describe := func(c context.Context, name string) error {
		_, err := svc.DescribeStreamConsumer(c, kds.DescribeStreamConsumerInput{StreamARN: streamS, ConsumerName: name})
		return err
	}
	deregister := func(c context.Context, name string) error {
		_, err := svc.DeregisterStreamConsumer(c, kds.DeregisterStreamConsumerInput{StreamARN: streamS, ConsumerName: name})
		return err
	}
	for _, name := range []string{"real", "ghost"} {
		named := streamS + "/consumer/" + name
		wantDenied(t, describe(as(alice), name), implicitDeny(alice, "DescribeStreamConsumer", named, "identity-based"))
		wantDenied(t, deregister(as(alice), name), implicitDeny(alice, "DeregisterStreamConsumer", named, "identity-based"))
	}
	// Named by its ARN, it is denied under that ARN.
	_, err := svc.DescribeStreamConsumer(as(alice), kds.DescribeStreamConsumerInput{ConsumerARN: registered})
	wantDenied(t, err, implicitDeny(alice, "DescribeStreamConsumer", registered, "identity-based"))

	// Policies may name it by its ARN, exactly or with wildcards, or by the
	// name the request gives it (as AWS's denials name it).
	short := streamS + "/consumer/real"
	for _, resource := range []string{registered, short, streamS + "/consumer/real:*", streamS + "/consumer/*"} {
		attach(t, ac, alice, policy(`{"Effect":"Allow","Action":"kinesis:DescribeStreamConsumer","Resource":"`+resource+`"}`))
		if err := describe(as(alice), "real"); err != nil {
			t.Errorf("allowed on %s: %v", resource, err)
		}
		attach(t, ac, alice, policy(`{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}`, `{"Effect":"Deny","Action":"kinesis:DescribeStreamConsumer","Resource":"`+resource+`"}`))
		wantDenied(t, describe(as(alice), "real"), explicitDeny(alice, "DescribeStreamConsumer", short, "an identity-based"))
	}
	putPolicy(t, svc, registered, policy(`{"Effect":"Allow","Principal":{"AWS":"`+bob+`"},"Action":"kinesis:DescribeStreamConsumer","Resource":"`+registered+`"}`))
	if err := describe(as(bob), "real"); err != nil {
		t.Errorf("allowed by the consumer's resource policy: %v", err)
	}
}

// A ListShards NextToken names the stream it lists, so a caller allowed
// on that stream alone can page through it, and an expired token is
// answered as expired.
func TestListShardsTokenNamesItsStream(t *testing.T) {
	svc, ac, clock := guarded(t)
	createStream(t, svc, "s", 3)
	attach(t, ac, alice, policy(`{"Effect":"Allow","Action":"kinesis:ListShards","Resource":"`+streamS+`"}`))
	out, err := svc.ListShards(as(alice), kds.ListShardsInput{StreamName: "s", MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	next := kds.ListShardsInput{NextToken: out.NextToken, MaxResults: 1}
	if _, err := svc.ListShards(as(alice), next); err != nil {
		t.Fatalf("next page: %v", err)
	}
	_, err = svc.ListShards(as(bob), next)
	wantDenied(t, err, implicitDeny(bob, "ListShards", streamS, "identity-based"))
	clock.Advance(kds.NextTokenLifetime + time.Second)
	_, err = svc.ListShards(as(alice), next)
	wantErr(t, err, kds.ErrExpiredNextToken, "")
}

// The Go-native face acts for ctx's Caller too: Stream.Put as PutRecord,
// the readers as GetShardIterator and GetRecords.
func TestGoNativeMethodsAreAuthorised(t *testing.T) {
	svc, ac, _ := guarded(t)
	createStream(t, svc, "s", 1)
	s, _ := svc.Stream("s")
	read := func(seq func(func(kds.Record, error) bool)) error {
		for _, err := range seq {
			return err
		}
		return nil
	}
	_, err := s.Put(as(alice), "k", []byte("x"))
	wantDenied(t, err, implicitDeny(alice, "PutRecord", streamS, "identity-based"))
	wantDenied(t, read(s.Replay(as(alice), kds.TrimHorizon())), implicitDeny(alice, "GetShardIterator", streamS, "identity-based"))
	wantDenied(t, read(s.Records(as(alice), kds.TrimHorizon())), "")
	wantDenied(t, read(s.ShardRecords(as(alice), "0", kds.TrimHorizon())), "")

	attach(t, ac, alice, policy(`{"Effect":"Allow","Action":["kinesis:PutRecord","kinesis:GetShardIterator"],"Resource":"`+streamS+`"}`))
	if _, err := s.Put(as(alice), "k", []byte("x")); err != nil {
		t.Fatal(err)
	}
	wantDenied(t, read(s.Replay(as(alice), kds.TrimHorizon())), implicitDeny(alice, "GetRecords", streamS, "identity-based"))
	attach(t, ac, alice, policy(`{"Effect":"Allow","Action":["kinesis:PutRecord","kinesis:GetShardIterator","kinesis:GetRecords"],"Resource":"`+streamS+`"}`))
	if err := read(s.Replay(as(alice), kds.TrimHorizon())); err != nil {
		t.Fatal(err)
	}
	if err := read(s.ShardRecords(as(alice), "0", kds.TrimHorizon())); err != nil {
		t.Fatal(err)
	}
	// Without a Caller, the account root reads.
	if n := replayCount(t, svc, "s"); n != 1 {
		t.Errorf("root replayed %d records, want 1", n)
	}
}

func TestPutIdentityPolicyRefuses(t *testing.T) {
	ac := kds.NewAccessControl()
	for _, principal := range []string{"", "alice", ownerRoot, "000000000000", "arn:aws:iam::000000000000:group/g", "arn:aws:iam::123:user/alice", "arn:aws:sts::000000000000:assumed-role/", "arn:aws:iam::000000000000:user/"} {
		if err := ac.PutIdentityPolicy(principal, "p", allowAllDoc); err == nil {
			t.Errorf("PutIdentityPolicy(%q) took it", principal)
		}
	}
	for _, name := range []string{"", "a b", strings.Repeat("n", 129)} {
		if err := ac.PutIdentityPolicy(alice, name, allowAllDoc); err == nil {
			t.Errorf("PutIdentityPolicy(name %q) took it", name)
		}
	}
	err := ac.PutIdentityPolicy(alice, "p", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kinesis:*","Resource":"*"}}`)
	var perr *iam.ParseError
	if !errors.As(err, &perr) || perr.Msg != "Policy document should not specify a principal." {
		t.Errorf("a resource-style document: %v", err)
	}
}

// Policies are named: a put replaces the policy of that name, and a
// delete removes it, leaving the others.
func TestIdentityPoliciesByName(t *testing.T) {
	svc, ac, _ := guarded(t)
	createStream(t, svc, "s", 1)
	describe := func() error {
		_, err := svc.DescribeStreamSummary(as(alice), kds.DescribeStreamSummaryInput{StreamName: "s"})
		return err
	}
	put := func(name, action string) {
		t.Helper()
		if err := ac.PutIdentityPolicy(alice, name, policy(`{"Effect":"Allow","Action":"kinesis:`+action+`","Resource":"*"}`)); err != nil {
			t.Fatal(err)
		}
	}
	put("describe", "DescribeStreamSummary")
	put("list", "ListStreams")
	wantNotDenied(t, describe())
	put("describe", "DescribeStream")
	wantDenied(t, describe(), "")
	put("describe", "DescribeStreamSummary")
	ac.DeleteIdentityPolicy(alice, "list")
	wantNotDenied(t, describe())
	ac.DeleteIdentityPolicy(alice, "describe")
	ac.DeleteIdentityPolicy(alice, "never there")
	wantDenied(t, describe(), "")
}

// Policies may change while calls run.
func TestAccessControlConcurrency(t *testing.T) {
	svc, ac, _ := guarded(t)
	createStream(t, svc, "s", 1)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				if i%2 == 0 {
					if j%2 == 0 {
						attach(t, ac, alice, allowAllDoc)
					} else {
						ac.DeleteIdentityPolicy(alice, "p")
					}
					continue
				}
				_, err := svc.PutRecord(as(alice), kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")})
				if err != nil && !errors.Is(err, kds.ErrAccessDenied) {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestWithAccessControlNil(t *testing.T) {
	if _, err := kds.NewService(kds.WithAccessControl(nil)); err == nil {
		t.Fatal("NewService took a nil AccessControl")
	}
}

// The zero AccessControl is ready to use.
func TestAccessControlZeroValue(t *testing.T) {
	var ac kds.AccessControl
	svc, _ := newService(t, kds.WithAccessControl(&ac))
	createStream(t, svc, "s", 1)
	ac.DeleteIdentityPolicy(alice, "p")
	_, err := svc.ListStreams(as(alice), kds.ListStreamsInput{})
	wantDenied(t, err, "")
	attach(t, &ac, alice, allowAllDoc)
	if _, err := svc.ListStreams(as(alice), kds.ListStreamsInput{}); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPutRecordAccess measures what access control adds to a
// PutRecord: none configured, the account root, and a principal with an
// identity policy and a stream with a resource policy.
func BenchmarkPutRecordAccess(b *testing.B) {
	for _, bc := range []struct {
		name   string
		access bool
		caller string
	}{{"off", false, ""}, {"root", true, ""}, {"policies", true, alice}} {
		b.Run(bc.name, func(b *testing.B) {
			ac := kds.NewAccessControl()
			opts := []kds.Option{kds.WithThroughputLimits(kds.NoLimits)}
			if bc.access {
				opts = append(opts, kds.WithAccessControl(ac))
			}
			svc, err := kds.NewService(opts...)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
				b.Fatal(err)
			}
			if err := ac.PutIdentityPolicy(alice, "p", policy(`{"Effect":"Allow","Action":"kinesis:Put*","Resource":"`+streamS+`"}`)); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.PutResourcePolicy(ctx, kds.PutResourcePolicyInput{ResourceARN: streamS, Policy: readPolicy}); err != nil {
				b.Fatal(err)
			}
			c := kds.WithCaller(ctx, kds.Caller{Principal: bc.caller})
			in := kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: make([]byte, 100)}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.PutRecord(c, in); err != nil {
					b.Fatal(err)
				}
			}
			svc.TrimExpired()
		})
	}
}

// A Producer's calls act for its configured Caller: alice may put and
// list shards, so her producer stores the record; bob may not, so his
// record fails with AccessDeniedException, which is not retried.
func TestAccessProducerActsForItsCaller(t *testing.T) {
	// In a bubble, the refused producer's record expires without a wait.
	synctest.Test(t, func(t *testing.T) {
		svc, ac, _ := guarded(t)
		createStream(t, svc, "s", 1)
		attach(t, ac, alice, policy(`{"Effect":"Allow","Action":["kinesis:PutRecords","kinesis:ListShards"],"Resource":"`+streamS+`"}`))
		for _, tc := range []struct {
			principal string
			want      error
		}{{alice, nil}, {bob, kds.ErrAccessDenied}} {
			p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "s", Client: svc, Caller: kds.Caller{Principal: tc.principal}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Put(ctx, "k", []byte("x"))
			if (tc.want == nil) != (err == nil) || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("%s's producer: Put = %+v, %v; want %v", tc.principal, res, err, tc.want)
			}
			if err := p.Close(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}
