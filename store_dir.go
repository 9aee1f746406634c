package kds

import "errors"

// openDirStore opens the data directory c names.
func openDirStore(c config) (store, error) {
	return nil, errors.New("kds: WithDataDir: not yet implemented")
}
