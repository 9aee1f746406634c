package trigger

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// EpochSeconds is a time that JSON renders as Lambda renders a Kinesis
// record's approximateArrivalTimestamp: seconds since the Unix epoch as a
// number with three decimals (milliseconds), e.g. 1545084650.987.
type EpochSeconds struct{ time.Time }

// MarshalJSON renders the time as seconds with millisecond decimals.
func (t EpochSeconds) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	return fmt.Appendf(nil, "%s%d.%03d", sign, ms/1000, ms%1000), nil
}

// UnmarshalJSON reads seconds since the epoch, to the millisecond.
func (t *EpochSeconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	t.Time = time.UnixMilli(int64(math.Round(f * 1000))).UTC()
	return nil
}

// isoMillisLayout is how Lambda's on-failure records write times:
// RFC 3339 in UTC with exactly three decimals.
const isoMillisLayout = "2006-01-02T15:04:05.000Z"

// ISOMillis is a time that JSON renders as Lambda's on-failure records
// render theirs: UTC, millisecond precision, e.g.
// "2019-11-14T00:38:06.021Z".
type ISOMillis struct{ time.Time }

// MarshalJSON renders the time as an RFC 3339 string with milliseconds.
func (t ISOMillis) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, t.UTC().Format(isoMillisLayout)), nil
}

// UnmarshalJSON reads an RFC 3339 time string.
func (t *ISOMillis) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = parsed.UTC()
	return nil
}
