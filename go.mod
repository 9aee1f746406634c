module github.com/kdsgo/kds

go 1.25.0

require (
	github.com/cespare/xxhash/v2 v2.3.0
	github.com/google/btree v1.1.3
	golang.org/x/time v0.15.0
)
