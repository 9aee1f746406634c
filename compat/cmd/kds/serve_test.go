package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/startup"
	"github.com/kdsgo/kds/compat/kinesisapi"
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
		cacheBytes: kds.DefaultSegmentCacheBytes,
	}
	creds := credentialsFile(t, `[{"AccessKeyId": "AKID", "SecretAccessKey": "s", "Principal": "arn:aws:iam::000000000000:user/a"}]`)
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
		{"credentials, which turn the dashboard off", []string{"--credentials", creds}, func(c *serveConfig) {
			c.credentialsFile = creds
			c.credentials = []kinesisapi.Credential{{AccessKeyID: "AKID", SecretAccessKey: "s", Principal: "arn:aws:iam::000000000000:user/a"}}
			c.dashboard = false
		}},
		{"credentials and the dashboard asked for", []string{"--credentials", creds, "--dashboard"}, func(c *serveConfig) {
			c.credentialsFile = creds
			c.credentials = []kinesisapi.Credential{{AccessKeyID: "AKID", SecretAccessKey: "s", Principal: "arn:aws:iam::000000000000:user/a"}}
		}},
		{"allow-from", []string{"--allow-from", "10.0.0.0/8,::1", "--allow-from=192.0.2.1"}, func(c *serveConfig) {
			c.allowFrom = prefixFlags{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("192.0.2.1/32")}
		}},
		{"require TLS", []string{"--require-tls", "--tls"}, func(c *serveConfig) { c.requireTLS, c.tls = true, true }},
		{"audit", []string{"--audit-log", "audit.jsonl", "--audit-data-events"}, func(c *serveConfig) { c.auditLog, c.auditData = "audit.jsonl", true }},
		{"data dir", []string{"--data-dir", "d", "--sync", "os", "--segment-cache-bytes", "33554432"}, func(c *serveConfig) {
			c.dataDir, c.sync, c.cacheBytes = "d", syncFlag{kds.SyncByOS()}, 32<<20
		}},
		{"data dir, sync interval", []string{"--data-dir", "d", "--sync=100ms"}, func(c *serveConfig) {
			c.dataDir, c.sync = "d", syncFlag{kds.SyncInterval(100 * time.Millisecond)}
		}},
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
		{"sync without a data dir", []string{"--sync", "always"}, "-sync and -segment-cache-bytes need -data-dir"},
		{"bad sync", []string{"--data-dir", "d", "--sync", "sometimes"}, `want always, os or an interval such as 100ms, not "sometimes"`},
		{"tiny segment cache", []string{"--data-dir", t.TempDir(), "--segment-cache-bytes", "1000"}, "-segment-cache-bytes 1000: below 16 MiB"},
		{"streams over the shard limit", []string{"--shard-limit", "3", "--stream", "s:4"}, "LimitExceededException"},
		{"negative create delay", []string{"--create-stream-delay", "-1s"}, "-create-stream-delay -1s: must not be negative"},
		{"negative delete delay", []string{"--delete-stream-delay=-5ms"}, "-delete-stream-delay -5ms: must not be negative"},
		{"negative update delay", []string{"-update-stream-delay", "-1m"}, "-update-stream-delay -1m0s: must not be negative"},
		{"delay not a duration", []string{"--create-stream-delay", "5"}, "invalid value"},
		{"shard limit zero", []string{"--shard-limit", "0"}, "WithShardLimit"},
		{"bad log level", []string{"--log-level", "loud"}, "invalid value"},
		{"cert without key", []string{"--tls-cert", "c.pem"}, "-tls-cert and -tls-key go together"},
		{"bad bool", []string{"--limits=maybe"}, "invalid boolean value"},
		{"require-tls without TLS", []string{"--require-tls"}, "-require-tls needs -tls or -tls-cert and -tls-key"},
		{"allow-from not a CIDR", []string{"--allow-from", "10.0.0.0/8,intranet"}, `invalid value "10.0.0.0/8,intranet" for flag -allow-from: "intranet" is neither a CIDR nor an IP address`},
		{"credentials file absent", []string{"--credentials", "/nonexistent/keys.json"}, "-credentials: open /nonexistent/keys.json: no such file or directory"},
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

// serveInBackground runs kds serve with args until the test ends, and
// returns the URLs of its first n start-up lines. When the test ends it
// stops the server and checks that it exited cleanly.
func serveInBackground(t *testing.T, n int, args ...string) []string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	out, outW := io.Pipe()
	var stderr bytes.Buffer // read only once run has returned
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), outW, &stderr)
		outW.Close()
	}()
	lines := bufio.NewScanner(out)
	var urls []string
	for range n {
		if !lines.Scan() {
			stop()
			<-exit
			t.Fatalf("start-up lines missing; got %q; stderr:\n%s", urls, stderr.String())
		}
		fields := strings.Fields(lines.Text())
		urls = append(urls, fields[len(fields)-1])
	}
	go io.Copy(io.Discard, out)
	t.Cleanup(func() {
		stop()
		if code := <-exit; code != exitOK {
			t.Errorf("exit code %d; stderr:\n%s", code, stderr.String())
		}
	})
	return urls
}
