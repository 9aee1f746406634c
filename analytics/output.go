package analytics

import (
	"context"
	"fmt"

	"github.com/kdsgo/kds"
)

// Output is one result: the aggregate of the records of Key in Window.
// Update is true when an earlier Output for the same key and an
// overlapping window was emitted, which this one supersedes: a late record
// within the allowed lateness updated the window, or (session windows)
// joined sessions whose results were emitted into this wider one.
type Output[R any] struct {
	// Window is the window the result covers.
	Window Window `json:"window"`
	// Key is the key whose records it aggregates.
	Key string `json:"key"`
	// Result is the aggregator's result.
	Result R `json:"result"`
	// Update marks a result that supersedes an earlier one.
	Update bool `json:"update"`
}

// Sink receives the results of a [Windows], in the order they are
// produced, one call at a time and with no lock held. Its methods must not
// call back into the Windows.
type Sink[R any] interface {
	// Emit receives one result. An error goes to the error handler; the
	// result is not offered again.
	Emit(ctx context.Context, out Output[R]) error
	// Flush returns once every result emitted so far is stored, or with
	// the error of one that was not. [Windows.Run] calls it before each
	// checkpoint and checkpoints nothing when it fails.
	Flush(ctx context.Context) error
}

// Func returns a Sink that hands each result to f, which stores nothing
// and so has nothing to flush.
func Func[R any](f func(Output[R])) Sink[R] {
	return funcSink[R](f)
}

type funcSink[R any] func(Output[R])

func (f funcSink[R]) Emit(_ context.Context, out Output[R]) error {
	f(out)
	return nil
}

func (funcSink[R]) Flush(context.Context) error { return nil }

// RecordError is the error handler's argument for a record that counts in
// no window because its event time or its aggregate failed.
type RecordError struct {
	// Record is the record that failed.
	Record kds.Record
	// Err is why.
	Err error
}

// Error names the record and the cause.
func (e *RecordError) Error() string {
	return fmt.Sprintf("analytics: record %s/%d (partition key %q): %v", e.Record.SequenceNumber, e.Record.SubSequenceNumber, e.Record.PartitionKey, e.Err)
}

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// Stats counts what a [Windows] has done since it was created.
type Stats struct {
	// Records is how many records were added.
	Records int64
	// Late is how many records were too late for all of their windows.
	Late int64
	// Failed is how many records failed (see [RecordError]).
	Failed int64
	// Results is how many results were emitted, updates included.
	Results int64
	// Updates is how many of them were updates.
	Updates int64
	// Open is how many key and window pairs hold state now, fired ones
	// within their allowed lateness included.
	Open int
}
