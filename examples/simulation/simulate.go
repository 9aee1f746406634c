package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/kdsgo/kds"
)

// scale is how many Kinesis-sized records one simulated record stands for.
const scale = 10_000

// recordBytes is the data size of every record.
const recordBytes = 100

// offered returns the full-scale records per second the producers send at
// t: a daily cycle around 3,000 records/s peaking mid-afternoon, and a few
// spikes.
func offered(start, t time.Time) float64 {
	hours := t.Sub(start).Hours()
	day, hour := int(hours/24), math.Mod(hours, 24)
	rate := 3000 * (1 + 0.7*math.Sin(2*math.Pi*(hour-9)/24))
	switch {
	case day == 6 && hour >= 14 && hour < 14.5: // a product launch
		rate *= 4
	case day == 17 && hour >= 20 && hour < 22: // a marketing campaign
		rate *= 2.5
	case day == 24 && hour >= 3 && hour < 3.25: // a retry storm
		rate *= 6
	}
	return rate
}

// simulate runs days of traffic through an on-demand stream and a
// provisioned stream of provisionedShards shards, printing progress to w
// every six simulated hours.
func simulate(days, provisionedShards int, w io.Writer) (result, error) {
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	clock := kds.NewManualClock(start)
	svc, err := kds.NewService(kds.WithClock(clock))
	if err != nil {
		return result{}, err
	}
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "on-demand", StreamModeDetails: kds.StreamModeDetails{StreamMode: kds.StreamModeOnDemand}}); err != nil {
		return result{}, err
	}
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "provisioned", ShardCount: provisionedShards}); err != nil {
		return result{}, err
	}
	// Shards at 1/scale of Kinesis's, evened out over a minute, because
	// each minute's traffic is put at once.
	limits := kds.KinesisLimits()
	limits.WriteBytesPerSecond /= scale
	limits.WriteRecordsPerSecond /= scale
	limits.ReadBytesPerSecond, limits.ReadCallsPerSecond = 0, 0
	limits.Window = time.Minute
	onDemand, _ := svc.Stream("on-demand")
	provisioned, _ := svc.Stream("provisioned")
	onDemand.SetThroughputLimits(limits)
	provisioned.SetThroughputLimits(limits)

	res := result{Days: days, Prices: kds.DefaultPrices()}
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, recordBytes)
	carry := 0.0
	var cur hour // the hour being simulated
	streams := []struct {
		stream *kds.Stream
		into   *streamHour // its figures in cur
	}{{onDemand, &cur.OnDemand}, {provisioned, &cur.Provisioned}}
	fmt.Fprintf(w, "%d simulated days at 1/%d scale; provisioned stream: %d shards\n", days, scale, provisionedShards)
	fmt.Fprintf(w, "%-17s %16s %17s %17s %17s\n", "time", "peak rec/s", "on-demand shards", "on-demand thrott.", "provisioned thrott.")
	var totalOnDemand, totalProvisioned int64
	for minute := 0; minute < days*24*60; minute++ {
		now := clock.Now()
		// This minute's records at 1/scale, carrying the fraction over.
		rate := offered(start, now)
		carry += rate * 60 / scale
		n := int(carry)
		carry -= float64(n)
		cur.Offered += int64(n) * scale
		cur.PeakRate = max(cur.PeakRate, rate)
		for _, s := range streams {
			c := float64(openShards(ctx, svc, s.stream.Name())) * shardCapacity()
			if s.into.Capacity == 0 || c < s.into.Capacity { // 0: the hour's first minute
				s.into.Capacity = c
			}
			if rate > c {
				s.into.MinutesOver++
			}
		}
		// Each simulated record stands for many keys, so spread the
		// minute's records evenly over the hash key space, as a large
		// population of partition keys is at full scale.
		batch := make([]kds.PutRecordsRequestEntry, n)
		for i := range batch {
			pos := (float64(i) + rng.Float64()) / float64(n)
			key := kds.NewHashKey(uint64(pos*math.MaxUint64), rng.Uint64())
			batch[i] = kds.PutRecordsRequestEntry{PartitionKey: strconv.Itoa(i), ExplicitHashKey: key.String(), Data: data}
		}
		for len(batch) > 0 {
			chunk := batch[:min(len(batch), kds.MaxPutRecordsEntries)]
			batch = batch[len(chunk):]
			for _, s := range streams {
				out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: s.stream.Name(), Records: chunk})
				if err != nil {
					return result{}, err
				}
				s.into.Throttled += int64(out.FailedRecordCount) * scale
			}
		}
		clock.Advance(time.Minute)
		if (minute+1)%60 != 0 {
			continue
		}
		cur.Hour = (minute + 1) / 60
		for _, s := range streams {
			s.into.Shards = openShards(ctx, svc, s.stream.Name())
			s.into.Bill = res.Prices.Bill(fullScale(s.stream.Usage()))
		}
		res.Hours = append(res.Hours, cur)
		totalOnDemand += cur.OnDemand.Throttled
		totalProvisioned += cur.Provisioned.Throttled
		if cur.Hour%6 == 0 {
			fmt.Fprintf(w, "%-17s %16.0f %17d %17d %17d\n", clock.Now().Format("Jan 02 15:04"), cur.PeakRate, cur.OnDemand.Shards, totalOnDemand, totalProvisioned)
		}
		cur = hour{}
	}
	return res, nil
}

// shardCapacity returns the full-scale records per second one shard takes
// of records of recordBytes: Kinesis's record limit, unless the byte limit
// is reached first.
func shardCapacity() float64 {
	l := kds.KinesisLimits()
	return min(l.WriteRecordsPerSecond, l.WriteBytesPerSecond/recordBytes)
}

// openShards returns the open shard count of a stream.
func openShards(ctx context.Context, svc *kds.Service, name string) int {
	out, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: name})
	if err != nil {
		return 0
	}
	return out.StreamDescriptionSummary.OpenShardCount
}

// fullScale scales the volume-based parts of a simulated stream's usage
// back up to full scale; shard- and stream-hours are already full scale.
func fullScale(u kds.Usage) kds.Usage {
	u.Records *= scale
	u.Bytes *= scale
	u.PutPayloadUnits *= scale
	u.BilledIngestBytes *= scale
	u.RetrievedBytes *= scale
	u.BilledRetrievedBytes *= scale
	u.ThrottledRecords *= scale
	u.ExtendedRetentionGBHours *= scale
	u.LongTermRetentionGBHours *= scale
	return u
}
