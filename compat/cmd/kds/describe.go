package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// streamView is what kds describe shows of a stream, and its --json form.
type streamView struct {
	Name                 string      `json:"streamName"`
	ARN                  string      `json:"streamARN"`
	Status               string      `json:"streamStatus"`
	Mode                 string      `json:"streamMode,omitempty"`
	Created              *time.Time  `json:"streamCreationTimestamp,omitempty"`
	RetentionPeriodHours int32       `json:"retentionPeriodHours"`
	OpenShardCount       int32       `json:"openShardCount"`
	ConsumerCount        int32       `json:"consumerCount"`
	MaxRecordSizeInKiB   int32       `json:"maxRecordSizeInKiB,omitempty"`
	EncryptionType       string      `json:"encryptionType,omitempty"`
	Shards               []shardView `json:"shards"`
}

// shardView is one shard of a streamView.
type shardView struct {
	ID                    string `json:"shardId"`
	ParentShardID         string `json:"parentShardId,omitempty"`
	AdjacentParentShardID string `json:"adjacentParentShardId,omitempty"`
	StartingHashKey       string `json:"startingHashKey"`
	EndingHashKey         string `json:"endingHashKey"`
	StartingSequence      string `json:"startingSequenceNumber"`
	EndingSequence        string `json:"endingSequenceNumber,omitempty"`
	Open                  bool   `json:"open"`
}

// runDescribe is kds describe STREAM.
func runDescribe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	c := newCLI("describe", "[flags] STREAM",
		"Show a stream (DescribeStreamSummary) and every shard, open and closed\n(ListShards): its hash key range, parent and adjacent parent, and\nsequence number range.", stderr)
	asJSON := c.fs.Bool("json", false, "write JSON instead of a table")
	positional, code, ok := c.parse(args)
	if !ok {
		return code
	}
	stream, code, ok := c.streamArg(positional)
	if !ok {
		return code
	}
	client, err := c.client(ctx, clientOptions{})
	if err != nil {
		return c.fail(err)
	}
	v, err := describeStream(ctx, client, stream)
	if err != nil {
		return c.fail(err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(v)
	} else {
		err = v.writeTable(stdout)
	}
	if err != nil {
		return c.fail(err)
	}
	return exitOK
}

// describeStream gathers the stream's summary and shards.
func describeStream(ctx context.Context, client *kinesis.Client, stream string) (*streamView, error) {
	out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		return nil, err
	}
	s := out.StreamDescriptionSummary
	v := &streamView{
		Name:                 aws.ToString(s.StreamName),
		ARN:                  aws.ToString(s.StreamARN),
		Status:               string(s.StreamStatus),
		Created:              s.StreamCreationTimestamp,
		RetentionPeriodHours: aws.ToInt32(s.RetentionPeriodHours),
		OpenShardCount:       aws.ToInt32(s.OpenShardCount),
		ConsumerCount:        aws.ToInt32(s.ConsumerCount),
		MaxRecordSizeInKiB:   aws.ToInt32(s.MaxRecordSizeInKiB),
		EncryptionType:       string(s.EncryptionType),
		Shards:               []shardView{},
	}
	if s.StreamModeDetails != nil {
		v.Mode = string(s.StreamModeDetails.StreamMode)
	}
	shards, err := listShards(ctx, client, stream)
	if err != nil {
		return nil, err
	}
	for _, sh := range shards {
		sv := shardView{
			ID:                    aws.ToString(sh.ShardId),
			ParentShardID:         aws.ToString(sh.ParentShardId),
			AdjacentParentShardID: aws.ToString(sh.AdjacentParentShardId),
			Open:                  shardOpen(sh),
		}
		if r := sh.HashKeyRange; r != nil {
			sv.StartingHashKey, sv.EndingHashKey = aws.ToString(r.StartingHashKey), aws.ToString(r.EndingHashKey)
		}
		if r := sh.SequenceNumberRange; r != nil {
			sv.StartingSequence, sv.EndingSequence = aws.ToString(r.StartingSequenceNumber), aws.ToString(r.EndingSequenceNumber)
		}
		v.Shards = append(v.Shards, sv)
	}
	return v, nil
}

// writeTable writes the stream as label: value lines, then a table of its
// shards. Hash keys are the full decimal numbers (up to 39 digits), so
// the table is wide.
func (v *streamView) writeTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(label string, value any) { fmt.Fprintf(tw, "%s:\t%v\n", label, value) }
	line("Stream", v.Name)
	line("ARN", v.ARN)
	line("Status", v.Status)
	if v.Mode != "" {
		line("Mode", v.Mode)
	}
	if v.Created != nil {
		line("Created", v.Created.UTC().Format(time.RFC3339))
	}
	line("Retention", fmt.Sprintf("%d hours", v.RetentionPeriodHours))
	line("Open shards", fmt.Sprintf("%d of %d", v.OpenShardCount, len(v.Shards)))
	line("Consumers", v.ConsumerCount)
	if v.MaxRecordSizeInKiB != 0 {
		line("Max record size", fmt.Sprintf("%d KiB", v.MaxRecordSizeInKiB))
	}
	if v.EncryptionType != "" {
		line("Encryption", v.EncryptionType)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SHARD\tSTATE\tPARENT\tADJACENT PARENT\tSTARTING HASH KEY\tENDING HASH KEY")
	for _, s := range v.Shards {
		state := "open"
		if !s.Open {
			state = "closed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, state, orDash(s.ParentShardID), orDash(s.AdjacentParentShardID), s.StartingHashKey, s.EndingHashKey)
	}
	return tw.Flush()
}

// orDash returns s, or "-" for an empty s, so that table cells are never
// blank.
func orDash(s string) string {
	return cmp.Or(s, "-")
}
