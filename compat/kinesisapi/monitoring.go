package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

type enhancedMonitoringInput struct {
	StreamName        string   `json:"StreamName"`
	StreamARN         string   `json:"StreamARN"`
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

type enhancedMonitoringOutput struct {
	StreamName               string   `json:"StreamName,omitempty"`
	StreamARN                string   `json:"StreamARN,omitempty"`
	CurrentShardLevelMetrics []string `json:"CurrentShardLevelMetrics"`
	DesiredShardLevelMetrics []string `json:"DesiredShardLevelMetrics"`
}

func enableEnhancedMonitoring(ctx context.Context, svc *kds.Service, in enhancedMonitoringInput) (any, error) {
	out, err := svc.EnableEnhancedMonitoring(ctx, kds.EnableEnhancedMonitoringInput{
		StreamName: in.StreamName, StreamARN: in.StreamARN, ShardLevelMetrics: in.ShardLevelMetrics,
	})
	return monitoringOutput(out), err
}

func disableEnhancedMonitoring(ctx context.Context, svc *kds.Service, in enhancedMonitoringInput) (any, error) {
	out, err := svc.DisableEnhancedMonitoring(ctx, kds.DisableEnhancedMonitoringInput{
		StreamName: in.StreamName, StreamARN: in.StreamARN, ShardLevelMetrics: in.ShardLevelMetrics,
	})
	return monitoringOutput(out), err
}

func monitoringOutput(out kds.EnhancedMonitoringOutput) enhancedMonitoringOutput {
	return enhancedMonitoringOutput{
		StreamName:               out.StreamName,
		StreamARN:                out.StreamARN,
		CurrentShardLevelMetrics: out.CurrentShardLevelMetrics,
		DesiredShardLevelMetrics: out.DesiredShardLevelMetrics,
	}
}
