package kds

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kdsgo/kds/internal/coral"
)

// Shard-level metric names, as EnableEnhancedMonitoring takes them. "ALL"
// stands for every one.
var shardLevelMetricNames = []string{
	"IncomingBytes",
	"IncomingRecords",
	"OutgoingBytes",
	"OutgoingRecords",
	"WriteProvisionedThroughputExceeded",
	"ReadProvisionedThroughputExceeded",
	"IteratorAgeMilliseconds",
}

// metricsAll is the name that enables or disables every shard-level metric.
const metricsAll = "ALL"

// metricSet is a set of shard-level metrics, one bit per entry of
// shardLevelMetricNames.
type metricSet uint32

// names lists the set's metrics in the order of shardLevelMetricNames.
func (m metricSet) names() []string {
	out := []string{}
	for i, n := range shardLevelMetricNames {
		if m&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// metricNamed returns the set holding the one metric named n, and whether
// there is such a metric.
func metricNamed(n string) (metricSet, bool) {
	i := slices.Index(shardLevelMetricNames, n)
	if i < 0 {
		return 0, false
	}
	return 1 << i, true
}

// EnableEnhancedMonitoringInput is the input of
// [Service.EnableEnhancedMonitoring].
type EnableEnhancedMonitoringInput struct {
	StreamName string
	StreamARN  string
	// ShardLevelMetrics to turn on: 1 to 7 metric names, or "ALL".
	ShardLevelMetrics []string
}

// DisableEnhancedMonitoringInput is the input of
// [Service.DisableEnhancedMonitoring].
type DisableEnhancedMonitoringInput struct {
	StreamName string
	StreamARN  string
	// ShardLevelMetrics to turn off: 1 to 7 metric names, or "ALL".
	ShardLevelMetrics []string
}

// EnhancedMonitoringOutput is the output of both
// [Service.EnableEnhancedMonitoring] and [Service.DisableEnhancedMonitoring]:
// the stream's shard-level metrics before and after the call.
type EnhancedMonitoringOutput struct {
	StreamName               string
	StreamARN                string
	CurrentShardLevelMetrics []string
	DesiredShardLevelMetrics []string
}

// EnableEnhancedMonitoring turns on shard-level metrics of a stream. The
// set shows in DescribeStream and DescribeStreamSummary.
func (svc *Service) EnableEnhancedMonitoring(ctx context.Context, in EnableEnhancedMonitoringInput) (EnhancedMonitoringOutput, error) {
	return run(svc, ctx, opEnableEnhancedMonitoring, in, (*Service).enableEnhancedMonitoring)
}

// enableEnhancedMonitoring is the body of [Service.EnableEnhancedMonitoring].
func (svc *Service) enableEnhancedMonitoring(ctx context.Context, in EnableEnhancedMonitoringInput) (EnhancedMonitoringOutput, error) {
	return svc.changeMonitoring(streamRef{in.StreamName, in.StreamARN}, in.ShardLevelMetrics, func(cur, m metricSet) metricSet { return cur | m })
}

// DisableEnhancedMonitoring turns off shard-level metrics of a stream.
func (svc *Service) DisableEnhancedMonitoring(ctx context.Context, in DisableEnhancedMonitoringInput) (EnhancedMonitoringOutput, error) {
	return run(svc, ctx, opDisableEnhancedMonitoring, in, (*Service).disableEnhancedMonitoring)
}

// disableEnhancedMonitoring is the body of [Service.DisableEnhancedMonitoring].
func (svc *Service) disableEnhancedMonitoring(ctx context.Context, in DisableEnhancedMonitoringInput) (EnhancedMonitoringOutput, error) {
	return svc.changeMonitoring(streamRef{in.StreamName, in.StreamARN}, in.ShardLevelMetrics, func(cur, m metricSet) metricSet { return cur &^ m })
}

// changeMonitoring validates names, then replaces the stream's metric set
// with change(current, named) while the stream is ACTIVE.
func (svc *Service) changeMonitoring(ref streamRef, names []string, change func(cur, named metricSet) metricSet) (EnhancedMonitoringOutput, error) {
	var v violations
	named := v.checkMetricNames(names)
	s, now, err := svc.resolve(v, ref)
	if err != nil {
		return EnhancedMonitoringOutput{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.requireActive(now); err != nil {
		return EnhancedMonitoringOutput{}, err
	}
	cur := metricSet(s.metrics.Load())
	next := change(cur, named)
	s.metrics.Store(uint32(next))
	if err := s.saveLocked(); err != nil {
		return EnhancedMonitoringOutput{}, err
	}
	return EnhancedMonitoringOutput{
		StreamName:               s.name,
		StreamARN:                s.arn,
		CurrentShardLevelMetrics: cur.names(),
		DesiredShardLevelMetrics: next.names(),
	}, nil
}

// checkMetricNames adds the violations of a ShardLevelMetrics input and
// returns the set it names.
func (v *violations) checkMetricNames(names []string) metricSet {
	const path = "shardLevelMetrics"
	rendered := "'[" + strings.Join(names, ", ") + "]'"
	switch {
	case names == nil:
		v.add("null", path, coral.MustNotBeNull)
		return 0
	case len(names) == 0:
		v.add(rendered, path, lengthAtLeast(1))
	case len(names) > len(shardLevelMetricNames):
		v.add(rendered, path, lengthAtMost(len(shardLevelMetricNames)))
	}
	var set metricSet
	valid := true
	for _, n := range names {
		if n == metricsAll {
			set = 1<<len(shardLevelMetricNames) - 1
			continue
		}
		m, ok := metricNamed(n)
		valid = valid && ok
		set |= m
	}
	if !valid {
		v.add(rendered, path, fmt.Sprintf("Member must satisfy constraint: [%s]",
			enumValues(append(shardLevelMetricNames[:len(shardLevelMetricNames):len(shardLevelMetricNames)], metricsAll)...)))
	}
	return set
}
