package agent

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/kdsgo/kds/internal/atomicfile"
)

// checkpointVersion is the format of the checkpoint file.
const checkpointVersion = 1

// checkpointFile is the JSON document in Config.CheckpointFile.
type checkpointFile struct {
	Version int              `json:"version"`
	Files   []fileCheckpoint `json:"files"`
}

// fileCheckpoint is how far the agent got in one file: every record
// before Offset is stored.
type fileCheckpoint struct {
	// Path is where the file was last seen; informational.
	Path string `json:"path"`
	// ID and the fingerprint identify the file.
	ID             fileID `json:"id"`
	FingerprintLen int    `json:"fingerprintLen"`
	Fingerprint    string `json:"fingerprint"`
	// Offset is the byte after the last stored record.
	Offset int64 `json:"offset"`
	// State is the splitter's state at Offset.
	State splitState `json:"state"`
}

// loadCheckpoints reads the checkpoint file at path. ok is false if there
// is none.
func loadCheckpoints(path string) (cps map[fileID]fileCheckpoint, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("agent: reading checkpoint file: %w", err)
	}
	var doc checkpointFile
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, false, fmt.Errorf("agent: checkpoint file %s: %w", path, err)
	}
	if doc.Version != checkpointVersion {
		return nil, false, fmt.Errorf("agent: checkpoint file %s: version %d, want %d", path, doc.Version, checkpointVersion)
	}
	cps = make(map[fileID]fileCheckpoint, len(doc.Files))
	for _, c := range doc.Files {
		cps[c.ID] = c
	}
	return cps, true, nil
}

// fingerprint returns the fingerprint the checkpoint records, ok false if
// it is malformed.
func (c fileCheckpoint) fingerprint() (fp fingerprint, ok bool) {
	sum, err := hex.DecodeString(c.Fingerprint)
	if err != nil || len(sum) != len(fp.sum) || c.FingerprintLen < 0 || c.FingerprintLen > FingerprintBytes {
		return fingerprint{}, false
	}
	fp.n = c.FingerprintLen
	copy(fp.sum[:], sum)
	return fp, true
}

// saveCheckpoints replaces the checkpoint file at path.
func saveCheckpoints(path string, files []fileCheckpoint) error {
	b, err := json.MarshalIndent(checkpointFile{Version: checkpointVersion, Files: files}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, append(b, '\n')); err != nil {
		return fmt.Errorf("agent: writing checkpoint file: %w", err)
	}
	return nil
}
