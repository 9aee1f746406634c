package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds/compat/internal/sdkhttp"
)

// endpointRegion is the region a client signs with when an endpoint URL
// is given and no region is configured: kds serve accepts any.
const endpointRegion = "us-east-1"

// cli is what the client subcommands (streams, describe, put, tail,
// bench) share: their flag set with the AWS flags, the parsing of their
// command line, error reports and the Kinesis client.
type cli struct {
	name   string // the subcommand, e.g. "tail"
	fs     *flag.FlagSet
	stderr io.Writer

	endpointURL string
	region      string
	profile     string
}

// newCLI returns the command line of subcommand name, whose usage line is
// "kds name synopsis" followed by the about text, with the AWS flags
// registered. The caller adds its own flags to c.fs.
func newCLI(name, synopsis, about string, stderr io.Writer) *cli {
	c := &cli{name: name, stderr: stderr}
	c.fs = flag.NewFlagSet("kds "+name, flag.ContinueOnError)
	c.fs.SetOutput(stderr)
	c.fs.Usage = func() {
		w := c.fs.Output()
		fmt.Fprintf(w, "usage: kds %s %s\n\n%s\n", name, synopsis, about)
		fmt.Fprintln(w, "\nThe AWS configuration is the usual one: AWS_* environment variables,")
		fmt.Fprintln(w, "~/.aws/config and ~/.aws/credentials, AWS_PROFILE; the flags below")
		fmt.Fprintln(w, "override it. Flags may be written -flag or --flag, before or after the")
		fmt.Fprintln(w, "arguments.")
		fmt.Fprintln(w, "\nflags:")
		c.fs.PrintDefaults()
	}
	c.fs.StringVar(&c.endpointURL, "endpoint-url", "", "send requests to this `URL`, e.g. http://127.0.0.1:4567 for kds serve (default: AWS_ENDPOINT_URL or the profile's endpoint_url if set, else Kinesis in the region)")
	c.fs.StringVar(&c.region, "region", "", "AWS `region` (default: AWS_REGION or the profile's; "+endpointRegion+" with an endpoint URL)")
	c.fs.StringVar(&c.profile, "profile", "", "use this `profile` of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, else \"default\")")
	return c
}

// parse parses args, flags and positional arguments in any order ("--"
// ends the flags), and returns the positional arguments. If it returns
// ok false, the command is over with the exit code returned: 0 after -h,
// 2 after a usage error, which the flag package has reported.
func (c *cli) parse(args []string) (positional []string, code int, ok bool) {
	for {
		err := c.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitOK, false
		}
		if err != nil {
			return nil, exitUsage, false
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			return positional, 0, true
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), 0, true
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// streamArg returns the single positional argument, the stream name, or
// reports a usage error.
func (c *cli) streamArg(positional []string) (string, int, bool) {
	switch len(positional) {
	case 0:
		return "", c.usageError("missing stream name"), false
	case 1:
		return positional[0], 0, true
	}
	return "", c.usageError("unexpected argument %q", positional[1]), false
}

// usageError reports a bad command line and returns exit code 2.
func (c *cli) usageError(format string, args ...any) int {
	fmt.Fprintf(c.stderr, "kds %s: %s\nRun 'kds %s -h' for usage.\n", c.name, fmt.Sprintf(format, args...), c.name)
	return exitUsage
}

// fail reports err and returns exit code 1.
func (c *cli) fail(err error) int {
	fmt.Fprintf(c.stderr, "kds %s: %v\n", c.name, err)
	return exitFail
}

// clientOptions tune a command's client.
type clientOptions struct {
	// conns is how many idle connections to keep open to the endpoint:
	// as many as the command has calls in flight at once (default: the
	// SDK's, which is enough for one).
	conns int
	// noRetries makes every call a single attempt, so that a failure is
	// seen and counted rather than retried by the SDK.
	noRetries bool
}

// client returns a Kinesis client configured as the AWS CLI would be: by
// LoadDefaultConfig, then --profile, --region and --endpoint-url. With an
// endpoint URL (from the flag, AWS_ENDPOINT_URL(_KINESIS) or the profile),
// its HTTP client is sdkhttp.OwnBody, which a fast local server such as
// kds serve needs (see that package) and which does no harm elsewhere.
func (c *cli) client(ctx context.Context, o clientOptions) (*kinesis.Client, error) {
	var load []func(*config.LoadOptions) error
	if c.region != "" {
		load = append(load, config.WithRegion(c.region))
	}
	if c.profile != "" {
		load = append(load, config.WithSharedConfigProfile(c.profile))
	}
	if o.conns > 0 {
		load = append(load, config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConnsPerHost = o.conns
		})))
	}
	if o.noRetries {
		load = append(load, config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, err
	}
	client := kinesis.NewFromConfig(cfg, func(opts *kinesis.Options) {
		// The SDK has set BaseEndpoint from the environment and the
		// profile by now; the flag overrides both.
		if c.endpointURL != "" {
			opts.BaseEndpoint = aws.String(c.endpointURL)
		}
		if opts.BaseEndpoint != nil {
			opts.HTTPClient = sdkhttp.OwnBody{Client: opts.HTTPClient}
			if opts.Region == "" {
				opts.Region = endpointRegion
			}
		}
	})
	if client.Options().Region == "" {
		return nil, errors.New("no AWS region: give --region, set AWS_REGION, or name one in the profile")
	}
	return client, nil
}
