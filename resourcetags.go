package kds

import (
	"context"
	"time"

	"github.com/kdsgo/kds/internal/awsarn"
	"github.com/kdsgo/kds/internal/coral"
)

// resourceARNPattern is the API model's pattern for the ResourceARN of the
// tagging operations. Of the resources it admits, kds has streams and
// their consumers.
const resourceARNPattern = `arn:aws.*:kinesis:.*:\d{12}:.*(stream|channel)/\S+`

// checkResourceARN adds the violations of a ResourceARN: it is required,
// at most 2048 characters, and must be a stream's or a consumer's ARN.
func (v *violations) checkResourceARN(arn string) {
	if arn == "" {
		v.add("null", "resourceARN", coral.MustNotBeNull)
		return
	}
	if len(arn) > 2048 {
		v.add(quote(arn), "resourceARN", lengthAtMost(2048))
	}
	_, _, _, _, isStream := awsarn.ParseStream(arn)
	if _, _, isConsumer := parseConsumerARN(arn); !isStream && !isConsumer {
		v.add(quote(arn), "resourceARN", matchPattern(resourceARNPattern))
	}
}

// resolveResource finishes validating a request whose other members'
// violations are in v: it adds those of the ResourceARN, returns the
// ValidationException if there are any, and otherwise finds the stream or
// consumer the ARN names at the current time, which it returns too.
func (svc *Service) resolveResource(v violations, arn string) (tagTarget, time.Time, error) {
	v.checkResourceARN(arn)
	if err := v.err(); err != nil {
		return tagTarget{}, time.Time{}, err
	}
	now := svc.clock.Now()
	if _, _, ok := parseConsumerARN(arn); ok {
		c, err := svc.findConsumer("", "", arn, now)
		if err != nil {
			return tagTarget{}, now, err
		}
		return tagTarget{stream: c.stream, consumer: c}, now, nil
	}
	s, err := svc.lookup(streamRef{arn: arn}, now)
	if err != nil {
		return tagTarget{}, now, err
	}
	return tagTarget{stream: s}, now, nil
}

// TagResourceInput is the input of [Service.TagResource].
type TagResourceInput struct {
	// ResourceARN is required: the ARN of a stream or of a registered
	// consumer.
	ResourceARN string
	// Tags to add or overwrite, as for [Service.AddTagsToStream]: 1 to 200
	// per call, keys 1-128 characters, values 0-256; a stream or consumer
	// holds at most [MaxTagsPerStream].
	Tags map[string]string
}

// TagResourceOutput is the (empty) output of [Service.TagResource].
type TagResourceOutput struct{}

// TagResource adds tags to a stream or a consumer, or overwrites their
// values. A stream has one set of tags, which [Service.AddTagsToStream]
// changes too, and it must be ACTIVE or UPDATING; a consumer's tags are
// its own. The whole call fails, changing nothing, if any tag is invalid
// or the resource would exceed [MaxTagsPerStream].
func (svc *Service) TagResource(ctx context.Context, in TagResourceInput) (TagResourceOutput, error) {
	return run(svc, ctx, opTagResource, in, (*Service).tagResource)
}

// tagResource is the body of [Service.TagResource].
func (svc *Service) tagResource(ctx context.Context, in TagResourceInput) (TagResourceOutput, error) {
	var v violations
	v.checkTagsForm(in.Tags)
	target, now, err := svc.resolveResource(v, in.ResourceARN)
	if err != nil {
		return TagResourceOutput{}, err
	}
	return TagResourceOutput{}, svc.addTags(target, now, in.Tags)
}

// UntagResourceInput is the input of [Service.UntagResource].
type UntagResourceInput struct {
	// ResourceARN is required: the ARN of a stream or of a registered
	// consumer.
	ResourceARN string
	// TagKeys to remove: 1 to 50. Keys the resource does not have are
	// ignored.
	TagKeys []string
}

// UntagResourceOutput is the (empty) output of [Service.UntagResource].
type UntagResourceOutput struct{}

// UntagResource removes tags from a stream, which must be ACTIVE or
// UPDATING, or from a consumer.
func (svc *Service) UntagResource(ctx context.Context, in UntagResourceInput) (UntagResourceOutput, error) {
	return run(svc, ctx, opUntagResource, in, (*Service).untagResource)
}

// untagResource is the body of [Service.UntagResource].
func (svc *Service) untagResource(ctx context.Context, in UntagResourceInput) (UntagResourceOutput, error) {
	var v violations
	v.checkTagKeys(in.TagKeys)
	target, now, err := svc.resolveResource(v, in.ResourceARN)
	if err != nil {
		return UntagResourceOutput{}, err
	}
	return UntagResourceOutput{}, svc.removeTags(target, now, in.TagKeys)
}

// ListTagsForResourceInput is the input of [Service.ListTagsForResource].
type ListTagsForResourceInput struct {
	// ResourceARN is required: the ARN of a stream or of a registered
	// consumer.
	ResourceARN string
}

// ListTagsForResourceOutput lists a resource's tags in key order.
type ListTagsForResourceOutput struct {
	Tags []Tag
}

// ListTagsForResource lists all the tags of a stream or a consumer, in
// key order.
func (svc *Service) ListTagsForResource(ctx context.Context, in ListTagsForResourceInput) (ListTagsForResourceOutput, error) {
	return run(svc, ctx, opListTagsForResource, in, (*Service).listTagsForResource)
}

// listTagsForResource is the body of [Service.ListTagsForResource].
func (svc *Service) listTagsForResource(ctx context.Context, in ListTagsForResourceInput) (ListTagsForResourceOutput, error) {
	target, _, err := svc.resolveResource(nil, in.ResourceARN)
	if err != nil {
		return ListTagsForResourceOutput{}, err
	}
	return ListTagsForResourceOutput{Tags: target.listTags()}, nil
}
