package kds

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/kdsgo/kds/iam"
	"github.com/kdsgo/kds/internal/coral"
)

// policySlot returns where the target's resource policy is kept. The
// policy lives and dies with its stream or consumer: deleting either drops
// it, and a stream created again under the same name starts without one.
func (t tagTarget) policySlot() *atomic.Pointer[iam.Policy] {
	if t.consumer != nil {
		return &t.consumer.policy
	}
	return &t.stream.policy
}

// PutResourcePolicyInput is the input of [Service.PutResourcePolicy].
type PutResourcePolicyInput struct {
	// ResourceARN is required: the ARN of a stream or of a registered
	// consumer.
	ResourceARN string
	// Policy is required: a resource-based policy document in IAM's JSON
	// policy language, whose statements each name a Principal (or
	// NotPrincipal). At most [iam.MaxResourcePolicyBytes] bytes.
	Policy string
}

// PutResourcePolicyOutput is the (empty) output of
// [Service.PutResourcePolicy].
type PutResourcePolicyOutput struct{}

// PutResourcePolicy attaches a resource-based policy to a stream, which
// must be ACTIVE or UPDATING, or to a consumer, replacing the policy it
// had. With [WithAccessControl], the policy takes part in authorising
// every call on that resource, and can grant other accounts' principals
// access to it; without, it is only stored. A document IAM would refuse
// fails with InvalidArgumentException and changes nothing.
func (svc *Service) PutResourcePolicy(ctx context.Context, in PutResourcePolicyInput) (PutResourcePolicyOutput, error) {
	return run(svc, ctx, opPutResourcePolicy, in, (*Service).putResourcePolicy)
}

// putResourcePolicy is the body of [Service.PutResourcePolicy].
func (svc *Service) putResourcePolicy(ctx context.Context, in PutResourcePolicyInput) (PutResourcePolicyOutput, error) {
	var v violations
	if in.Policy == "" {
		v.add("null", "policy", coral.MustNotBeNull)
	}
	target, now, err := svc.resolveResource(v, in.ResourceARN)
	if err != nil {
		return PutResourcePolicyOutput{}, err
	}
	p, err := iam.Parse(iam.ResourcePolicy, in.ResourceARN, []byte(in.Policy))
	if err != nil {
		msg := err.Error()
		if perr := (*iam.ParseError)(nil); errors.As(err, &perr) {
			msg = perr.Msg
		}
		return PutResourcePolicyOutput{}, newError(codeInvalidArgument, "%s", msg)
	}
	// A policy changes in the states tags do.
	if err := target.requireTaggable(now); err != nil {
		return PutResourcePolicyOutput{}, err
	}
	s := target.stream
	s.mu.Lock()
	defer s.mu.Unlock()
	target.policySlot().Store(p)
	return PutResourcePolicyOutput{}, s.saveLocked()
}

// GetResourcePolicyInput is the input of [Service.GetResourcePolicy].
type GetResourcePolicyInput struct {
	// ResourceARN is required: the ARN of a stream or of a registered
	// consumer.
	ResourceARN string
}

// GetResourcePolicyOutput carries a resource's policy document.
type GetResourcePolicyOutput struct {
	// Policy is the document as PutResourcePolicy was given it, or "{}"
	// when the resource has no policy.
	Policy string
}

// noPolicy is what GetResourcePolicy returns for a resource without a
// policy, as Kinesis does.
const noPolicy = "{}"

// GetResourcePolicy returns the resource-based policy of a stream or a
// consumer.
func (svc *Service) GetResourcePolicy(ctx context.Context, in GetResourcePolicyInput) (GetResourcePolicyOutput, error) {
	return run(svc, ctx, opGetResourcePolicy, in, (*Service).getResourcePolicy)
}

// getResourcePolicy is the body of [Service.GetResourcePolicy].
func (svc *Service) getResourcePolicy(ctx context.Context, in GetResourcePolicyInput) (GetResourcePolicyOutput, error) {
	target, _, err := svc.resolveResource(nil, in.ResourceARN)
	if err != nil {
		return GetResourcePolicyOutput{}, err
	}
	if p := target.policySlot().Load(); p != nil {
		return GetResourcePolicyOutput{Policy: p.Document}, nil
	}
	return GetResourcePolicyOutput{Policy: noPolicy}, nil
}

// DeleteResourcePolicyInput is the input of [Service.DeleteResourcePolicy].
type DeleteResourcePolicyInput struct {
	// ResourceARN is required: the ARN of a stream or of a registered
	// consumer.
	ResourceARN string
}

// DeleteResourcePolicyOutput is the (empty) output of
// [Service.DeleteResourcePolicy].
type DeleteResourcePolicyOutput struct{}

// DeleteResourcePolicy removes the resource-based policy of a stream,
// which must be ACTIVE or UPDATING, or of a consumer. A resource without
// a policy fails with ResourceNotFoundException.
func (svc *Service) DeleteResourcePolicy(ctx context.Context, in DeleteResourcePolicyInput) (DeleteResourcePolicyOutput, error) {
	return run(svc, ctx, opDeleteResourcePolicy, in, (*Service).deleteResourcePolicy)
}

// deleteResourcePolicy is the body of [Service.DeleteResourcePolicy].
func (svc *Service) deleteResourcePolicy(ctx context.Context, in DeleteResourcePolicyInput) (DeleteResourcePolicyOutput, error) {
	target, now, err := svc.resolveResource(nil, in.ResourceARN)
	if err != nil {
		return DeleteResourcePolicyOutput{}, err
	}
	if err := target.requireTaggable(now); err != nil {
		return DeleteResourcePolicyOutput{}, err
	}
	s := target.stream
	s.mu.Lock()
	defer s.mu.Unlock()
	if target.policySlot().Swap(nil) == nil {
		return DeleteResourcePolicyOutput{}, newError(codeResourceNotFound, "No resource policy found for resource ARN %s.", in.ResourceARN)
	}
	return DeleteResourcePolicyOutput{}, s.saveLocked()
}
