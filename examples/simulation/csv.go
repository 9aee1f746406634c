package main

import (
	"encoding/csv"
	"os"
	"strconv"
	"strings"
)

// writeCSV writes one row per simulated hour to path: the hour, the
// records offered in it and the busiest minute's rate, then for each
// stream its shards at the end of the hour, its least write capacity in
// the hour, the minutes that offered more than its capacity, the records
// it throttled and its cost so far.
func writeCSV(path string, res result) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	out := csv.NewWriter(f)
	header := []string{"hour", "offered_records", "offered_peak_records_per_s"}
	for _, m := range modes {
		p := strings.ReplaceAll(m.String(), "-", "_") + "_"
		header = append(header, p+"shards", p+"capacity_records_per_s", p+"minutes_over_capacity", p+"throttled", p+"cost_usd")
	}
	out.Write(header)
	for _, h := range res.Hours {
		row := []string{strconv.Itoa(h.Hour), strconv.FormatInt(h.Offered, 10), formatFloat(h.PeakRate)}
		for _, m := range modes {
			s := m.of(h)
			row = append(row, strconv.Itoa(s.Shards), formatFloat(s.Capacity), strconv.Itoa(s.MinutesOver), strconv.FormatInt(s.Throttled, 10), formatFloat(m.cost(s)))
		}
		out.Write(row)
	}
	out.Flush()
	return out.Error()
}

// formatFloat writes v with as many digits as it takes to read it back.
func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
