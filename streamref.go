package kds

import (
	"strings"
	"time"

	"github.com/kdsgo/kds/internal/awsarn"
)

// streamRef names a stream the way Kinesis requests do: by StreamName,
// StreamARN or both.
type streamRef struct {
	name, arn string
}

// streamARNPattern is the API model's pattern for a stream ARN.
const streamARNPattern = `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`

// checkStreamRef adds the violations of a stream reference. Kinesis lists
// them after those of the request's other members.
func (v *violations) checkStreamRef(ref streamRef) {
	if ref.name != "" {
		v.checkName(ref.name, "streamName")
	}
	if ref.arn == "" {
		return
	}
	if len(ref.arn) > 2048 {
		v.add(quote(ref.arn), "streamARN", lengthAtMost(2048))
	}
	if _, _, _, _, ok := awsarn.ParseStream(ref.arn); !ok {
		v.add(quote(ref.arn), "streamARN", matchPattern(streamARNPattern))
	}
}

// resolve finishes validating a request whose other members' violations
// are in v: it adds those of the stream reference (Kinesis lists them
// last), returns the ValidationException if there are any, and otherwise
// finds the stream at the current time, which it returns too.
func (svc *Service) resolve(v violations, ref streamRef) (*Stream, time.Time, error) {
	v.checkStreamRef(ref)
	if err := v.err(); err != nil {
		return nil, time.Time{}, err
	}
	now := svc.clock.Now()
	s, err := svc.lookup(ref, now)
	return s, now, err
}

// lookup finds the stream a validated reference addresses. An ARN must be
// of this Service's partition, region and account, and must agree with the
// name if both are given.
func (svc *Service) lookup(ref streamRef, now time.Time) (*Stream, error) {
	name := ref.name
	if ref.arn != "" {
		partition, region, account, arnName, _ := awsarn.ParseStream(ref.arn)
		switch {
		case name != "" && name != arnName:
			return nil, newError(codeInvalidArgument, "StreamARN %s and StreamName %s do not refer to the same stream.", ref.arn, ref.name)
		case partition != svc.partition() || region != svc.cfg.region || account != svc.cfg.accountID:
			return nil, newError(codeResourceNotFound, "Stream %s under account %s not found.", arnName, account)
		}
		name = arnName
	}
	if name == "" {
		return nil, newError(codeInvalidArgument, "Either StreamName or StreamARN must be provided.")
	}
	svc.mu.RLock()
	s, ok := svc.streams[name]
	svc.mu.RUnlock()
	if !ok || s.gone(now) {
		return nil, svc.notFound(name)
	}
	s.settle(now)
	return s, nil
}

// partition returns the AWS partition of the Service's region, as it
// appears in ARNs.
func (svc *Service) partition() string { return partitionOf(svc.cfg.region) }

// partitionOf returns the AWS partition of region.
func partitionOf(region string) string {
	switch r := region; {
	case strings.HasPrefix(r, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(r, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}
