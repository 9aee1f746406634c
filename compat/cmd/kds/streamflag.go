package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kdsgo/kds/compat/internal/startup"
)

// streamFlags is the repeatable --stream NAME[:SHARDS] flag: streams to
// create at start-up, with one shard unless SHARDS says otherwise.
type streamFlags []startup.Stream

func (f *streamFlags) String() string {
	parts := make([]string, len(*f))
	for i, s := range *f {
		parts[i] = s.Name + ":" + strconv.Itoa(s.Shards)
	}
	return strings.Join(parts, ",")
}

// Set parses one NAME[:SHARDS]. Whether NAME is a valid stream name is
// left to CreateStream, which words the error as Kinesis does.
func (f *streamFlags) Set(v string) error {
	name, count, hasCount := strings.Cut(v, ":")
	if name == "" {
		return errors.New("missing stream name (want NAME or NAME:SHARDS)")
	}
	shards := 1
	if hasCount {
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			return fmt.Errorf("shard count %q is not a positive integer", count)
		}
		shards = n
	}
	*f = append(*f, startup.Stream{Name: name, Shards: shards})
	return nil
}
