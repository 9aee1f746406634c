// Command kds runs Amazon Kinesis Data Streams locally, and works with the
// streams of any Kinesis endpoint from the command line.
//
// Usage:
//
//	kds <command> [flags]
//
// Commands:
//
//	serve     serve the Kinesis API over HTTP (see kds serve -h)
//	streams   list the streams' names
//	describe  show a stream and its shards: hash ranges, lineage, open or closed
//	put       put records read from stdin, one per line
//	tail      print a stream's records as they arrive, following every shard
//	          through resharding
//	bench     put load on a stream and report throughput and latency
//
// All but serve are clients of any Kinesis endpoint, kds serve's or AWS's
// own, configured as the AWS CLI is: environment variables, ~/.aws/config
// and ~/.aws/credentials, AWS_PROFILE, and the flags --endpoint-url,
// --region and --profile. Progress goes to stderr, live on a terminal and
// as plain lines otherwise; stdout has the data or the result.
//
// Exit status: 0 on success (for serve: after a graceful shutdown on
// SIGINT or SIGTERM), 1 if the command fails, 2 for a usage error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// command is one kds subcommand.
type command struct {
	name    string
	summary string
	// run runs the command with the arguments after its name and returns
	// the process's exit code. ctx ends when the process is told to stop.
	run func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order usage shows them.
var commands = []command{
	{name: "serve", summary: "serve the Kinesis API over HTTP", run: withoutStdin(runServe)},
	{name: "streams", summary: "list the streams", run: runStreams},
	{name: "describe", summary: "show a stream and its shards", run: runDescribe},
	{name: "put", summary: "put records from stdin, one per line", run: runPut},
	{name: "tail", summary: "print a stream's records, following every shard", run: runTail},
	{name: "bench", summary: "put load on a stream; report throughput and latency", run: runBench},
}

// withoutStdin adapts a command that reads no input to the table.
func withoutStdin(run func(ctx context.Context, args []string, stdout, stderr io.Writer) int) func(context.Context, []string, io.Reader, io.Writer, io.Writer) int {
	return func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
		return run(ctx, args, stdout, stderr)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one kills the process at once.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "kds: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

// usage writes the list of commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: kds <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'kds <command> -h' for a command's flags.")
}
