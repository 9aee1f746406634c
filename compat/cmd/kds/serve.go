package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/dashboard"
	"github.com/kdsgo/kds/compat/internal/startup"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// serveConfig is what kds serve's flags ask for.
type serveConfig struct {
	addr        string
	region      string
	accountID   string
	delays      kds.StatusDelays
	shardLimit  int
	streams     streamFlags
	limits      bool
	tls         bool
	tlsCert     string
	tlsKey      string
	logLevel    slog.Level
	dashboard   bool
	metricsAddr string // address of the /metrics listener; "" for none
	// credentialsFile names the access keys to verify signatures against;
	// check reads them into credentials.
	credentialsFile string
	credentials     []kinesisapi.Credential
	allowFrom       prefixFlags // addresses connections are accepted from; empty for any
	requireTLS      bool
	auditLog        string // file of the audit trail; "-" for stderr, "" for none
	auditData       bool   // the audit trail records data events too
	// identityPolicies turns access control on when given.
	identityPolicies identityPoliciesFlag
	dataDir          string // where the streams are kept; "" for memory
	sync             syncFlag
	cacheBytes       int64 // the segment cache's budget; 0 for the default
}

// parseServeFlags parses kds serve's arguments. It reports problems to
// stderr itself and returns [flag.ErrHelp] if help was asked for.
func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	fs := flag.NewFlagSet("kds serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: kds serve [flags]")
		fmt.Fprintln(fs.Output(), "\nServe the Kinesis Data Streams API over HTTP, in memory.")
		fmt.Fprintln(fs.Output(), "Flags may be written -flag or --flag.")
		fmt.Fprintln(fs.Output(), "\nflags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:4567", "listen on `host:port`; port 0 picks a free port (the start-up line shows it)")
	fs.StringVar(&cfg.region, "region", "us-east-1", "`region` used in stream ARNs and error messages")
	fs.StringVar(&cfg.accountID, "account-id", "000000000000", "12-digit AWS account `id` used in stream ARNs and error messages")
	fs.DurationVar(&cfg.delays.Create, "create-stream-delay", 0, "how long streams (and consumers) stay CREATING")
	fs.DurationVar(&cfg.delays.Delete, "delete-stream-delay", 0, "how long streams (and consumers) stay DELETING")
	fs.DurationVar(&cfg.delays.Update, "update-stream-delay", 0, "how long streams stay UPDATING after a reshard")
	fs.IntVar(&cfg.shardLimit, "shard-limit", kds.DefaultShardLimit, "the account's shard quota: the most open shards of all streams together")
	fs.Var(&cfg.streams, "stream", "create stream `NAME[:SHARDS]` (default 1 shard) at start-up and wait until it is ACTIVE; repeatable")
	fs.BoolVar(&cfg.limits, "limits", true, "enforce Kinesis's per-shard throughput limits (1 MiB/s and 1,000 records/s in, 2 MiB/s and 5 GetRecords/s out); -limits=false turns them off")
	fs.BoolVar(&cfg.tls, "tls", false, "serve HTTPS with a self-signed certificate for localhost, 127.0.0.1 and ::1, made at start-up")
	fs.StringVar(&cfg.tlsCert, "tls-cert", "", "serve HTTPS with the PEM certificate in `file` (needs -tls-key)")
	fs.StringVar(&cfg.tlsKey, "tls-key", "", "PEM private key `file` for -tls-cert")
	fs.BoolVar(&cfg.dashboard, "dashboard", true, "serve a web dashboard of the streams at "+dashboardPath+" (GET) on the same address; -dashboard=false turns it off.\n"+
		"The dashboard is not authenticated, so -credentials and -identity-policies turn it off unless -dashboard is given")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", "", "also serve the streams' CloudWatch metrics in Prometheus's format at http://`host:port`/metrics, a listener of its own; port 0 picks a free port")
	fs.Var(&cfg.identityPolicies, "identity-policies", "turn on IAM-style access control, with the identity policies of the principals in JSON `file` (see docs/access-control.md);\n"+
		"needs -credentials, whose keys name the principals; a key without a Principal acts as the account root")
	fs.TextVar(&cfg.logLevel, "log-level", slog.LevelInfo, "log `level`: debug, info, warn or error; info logs every request")
	fs.StringVar(&cfg.credentialsFile, "credentials", "", "verify every request's SigV4 signature against the access keys in JSON `file`, a list of\n"+
		"{\"AccessKeyId\": ..., \"SecretAccessKey\": ..., \"Principal\": ...}; a call acts as its key's Principal (an IAM or STS ARN),\n"+
		"by default the account root, arn:aws:iam::<account-id>:root. Without it any signature is accepted")
	fs.Var(&cfg.allowFrom, "allow-from", "accept connections only from these `CIDRs` (or addresses), comma-separated, repeatable; others are closed\n"+
		"unanswered, as a security group would drop them (also on -metrics-addr). Default: any address")
	fs.BoolVar(&cfg.requireTLS, "require-tls", false, "refuse plaintext: listen only with TLS, as Kinesis's endpoints speak only HTTPS (needs -tls or\n"+
		"-tls-cert; -metrics-addr then serves HTTPS too). Plain HTTP requests get 400, h2c fails its handshake")
	fs.StringVar(&cfg.auditLog, "audit-log", "", "append a CloudTrail-shaped audit event for every API call, one JSON object a line, to `file` (- for stderr); management events only unless -audit-data-events")
	fs.StringVar(&cfg.dataDir, "data-dir", "", "keep streams, records and keys in `directory` (created if missing), so that they survive a restart;\n"+
		"streams found there are served again, and -stream skips those that exist (default: memory only)")
	fs.Var(&cfg.sync, "sync", "when records in -data-dir reach stable storage: `always` (before each put is acknowledged; survives power loss),\n"+
		"an interval such as 100ms, or os (left to the operating system); none loses acknowledged records if kds serve is killed (default always)")
	fs.Int64Var(&cfg.cacheBytes, "segment-cache-bytes", kds.DefaultSegmentCacheBytes, "memory for sealed segments read back from -data-dir, in `bytes`")
	fs.BoolVar(&cfg.auditData, "audit-data-events", false, "also audit the data events: PutRecord, PutRecords, GetRecords, GetShardIterator, SubscribeToShard (needs -audit-log)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	err := cfg.check(fs.Args())
	if err == nil && cfg.dataDir == "" && (given(fs, "sync") || given(fs, "segment-cache-bytes")) {
		err = errors.New("-sync and -segment-cache-bytes need -data-dir")
	}
	if err != nil {
		fmt.Fprintf(stderr, "kds serve: %v\nRun 'kds serve -h' for usage.\n", err)
		return cfg, err
	}
	if cfg.secured() && !given(fs, "dashboard") {
		// The dashboard reads the Service as the account root, for anyone
		// who connects: a server that checks its callers keeps it off
		// unless asked.
		cfg.dashboard = false
	}
	return cfg, nil
}

// given reports whether the flag name was set on the command line.
func given(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// secured reports whether kds serve checks who calls: -credentials or
// -identity-policies.
func (cfg *serveConfig) secured() bool {
	return cfg.credentialsFile != "" || cfg.identityPolicies.ac != nil
}

// check finds what the flag package cannot: arguments left over,
// negative delays, half a certificate and flags that need others.
func (cfg *serveConfig) check(rest []string) error {
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{
		{"create-stream-delay", cfg.delays.Create},
		{"delete-stream-delay", cfg.delays.Delete},
		{"update-stream-delay", cfg.delays.Update},
	} {
		if d.v < 0 {
			return fmt.Errorf("-%s %v: must not be negative", d.flag, d.v)
		}
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	if cfg.requireTLS && !cfg.tls && cfg.tlsCert == "" {
		return errors.New("-require-tls needs -tls or -tls-cert and -tls-key")
	}
	if cfg.credentialsFile != "" {
		var err error
		if cfg.credentials, err = readCredentials(cfg.credentialsFile); err != nil {
			return fmt.Errorf("-credentials: %w", err)
		}
	}
	if cfg.auditData && cfg.auditLog == "" {
		return errors.New("-audit-data-events needs -audit-log")
	}
	if cfg.identityPolicies.ac != nil && cfg.credentialsFile == "" {
		return errors.New("-identity-policies needs -credentials: without verified signatures every caller is the account root, " +
			"which identity policies do not govern")
	}
	return nil
}

// handlerOptions turns the configuration into the Kinesis handler's
// options.
func (cfg *serveConfig) handlerOptions(log *slog.Logger) []kinesisapi.Option {
	opts := []kinesisapi.Option{kinesisapi.WithLogger(log)}
	if cfg.credentials != nil {
		opts = append(opts, kinesisapi.WithCredentials(cfg.credentials...))
	}
	return opts
}

// auditOption opens the audit log that -audit-log names, writing to
// stderr (through the request log's writer, so that lines never mix) for
// "-", and returns the Service option that records to it, and a function
// that closes the log. Without -audit-log it returns nothing.
func (cfg *serveConfig) auditOption(stderr io.Writer, log *slog.Logger) (kds.Option, func() error, error) {
	if cfg.auditLog == "" {
		return nil, nil, nil
	}
	var sink *kds.AuditJSONLinesSink
	if cfg.auditLog == "-" {
		sink = kds.NewAuditJSONLinesSink(stderr)
	} else {
		var err error
		if sink, err = kds.OpenAuditLog(cfg.auditLog); err != nil {
			return nil, nil, err
		}
	}
	opts := []kds.AuditOption{kds.AuditOnError(func(err error) { log.Warn("kds serve: audit log", "err", err) })}
	if cfg.auditData {
		opts = append(opts, kds.AuditDataEvents())
	}
	return kds.WithAuditTrail(sink, opts...), sink.Close, nil
}

// serviceOptions turns the configuration into the Service's options.
func (cfg *serveConfig) serviceOptions() []kds.Option {
	limits := kds.NoLimits
	if cfg.limits {
		limits = kds.KinesisLimits()
	}
	opts := []kds.Option{
		kds.WithRegion(cfg.region),
		kds.WithAccountID(cfg.accountID),
		kds.WithStatusDelays(cfg.delays),
		kds.WithShardLimit(cfg.shardLimit),
		kds.WithThroughputLimits(limits),
	}
	if ac := cfg.identityPolicies.ac; ac != nil {
		opts = append(opts, kds.WithAccessControl(ac))
	}
	if cfg.dataDir != "" {
		opts = append(opts, kds.WithDataDir(cfg.dataDir), kds.WithSync(cfg.sync.policy), kds.WithSegmentCacheBytes(cfg.cacheBytes))
	}
	return opts
}

// runServe is kds serve: it serves a new Service until ctx ends.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServeFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	// The request log is batched: a line per request would otherwise cost
	// a busy server a write system call each.
	logOut := newBatchedWriter(stderr, 100*time.Millisecond)
	defer logOut.Close()
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: cfg.logLevel}))
	fail := func(code int, err error) int {
		logOut.Flush()
		fmt.Fprintf(stderr, "kds serve: %v\n", err)
		return code
	}

	opts := cfg.serviceOptions()
	audit, closeAudit, err := cfg.auditOption(logOut, log)
	if err != nil {
		return fail(exitFail, err)
	}
	if audit != nil {
		defer func() {
			if err := closeAudit(); err != nil {
				log.Warn("kds serve: audit log", "err", err)
			}
		}()
		opts = append(opts, audit)
	}
	svc, err := kds.NewService(opts...)
	if err != nil && cfg.dataDir != "" {
		return fail(exitFail, err) // the directory cannot be opened
	}
	if err != nil {
		// Only flags make the options, so a bad option is a usage error.
		return fail(exitUsage, err)
	}
	defer func() {
		// Before closeAudit, which writes out the audit queue; with a data
		// directory, this makes it durable and marks it closed cleanly.
		if err := svc.Close(); err != nil {
			log.Error("kds serve: closing", "err", err)
		}
	}()
	if cfg.dataDir != "" {
		reportStorage(stdout, svc, cfg.dataDir, cfg.sync.policy)
	}
	if err := startup.CreateStreams(ctx, svc, cfg.streams); err != nil {
		// Kinesis refusing a stream (its name, the shard limit) is a bad
		// -stream flag; anything else (an interrupt) is a failure.
		var kerr *kds.Error
		if errors.As(err, &kerr) {
			return fail(exitUsage, err)
		}
		return fail(exitFail, err)
	}
	tlsConf, err := tlsConfig(cfg.tls, cfg.tlsCert, cfg.tlsKey)
	if err != nil {
		return fail(exitFail, err)
	}
	api := kinesisapi.NewHandler(svc, cfg.handlerOptions(log)...)
	var h eventStreamHandler = api
	if cfg.dashboard && cfg.secured() {
		fmt.Fprintf(logOut, "kds serve: warning: the dashboard at %s is not authenticated: whoever can connect sees every stream's name, tags, shards and consumers, whatever -credentials and -identity-policies say\n", dashboardPath)
		logOut.Flush()
	}
	if cfg.dashboard {
		dash := dashboard.New(svc)
		defer dash.Close()
		h = withDashboard(api, dash)
	}
	srv, err := newServer(cfg.addr, h, tlsConf, log)
	if err != nil {
		return fail(exitFail, err)
	}
	servers := []*server{srv}
	if cfg.metricsAddr != "" {
		var metricsTLS *tls.Config
		if cfg.requireTLS {
			metricsTLS = tlsConf
		}
		msrv, err := newMetricsServer(cfg.metricsAddr, svc, metricsTLS, log)
		if err != nil {
			srv.ln.Close()
			return fail(exitFail, err)
		}
		servers = append(servers, msrv)
	}
	if len(cfg.allowFrom) > 0 {
		for _, s := range servers {
			s.ln = &allowListener{Listener: s.ln, allow: cfg.allowFrom, log: log}
		}
	}
	fmt.Fprintf(stdout, "kds serve: listening on %s\n", srv.url())
	if cfg.dashboard {
		fmt.Fprintf(stdout, "kds serve: dashboard at %s%s\n", srv.url(), dashboardPath)
	}
	if len(servers) > 1 {
		fmt.Fprintf(stdout, "kds serve: metrics at %s/metrics\n", servers[1].url())
	}
	if err := serveAll(ctx, servers...); err != nil {
		return fail(exitFail, err)
	}
	log.Info("kds serve: stopped")
	return exitOK
}
