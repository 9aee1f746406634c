// Command kdsload drives a Kinesis endpoint (kds serve, kinesalite,
// kinesis-mock, or Kinesis itself) through the AWS SDK for Go v2 and
// measures one scenario per run:
//
//   - putrecords: concurrent workers send PutRecords calls of 500 records of
//     100 bytes with random partition keys for a duration; reports records/s.
//   - getrecords: fills the stream with a number of records (not timed), then
//     drains every shard from TRIM_HORIZON with GetRecords until caught up
//     (timed); reports records/s.
//   - putrecord: sequential single PutRecord calls for a duration (or fewer,
//     given a count); reports median, p90 and p99 latency.
//
// The CPU time (user + system, from /proc/PID/stat) of kdsload itself and,
// with --server-pid, of the server process is measured across the timed
// phase and reported per call or per record. The stream, absent by default (a fresh name per run), is
// created with --shards shards, waited for until ACTIVE, and deleted at the
// end.
//
// The result goes to stdout as one line of key=value pairs starting with
// "scenario="; a sentence for humans goes to stderr.
//
//	kdsload --endpoint http://127.0.0.1:4567 --scenario putrecords --duration 10s
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds/compat/internal/load"
	"github.com/kdsgo/kds/compat/internal/sdkhttp"
)

// config holds the command line.
type config struct {
	endpoint  string
	scenario  string
	stream    string
	shards    int
	workers   int
	duration  time.Duration
	warmup    time.Duration
	count     int
	records   int
	serverPID int
}

// scenarios maps a scenario name to the function that runs it.
var scenarios = map[string]func(context.Context, *kinesis.Client, config) (*result, error){
	"putrecords": putRecordsScenario,
	"getrecords": getRecordsScenario,
	"putrecord":  putRecordScenario,
}

func main() {
	var c config
	flag.StringVar(&c.endpoint, "endpoint", "", "Kinesis endpoint URL, e.g. http://127.0.0.1:4567 (required)")
	flag.StringVar(&c.scenario, "scenario", "", "putrecords, getrecords or putrecord (required)")
	flag.StringVar(&c.stream, "stream", "", "stream name (default: a fresh kdsload-<scenario>-<random> name)")
	flag.IntVar(&c.shards, "shards", 4, "shard count of the stream when it is created")
	flag.IntVar(&c.workers, "workers", 4, "putrecords: concurrent workers; getrecords: workers filling the stream")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "putrecords, putrecord: length of the timed phase")
	flag.DurationVar(&c.warmup, "warmup", 2*time.Second, "putrecords, putrecord: untimed calls before the timed phase")
	flag.IntVar(&c.count, "count", 0, "putrecord: stop after this many timed calls even before --duration has passed (0: no limit)")
	flag.IntVar(&c.records, "records", 100000, "getrecords: records put before the drain")
	flag.IntVar(&c.serverPID, "server-pid", 0, "measure this server process's CPU time across the timed phase")
	flag.Parse()

	run, ok := scenarios[c.scenario]
	if c.endpoint == "" || !ok {
		flag.Usage()
		os.Exit(2)
	}
	if c.stream == "" {
		c.stream = "kdsload-" + c.scenario + "-" + load.RandomHex(4)
	}
	ctx := context.Background()
	client := newClient(c.endpoint, c.workers)
	if err := ensureStream(ctx, client, c.stream, c.shards); err != nil {
		fail(err)
	}
	res, err := run(ctx, client, c)
	deleteStream(ctx, client, c.stream)
	if err != nil {
		fail(err)
	}
	fmt.Println(res.line(c.scenario, c.endpoint))
	fmt.Fprintln(os.Stderr, res.human)
}

// newClient returns an SDK client for endpoint with dummy credentials and
// no retries, so that every failed call is counted rather than repeated,
// and with enough idle connections for the workers. Its request bodies are
// its own (sdkhttp.OwnBody), or a fast local server would see some calls
// fail on the SDK's side with "use of closed network connection".
func newClient(endpoint string, workers int) *kinesis.Client {
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = workers + 4
	})
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDKDSLOAD", "kdsload-secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   sdkhttp.OwnBody{Client: httpClient},
	})
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kdsload:", err)
	os.Exit(1)
}
