//go:build !unix

package kds

import (
	"errors"
	"os"
)

// lockDir refuses: data directories need the file locks of a unix system.
func lockDir(string) (*os.File, error) {
	return nil, errors.New("WithDataDir needs a unix system")
}
