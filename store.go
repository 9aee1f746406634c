package kds

import (
	"context"
	"slices"
	"sync"
)

// store keeps a Service's state where it outlives the process. A Service
// without [WithDataDir] has none (Service.store is nil) and keeps
// everything in memory; that path pays one nil check per write and per
// metadata change, nothing more. The only implementation is dirStore
// (store_dir*.go), the one place in the core that does file I/O.
//
// Lock order: the core's locks (svc.mu, s.mu, sh.mu) come before any lock
// of the store, and the store's goroutines never take a core lock.
type store interface {
	// load returns the metadata the store holds, or a nil state if it
	// holds none yet (a new directory).
	load() (*storedState, error)
	// saveService, saveStream and saveKeys replace the saved service
	// state, one stream's metadata, and the Service's own KeyService.
	// They return once the change is durable.
	saveService(m *serviceMeta) error
	saveStream(m *streamMeta) error
	saveKeys(m *keysMeta) error
	// dropStream forgets a stream whose deletion has completed; its
	// files are removed in the background.
	dropStream(id uint64)
	// openShard returns the journal that will keep sh's records, and
	// what the store already holds of them (nil for a new shard).
	openShard(streamID uint64, sh *shard) (shardLog, *shardRecovery, error)
	// failure returns the first write or sync error, after which the
	// store accepts no more writes.
	failure() error
	// problems returns the damage found when the store was opened or since.
	problems() []StorageProblem
	// close makes everything durable and releases the directory.
	close() error
}

// storedState is what a store holds when it is opened.
type storedState struct {
	service *serviceMeta
	streams []*streamMeta // by stream id
	keys    *keysMeta     // nil if never saved
}

// StorageProblem is damage a data directory's store found in its files:
// when it was opened, or later while reading them.
type StorageProblem struct {
	// Kind is "torn-tail" (a write cut short by a crash, cut off at open;
	// nothing acknowledged is lost under the default sync policy),
	// "damaged-segment" (a sealed file fails its checksums; records from
	// From on cannot be read), "damaged-metadata" or "write-failed".
	Kind    string
	Path    string
	Stream  string
	ShardID string
	// From is the first record that cannot be read, if known.
	From SequenceNumber
	// Bytes is how much was cut off or cannot be read.
	Bytes int64
	Err   string
}

// shardLog is one shard's journal in a store. Its methods run under the
// shard's mu.
type shardLog interface {
	// add stages the record appendLocked has just stored in g under
	// header h; dk is the data key it is sealed with, or nil.
	add(g *segment, h *recordHeader, dk *dataKey)
	// commit writes the staged records. What it returns is what the put
	// must wait for, after releasing its locks, before acknowledging them.
	commit() (syncWait, error)
	// seal ends the file holding g, the tail being sealed (g is its
	// immutable copy), and returns the sealed segment's entry.
	seal(g *segment) (*sealedSeg, error)
	// dropped takes the sealed segments retention has removed.
	dropped(rs []*sealedSeg)
}

// shardRecovery is what a store held of one shard's records when opened.
type shardRecovery struct {
	sealed      []*sealedSeg // oldest first; there may be counter gaps between them
	next        uint64       // counter of the next record
	lastArrival int64        // Unix ms of the newest record; 0 if none
}

// syncWait is what a put waits for, after releasing its locks, before it
// acknowledges records: nothing (the zero value), or a sync of a log.
type syncWait struct {
	log durable
	end uint64 // the log's position after the put's records
}

// durable is a log that can wait until its records below a counter are
// on stable storage.
type durable interface {
	waitDurable(end uint64) error
}

// wait waits until the put's records are durable.
func (w syncWait) wait() error {
	if w.log == nil {
		return nil
	}
	return w.log.waitDurable(w.end)
}

// attachShard gives sh the journal its records go to, and restores what
// the store already holds of them. Without a store it does nothing.
func (s *Stream) attachShard(sh *shard) error {
	st := s.svc.store
	if st == nil {
		return nil
	}
	log, rec, err := st.openShard(s.id, sh)
	if err != nil {
		return err
	}
	sh.log = log
	if rec != nil {
		sh.restore(rec)
	}
	return nil
}

// logRun is what a put wrote to one shard's log: the shard, and what to
// wait for before its records there are acknowledged.
type logRun struct {
	sh   *shard
	sync syncWait
	err  error
}

// commitLocked writes the records staged in the shard's log. The caller
// holds s.mu.
func (s *shard) commitLocked() logRun {
	if s.log == nil {
		return logRun{}
	}
	w, err := s.log.commit()
	return logRun{sh: s, sync: w, err: err}
}

// commitLogs commits the logs of the shards a PutRecords call appended
// to, each once, however its records alternated between them: held, whose
// lock the caller holds (and which is released here), and those in
// logged, which it does not.
func commitLogs(held *shard, logged []*shard) []logRun {
	var runs []logRun
	if held.log != nil {
		runs = append(runs, held.commitLocked())
	}
	held.mu.Unlock()
	for _, sh := range logged {
		if sh != held {
			sh.mu.Lock()
			runs = append(runs, sh.commitLocked())
			sh.mu.Unlock()
		}
	}
	return runs
}

// wait waits until the run's records are durable.
func (r logRun) wait() error {
	if r.err != nil {
		return r.err
	}
	return r.sync.wait()
}

// awaitRuns waits until the records of a PutRecords call are durable,
// syncing the shards' logs in parallel, and turns the entries of records
// that could not be written (targets[j] is where record j went) into
// InternalFailure.
func awaitRuns(runs []logRun, targets []*shard, out *PutRecordsOutput) {
	errs := make([]error, len(runs))
	var wg sync.WaitGroup
	for i, r := range runs {
		if r.err != nil || r.sync.log == nil {
			errs[i] = r.err // nothing to wait for
		} else if i == len(runs)-1 {
			errs[i] = r.wait()
		} else {
			wg.Go(func() { errs[i] = r.wait() })
		}
	}
	wg.Wait()
	for i, r := range runs {
		if errs[i] == nil {
			continue
		}
		for j, sh := range targets {
			if e := &out.Records[j]; sh == r.sh && e.ErrorCode == "" {
				*e = PutRecordsResultEntry{ErrorCode: "InternalFailure", ErrorMessage: "Internal Service Failure"}
				out.FailedRecordCount++
			}
		}
	}
}

// storeFailure returns the error writes get once the Service's store has
// failed, or nil.
func (svc *Service) storeFailure() error {
	if svc.store == nil {
		return nil
	}
	if err := svc.store.failure(); err != nil {
		return storeError()
	}
	return nil
}

// storeError is the error an operation returns when its change could not
// be made durable. Like Kinesis's, its message says nothing of the
// server's insides; [Service.StorageProblems] has the cause.
func storeError() error {
	return newError(codeInternalFailure, "Internal Service Failure")
}

// openStore opens the store the options ask for: none, or a data directory.
func openStore(c config) (store, error) {
	if c.dataDir == "" {
		return nil, nil
	}
	return openDirStore(c)
}

// StorageProblems returns the damage the Service's data directory (see
// [WithDataDir]) has found: when it was opened (a torn tail cut back, a
// damaged file) and since (a damaged file found on reading it, a failed
// write). It is empty without a data directory.
func (svc *Service) StorageProblems() []StorageProblem {
	if svc.store == nil {
		return nil
	}
	return append(slices.Clone(svc.restoreProblems), svc.store.problems()...)
}

// VerifyStorage reads every sealed segment file of the Service's data
// directory and checks its checksums, which opening the directory does not
// do (it reads only their footers), and returns [Service.StorageProblems]
// with whatever damage it found added. It stops early if ctx ends. Without
// a data directory it does nothing.
func (svc *Service) VerifyStorage(ctx context.Context) []StorageProblem {
	if svc.store == nil {
		return nil
	}
	for _, s := range svc.sortedStreams() {
		for _, sh := range s.allShards() {
			var refs []*sealedSeg
			sh.snapshot().sealed.Ascend(func(r segmentRef) bool {
				refs = append(refs, r.seg)
				return true
			})
			for _, r := range refs {
				if ctx.Err() != nil {
					return svc.StorageProblems()
				}
				if r.src != nil {
					r.src.verify(r)
				}
			}
		}
	}
	return svc.StorageProblems()
}
