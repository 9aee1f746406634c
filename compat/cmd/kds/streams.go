package main

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// runStreams is kds streams: the names of the account's streams in the
// region, one per line, every page of ListStreams.
func runStreams(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	c := newCLI("streams", "[flags]", "List the names of the streams, one per line.", stderr)
	positional, code, ok := c.parse(args)
	if !ok {
		return code
	}
	if len(positional) > 0 {
		return c.usageError("unexpected argument %q", positional[0])
	}
	client, err := c.client(ctx, clientOptions{})
	if err != nil {
		return c.fail(err)
	}
	pages := kinesis.NewListStreamsPaginator(client, &kinesis.ListStreamsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return c.fail(err)
		}
		for _, name := range page.StreamNames {
			fmt.Fprintln(stdout, name)
		}
	}
	return exitOK
}
