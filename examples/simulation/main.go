// Command simulation runs 30 simulated days of traffic — a daily cycle
// with a few spikes — through two streams side by side on a virtual
// clock: one in on-demand mode, one provisioned with a fixed shard count.
// It prints, every six hours, the on-demand stream's shard count and the
// records each stream throttled, optionally writes the same hourly figures
// as CSV, and ends with what each stream would cost on Kinesis.
//
// A month of Kinesis-sized traffic is billions of records, too many to
// store on one machine in seconds, so the simulation runs at 1/10,000
// scale: each shard takes 1/10,000 of Kinesis's per-shard throughput and
// the traffic is 1/10,000 of the offered load. Shard counts and throttling
// are the same as at full scale; the volume-based parts of the bill are
// multiplied back up before pricing.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/kdsgo/kds"
)

// scale is how many Kinesis-sized records one simulated record stands for.
const scale = 10_000

// recordBytes is the data size of every record.
const recordBytes = 100

func main() {
	days := flag.Int("days", 30, "simulated days")
	short := flag.Bool("short", false, "simulate 2 days only (for CI)")
	csvPath := flag.String("csv", "", "write hourly figures to this CSV file")
	provisioned := flag.Int("provisioned-shards", 6, "shard count of the provisioned stream")
	flag.Parse()
	if *short {
		*days = 2
	}
	if err := run(*days, *provisioned, *csvPath); err != nil {
		log.Fatal(err)
	}
}

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

func run(days, provisionedShards int, csvPath string) error {
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	clock := kds.NewManualClock(start)
	svc, err := kds.NewService(kds.WithClock(clock))
	if err != nil {
		return err
	}
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "on-demand", StreamModeDetails: kds.StreamModeDetails{StreamMode: kds.StreamModeOnDemand}}); err != nil {
		return err
	}
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "provisioned", ShardCount: provisionedShards}); err != nil {
		return err
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

	var out *csv.Writer
	if csvPath != "" {
		f, err := os.Create(csvPath)
		if err != nil {
			return err
		}
		defer f.Close()
		out = csv.NewWriter(f)
		defer out.Flush()
		out.Write([]string{"hour", "offered_records_per_s", "on_demand_shards", "on_demand_throttled", "provisioned_throttled"})
	}

	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, recordBytes)
	carry := 0.0
	var hourOnDemand, hourProvisioned, totalOnDemand, totalProvisioned int
	fmt.Printf("%d simulated days at 1/%d scale; provisioned stream: %d shards\n", days, scale, provisionedShards)
	fmt.Printf("%-17s %16s %17s %17s %17s\n", "time", "offered rec/s", "on-demand shards", "on-demand thrott.", "provisioned thrott.")
	for minute := 0; minute < days*24*60; minute++ {
		now := clock.Now()
		// This minute's records at 1/scale, carrying the fraction over.
		carry += offered(start, now) * 60 / scale
		n := int(carry)
		carry -= float64(n)
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
			for _, s := range []*kds.Stream{onDemand, provisioned} {
				res, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: s.Name(), Records: chunk})
				if err != nil {
					return err
				}
				if s == onDemand {
					hourOnDemand += res.FailedRecordCount
				} else {
					hourProvisioned += res.FailedRecordCount
				}
			}
		}
		clock.Advance(time.Minute)
		if (minute+1)%60 != 0 {
			continue
		}
		hour := (minute + 1) / 60
		shards := openShards(ctx, svc, "on-demand")
		rate := offered(start, now)
		if out != nil {
			out.Write([]string{strconv.Itoa(hour), strconv.Itoa(int(rate)), strconv.Itoa(shards), strconv.Itoa(hourOnDemand * scale), strconv.Itoa(hourProvisioned * scale)})
		}
		totalOnDemand += hourOnDemand
		totalProvisioned += hourProvisioned
		if hour%6 == 0 {
			fmt.Printf("%-17s %16.0f %17d %17d %17d\n", clock.Now().Format("Jan 02 15:04"), rate, shards, totalOnDemand*scale, totalProvisioned*scale)
		}
		hourOnDemand, hourProvisioned = 0, 0
	}

	prices := kds.DefaultPrices()
	odBill := prices.Bill(fullScale(onDemand.Usage()))
	provBill := prices.Bill(fullScale(provisioned.Usage()))
	fmt.Printf("\nThrottled records: on-demand %d, provisioned %d (cumulative, full scale)\n", totalOnDemand*scale, totalProvisioned*scale)
	fmt.Printf("Bill for %d days at %s prices of %s:\n", days, prices.Region, prices.AsOf.Format("2006-01-02"))
	fmt.Printf("  on-demand stream, billed on demand:   $%10.2f\n", odBill.OnDemand.Total)
	fmt.Printf("  provisioned stream (%d shards):        $%10.2f\n", provisionedShards, provBill.Provisioned.Total)
	fmt.Printf("  the same traffic provisioned like the on-demand stream's shards: $%.2f\n", odBill.Provisioned.Total)
	return nil
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
