package analytics

import (
	"errors"
	"math"

	"github.com/kdsgo/kds"
)

// Aggregator folds the records of one key and window into an accumulator
// of type A and turns it into a result of type R. Each window starts from
// Zero(); Add adds one record; Merge combines the accumulators of two
// session windows that a record joins (it is not called for tumbling or
// sliding windows and may be nil for them); Result reads the result when
// the window fires, and again for each update.
//
// Add returns an error for a record it cannot use (a field missing from
// its data, say): the record then goes to the error handler and counts in
// none of its windows. Add and Merge may modify and return their first
// argument, but Add must leave it as it was when it fails; Result must not
// modify its argument. The functions are called one at a time, while the
// [Windows] holds its lock, so they must not call back into it.
type Aggregator[A, R any] struct {
	// Zero returns the accumulator of an empty window.
	Zero func() A
	// Add returns acc with rec added.
	Add func(acc A, rec kds.Record) (A, error)
	// Merge returns the accumulator of two sessions joined, a before b.
	Merge func(a, b A) A
	// Result reads the result from an accumulator.
	Result func(acc A) R
}

// validate reports a missing function.
func (a Aggregator[A, R]) validate(w Windowing) error {
	var errs []error
	if a.Zero == nil || a.Add == nil || a.Result == nil {
		errs = append(errs, errors.New("analytics: the aggregator needs Zero, Add and Result"))
	}
	if w.kind == session && a.Merge == nil {
		errs = append(errs, errors.New("analytics: session windows need the aggregator's Merge"))
	}
	return errors.Join(errs...)
}

// Count counts the records of each key and window.
func Count() Aggregator[int64, int64] {
	return Aggregator[int64, int64]{
		Zero:   func() int64 { return 0 },
		Add:    func(n int64, _ kds.Record) (int64, error) { return n + 1, nil },
		Merge:  func(a, b int64) int64 { return a + b },
		Result: func(n int64) int64 { return n },
	}
}

// Value extracts a number from a record for [Sum], [Min], [Max] and
// [Avg]. An error puts the record out of its windows and goes to the
// error handler.
type Value func(rec kds.Record) (float64, error)

// Sum adds up value over the records of each key and window.
func Sum(value Value) Aggregator[float64, float64] {
	return Aggregator[float64, float64]{
		Zero: func() float64 { return 0 },
		Add: func(s float64, rec kds.Record) (float64, error) {
			v, err := value(rec)
			return s + v, err
		},
		Merge:  func(a, b float64) float64 { return a + b },
		Result: func(s float64) float64 { return s },
	}
}

// Min is the smallest value among the records of each key and window.
func Min(value Value) Aggregator[float64, float64] {
	return extreme(value, math.Inf(1), math.Min)
}

// Max is the largest value among the records of each key and window.
func Max(value Value) Aggregator[float64, float64] {
	return extreme(value, math.Inf(-1), math.Max)
}

// extreme folds values with pick from start, which no window keeps since
// a window holds at least one record.
func extreme(value Value, start float64, pick func(a, b float64) float64) Aggregator[float64, float64] {
	return Aggregator[float64, float64]{
		Zero: func() float64 { return start },
		Add: func(m float64, rec kds.Record) (float64, error) {
			v, err := value(rec)
			if err != nil {
				return m, err
			}
			return pick(m, v), nil
		},
		Merge:  pick,
		Result: func(m float64) float64 { return m },
	}
}

// Mean is the accumulator of [Avg]: a sum and a count.
type Mean struct {
	// Sum is the sum of the values.
	Sum float64
	// Count is how many values were added.
	Count int64
}

// Avg is the mean value of the records of each key and window.
func Avg(value Value) Aggregator[Mean, float64] {
	return Aggregator[Mean, float64]{
		Zero: func() Mean { return Mean{} },
		Add: func(m Mean, rec kds.Record) (Mean, error) {
			v, err := value(rec)
			if err != nil {
				return m, err
			}
			return Mean{Sum: m.Sum + v, Count: m.Count + 1}, nil
		},
		Merge:  func(a, b Mean) Mean { return Mean{Sum: a.Sum + b.Sum, Count: a.Count + b.Count} },
		Result: func(m Mean) float64 { return m.Sum / float64(m.Count) },
	}
}
