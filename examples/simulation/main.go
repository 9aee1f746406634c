// Command simulation runs 30 simulated days of traffic — a daily cycle
// with a few spikes — through two streams side by side on a virtual
// clock: one in on-demand mode, one provisioned with a fixed shard count.
// It prints, every six hours, the on-demand stream's shard count and the
// records each stream throttled, and ends with what each stream would
// cost on Kinesis.
//
// A month of Kinesis-sized traffic is billions of records, too many to
// store on one machine in seconds, so the simulation runs at 1/10,000
// scale: each shard takes 1/10,000 of Kinesis's per-shard throughput and
// the traffic is 1/10,000 of the offered load. Shard counts and throttling
// are the same as at full scale; the volume-based parts of the bill are
// multiplied back up before pricing.
//
// Flags:
//
//	-days N                  simulated days (default 30)
//	-short                   simulate 2 days only, as CI does
//	-provisioned-shards N    shard count of the provisioned stream (default 6)
//	-csv FILE.csv            write hourly figures as CSV
//	-report FILE.html        write an HTML report with charts
//
// The report is one self-contained HTML file (inline SVG charts, no
// scripts, nothing fetched) that charts, for both streams, offered load
// against write capacity, shard count, throttled records per hour and
// cumulative cost, over a summary table. With -csv and no -report, the
// report is written next to the CSV, with the same name ending in .html:
//
//	go run ./examples/simulation -csv /tmp/sim.csv   # also writes /tmp/sim.html
//
// Without -csv or -report the command writes no files.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
)

// options are the command's settings.
type options struct {
	days, provisionedShards int
	csvPath, reportPath     string
}

func main() {
	var o options
	flag.IntVar(&o.days, "days", 30, "simulated days")
	short := flag.Bool("short", false, "simulate 2 days only (for CI)")
	flag.IntVar(&o.provisionedShards, "provisioned-shards", 6, "shard count of the provisioned stream")
	flag.StringVar(&o.csvPath, "csv", "", "write hourly figures to this CSV `file` (and, without -report, the report next to it)")
	flag.StringVar(&o.reportPath, "report", "", "write an HTML report with charts to this `file`")
	flag.Parse()
	if *short {
		o.days = 2
	}
	if err := run(o, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run simulates, prints progress and the bill to w, and writes the files
// o asks for.
func run(o options, w io.Writer) error {
	if o.days < 1 || o.provisionedShards < 1 {
		return errors.New("-days and -provisioned-shards must be at least 1")
	}
	if o.csvPath != "" && o.reportPath == "" {
		o.reportPath = strings.TrimSuffix(o.csvPath, filepath.Ext(o.csvPath)) + ".html"
		if o.reportPath == o.csvPath {
			return fmt.Errorf("the report would overwrite %s: name it with -report", o.csvPath)
		}
	}
	res, err := simulate(o.days, o.provisionedShards, w)
	if err != nil {
		return err
	}
	printBill(w, res)
	if o.csvPath != "" {
		if err := writeCSV(o.csvPath, res); err != nil {
			return err
		}
		fmt.Fprintf(w, "Hourly figures: %s\n", o.csvPath)
	}
	if o.reportPath != "" {
		if err := writeReport(o.reportPath, res); err != nil {
			return err
		}
		fmt.Fprintf(w, "Report: %s\n", o.reportPath)
	}
	return nil
}

// printBill writes the throttled totals and each stream's bill to w.
func printBill(w io.Writer, res result) {
	od, prov := res.total(onDemandMode), res.total(provisionedMode)
	fmt.Fprintf(w, "\nThrottled records: on-demand %d, provisioned %d (cumulative, full scale)\n", od.Throttled, prov.Throttled)
	fmt.Fprintf(w, "Bill for %d days at %s prices of %s:\n", res.Days, res.Prices.Region, res.Prices.AsOf.Format("2006-01-02"))
	fmt.Fprintf(w, "  on-demand stream, billed on demand:   $%10.2f\n", od.Cost)
	fmt.Fprintf(w, "  provisioned stream (%d shards):        $%10.2f\n", prov.Shards, prov.Cost)
	fmt.Fprintf(w, "  the same traffic provisioned like the on-demand stream's shards: $%.2f\n", res.Hours[len(res.Hours)-1].OnDemand.Bill.Provisioned.Total)
}
