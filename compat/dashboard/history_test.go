package dashboard

import (
	"testing"
	"time"
)

func TestHistoryKeepsChangesOnly(t *testing.T) {
	h := newHistory()
	created := start.Add(-time.Hour)
	at := func(s int) time.Time { return start.Add(time.Duration(s) * time.Second) }
	for i := range historyLength + 10 {
		h.record("s", created, at(2*i), 1+i%2)
		h.record("s", created, at(2*i+1), 1+i%2) // the same count again
	}
	got := h.counts("s", at(1000), 7)
	if len(got) != historyLength+1 {
		t.Fatalf("%d counts, want the last %d changes and now", len(got), historyLength)
	}
	if first := got[0]; !first.Time.Equal(at(20)) || first.OpenShards != 1 {
		t.Errorf("oldest kept %+v, want the 11th change (1 shard at %v)", first, at(20))
	}
	if last := got[len(got)-1]; !last.Time.Equal(at(1000)) || last.OpenShards != 7 {
		t.Errorf("last %+v, want now", last)
	}

	// A stream created again under the same name starts afresh.
	h.record("s", created.Add(time.Minute), at(2000), 4)
	if got := h.counts("s", at(2000), 4); len(got) != 1 || got[0].OpenShards != 4 {
		t.Errorf("after re-creation: %+v, want one count", got)
	}
	// A stream gone is forgotten.
	h.record("other", created, at(2000), 2)
	h.retain(map[string]bool{"other": true})
	if got := h.counts("s", at(3000), 4); len(got) != 1 {
		t.Errorf("after deletion: %+v, want only now", got)
	}
	if got := h.counts("other", at(3000), 2); len(got) != 2 {
		t.Errorf("the stream kept lost its counts: %+v", got)
	}
}
