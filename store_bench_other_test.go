//go:build !(linux && (amd64 || arm64))

package kds

import "errors"

// evictFromPageCache is not available here: BenchmarkColdGetRecords
// skips its from-disk arm.
func evictFromPageCache(path string) error { return errors.ErrUnsupported }
