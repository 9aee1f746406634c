package main

import (
	"bytes"
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/startup"
)

func TestParseServeFlags(t *testing.T) {
	defaults := serveConfig{
		addr:       "127.0.0.1:4567",
		region:     "us-east-1",
		accountID:  "000000000000",
		shardLimit: kds.DefaultShardLimit,
		limits:     true,
		logLevel:   slog.LevelInfo,
		dashboard:  true,
	}
	tests := []struct {
		name string
		args []string
		want func(*serveConfig)
	}{
		{"defaults", nil, func(*serveConfig) {}},
		{"double dashes", []string{"--addr", ":0", "--region=eu-west-1", "--account-id", "123456789012"}, func(c *serveConfig) {
			c.addr, c.region, c.accountID = ":0", "eu-west-1", "123456789012"
		}},
		{"single dashes", []string{"-addr=:0", "-shard-limit", "10", "-limits=false", "-log-level", "warn"}, func(c *serveConfig) {
			c.addr, c.shardLimit, c.limits, c.logLevel = ":0", 10, false, slog.LevelWarn
		}},
		{"delays", []string{"--create-stream-delay", "500ms", "--delete-stream-delay=1s", "--update-stream-delay", "2m"}, func(c *serveConfig) {
			c.delays = kds.StatusDelays{Create: 500 * time.Millisecond, Delete: time.Second, Update: 2 * time.Minute}
		}},
		{"streams", []string{"--stream", "orders:4", "--stream=clicks", "-stream", "a.b-c_d:1"}, func(c *serveConfig) {
			c.streams = streamFlags{{Name: "orders", Shards: 4}, {Name: "clicks", Shards: 1}, {Name: "a.b-c_d", Shards: 1}}
		}},
		{"self-signed TLS", []string{"--tls"}, func(c *serveConfig) { c.tls = true }},
		{"no dashboard", []string{"--dashboard=false"}, func(c *serveConfig) { c.dashboard = false }},
		{"TLS files", []string{"--tls-cert", "c.pem", "--tls-key", "k.pem"}, func(c *serveConfig) { c.tlsCert, c.tlsKey = "c.pem", "k.pem" }},
		{"metrics", []string{"--metrics-addr", ":9090"}, func(c *serveConfig) { c.metricsAddr = ":9090" }},
		{"audit", []string{"--audit-log", "audit.jsonl", "--audit-data-events"}, func(c *serveConfig) { c.auditLog, c.auditData = "audit.jsonl", true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			got, err := parseServeFlags(tt.args, &stderr)
			if err != nil {
				t.Fatalf("parseServeFlags(%q): %v\n%s", tt.args, err, stderr.String())
			}
			want := defaults
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("parseServeFlags(%q) =\n%+v, want\n%+v", tt.args, got, want)
			}
		})
	}
}

func TestServeUsageErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		inStderr string
	}{
		{"unknown flag", []string{"--port", "4567"}, "flag provided but not defined: -port"},
		{"leftover argument", []string{"--addr", ":0", "extra"}, `unexpected argument "extra"`},
		{"stream without name", []string{"--stream", ":2"}, "missing stream name"},
		{"empty stream", []string{"--stream", ""}, "missing stream name"},
		{"zero shards", []string{"--stream", "s:0"}, `shard count "0" is not a positive integer`},
		{"negative shards", []string{"--stream", "s:-1"}, `shard count "-1"`},
		{"shards not a number", []string{"--stream", "s:two"}, `shard count "two"`},
		{"empty shard count", []string{"--stream", "s:"}, `shard count ""`},
		{"stream name Kinesis refuses", []string{"--stream", "bad name"}, "Member must satisfy regular expression pattern"},
		{"same stream twice", []string{"--stream", "s", "--stream", "s:2"}, "ResourceInUseException"},
		{"streams over the shard limit", []string{"--shard-limit", "3", "--stream", "s:4"}, "LimitExceededException"},
		{"negative create delay", []string{"--create-stream-delay", "-1s"}, "-create-stream-delay -1s: must not be negative"},
		{"negative delete delay", []string{"--delete-stream-delay=-5ms"}, "-delete-stream-delay -5ms: must not be negative"},
		{"negative update delay", []string{"-update-stream-delay", "-1m"}, "-update-stream-delay -1m0s: must not be negative"},
		{"delay not a duration", []string{"--create-stream-delay", "5"}, "invalid value"},
		{"shard limit zero", []string{"--shard-limit", "0"}, "WithShardLimit"},
		{"bad log level", []string{"--log-level", "loud"}, "invalid value"},
		{"cert without key", []string{"--tls-cert", "c.pem"}, "-tls-cert and -tls-key go together"},
		{"bad bool", []string{"--limits=maybe"}, "invalid boolean value"},
		{"audit data events without a log", []string{"--audit-data-events"}, "-audit-data-events needs -audit-log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"serve"}, tt.args...), strings.NewReader(""), &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tt.inStderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.inStderr, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout.String())
			}
		})
	}
}

func TestServiceOptions(t *testing.T) {
	for _, limits := range []bool{true, false} {
		cfg := serveConfig{region: "eu-west-1", accountID: "123456789012", shardLimit: 7, limits: limits}
		svc, err := kds.NewService(cfg.serviceOptions()...)
		if err != nil {
			t.Fatal(err)
		}
		if err := startup.CreateStreams(context.Background(), svc, []startup.Stream{{Name: "s", Shards: 2}}); err != nil {
			t.Fatal(err)
		}
		s, _ := svc.Stream("s")
		want := kds.NoLimits
		if limits {
			want = kds.KinesisLimits()
		}
		if got := s.ThroughputLimits(); got != want {
			t.Errorf("limits=%v: stream limits %+v, want %+v", limits, got, want)
		}
		if got, want := s.ARN(), "arn:aws:kinesis:eu-west-1:123456789012:stream/s"; got != want {
			t.Errorf("ARN %s, want %s", got, want)
		}
		svc.Close()
	}
}
