package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestServeDataDirSurvivesSIGKILL runs the built kds binary on a data
// directory, puts records through the AWS SDK until it has been
// acknowledged a few hundred, and kills it with SIGKILL while puts are
// still going. A second kds serve on the same directory (with -stream
// naming the stream that is already there, which must be accepted) serves
// every acknowledged record back where it was acknowledged, takes new
// ones, and stops cleanly on SIGTERM.
func TestServeDataDirSurvivesSIGKILL(t *testing.T) {
	bin := buildKDS(t)
	dir := t.TempDir()
	ctx := context.Background()
	args := []string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn", "--dashboard=false", "--limits=false", "--data-dir", dir, "--stream", "orders:2"}

	first := startKDS(t, bin, append(args, "--sync", "os")...)
	acked := map[string]string{} // data -> shard:sequence number
	results := make(chan map[string]string)
	go putUntilRefused(first.client, results)
	killed := false
	for batch := range results {
		for data, at := range batch {
			acked[data] = at
		}
		if len(acked) >= 500 && !killed {
			if err := first.cmd.Process.Kill(); err != nil {
				t.Fatalf("killing the first kds serve: %v", err)
			}
			killed = true
		}
	}
	if err := first.cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("first kds serve: %v, want killed", err)
	}

	second := startKDS(t, bin, append(args, "--sync", "always")...)
	if !strings.Contains(second.startup, "kds serve: data in "+dir) {
		t.Errorf("start-up lines do not name the data directory:\n%s", second.startup)
	}
	if strings.Contains(second.startup, "damaged") {
		t.Errorf("a kill left damage behind:\n%s", second.startup)
	}
	stored := readStream(ctx, t, second.client, "orders")
	for data, at := range acked {
		if got, ok := stored[data]; !ok {
			t.Errorf("acknowledged record %q (%s) is missing after the restart", data, at)
		} else if got != at {
			t.Errorf("acknowledged record %q (%s) is at %s after the restart", data, at, got)
		}
	}
	t.Logf("%d records acknowledged before the kill, %d stored", len(acked), len(stored))
	if _, err := second.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte("after")}); err != nil {
		t.Errorf("PutRecord after the restart: %v", err)
	}
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.cmd.Wait(); err != nil {
		t.Errorf("second kds serve after SIGTERM: %v; stderr:\n%s", err, second.stderr)
	}
}

// kdsProcess is a kds serve started by startKDS.
type kdsProcess struct {
	cmd     *exec.Cmd
	client  *kinesis.Client
	startup string // the start-up lines, up to the listening address
	stderr  *strings.Builder
}

// startKDS starts bin with args and waits for its start-up lines. The
// process is killed when the test ends, if it is still running.
func startKDS(t *testing.T, bin string, args ...string) *kdsProcess {
	t.Helper()
	p := &kdsProcess{cmd: exec.Command(bin, args...), stderr: &strings.Builder{}}
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill() })
	r := bufio.NewReader(stdout)
	var startup strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			p.cmd.Wait()
			t.Fatalf("kds serve ended before listening: %v; stdout:\n%s\nstderr:\n%s", err, &startup, p.stderr)
		}
		startup.WriteString(line)
		if url, ok := strings.CutPrefix(strings.TrimSpace(line), "kds serve: listening on "); ok {
			p.startup = startup.String()
			p.client = kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
				Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
				Retryer:     aws.NopRetryer{}, HTTPClient: &http.Client{}})
			break
		}
	}
	go io.Copy(io.Discard, r)
	return p
}

// putUntilRefused puts batches of 20 records through c, sending the
// acknowledged ones (data -> shard:sequence number) on results, until a
// call fails; then it closes results.
func putUntilRefused(c *kinesis.Client, results chan<- map[string]string) {
	defer close(results)
	for n := 0; ; n++ {
		entries := make([]types.PutRecordsRequestEntry, 20)
		for i := range entries {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("k%d", i)), Data: fmt.Appendf(nil, "r%d-%d", n, i)}
		}
		out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: entries})
		if err != nil {
			return
		}
		batch := map[string]string{}
		for i, e := range out.Records {
			if e.ErrorCode == nil {
				batch[string(entries[i].Data)] = aws.ToString(e.ShardId) + ":" + aws.ToString(e.SequenceNumber)
			}
		}
		results <- batch
	}
}

// readStream reads every record of every shard of stream from its trim
// horizon, and returns where each is stored, by data.
func readStream(ctx context.Context, t *testing.T, c *kinesis.Client, stream string) map[string]string {
	t.Helper()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatalf("ListShards: %v", err)
	}
	stored := map[string]string{}
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatalf("GetShardIterator(%s): %v", aws.ToString(sh.ShardId), err)
		}
		for next := it.ShardIterator; next != nil; {
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: next})
			if err != nil {
				t.Fatalf("GetRecords(%s): %v", aws.ToString(sh.ShardId), err)
			}
			for _, r := range out.Records {
				stored[string(r.Data)] = aws.ToString(sh.ShardId) + ":" + aws.ToString(r.SequenceNumber)
			}
			if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
				break
			}
			next = out.NextShardIterator
		}
	}
	return stored
}
