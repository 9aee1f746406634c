package consumergroup

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

type nopProcessor struct{}

func (nopProcessor) Initialize(context.Context, InitializeInput)               {}
func (nopProcessor) ProcessRecords(context.Context, ProcessRecordsInput)       {}
func (nopProcessor) LeaseLost(context.Context, LeaseLostInput)                 {}
func (nopProcessor) ShardEnded(context.Context, ShardEndedInput)               {}
func (nopProcessor) ShutdownRequested(context.Context, ShutdownRequestedInput) {}

func TestConfigValidation(t *testing.T) {
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	valid := func() Config {
		return Config{
			ApplicationName: "app",
			StreamName:      "s",
			Client:          svc,
			Store:           NewMemStore(),
			NewProcessor:    func(string) Processor { return nopProcessor{} },
		}
	}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   []string // substrings of the error; none means valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"all set", func(c *Config) {
			c.WorkerID, c.LeaseDuration, c.ShardSyncInterval = "w", time.Second, time.Second
			c.IdleTimeBetweenReads, c.MaxRecords, c.Clock = time.Millisecond, 1, kds.NewManualClock(time.Unix(0, 0))
			c.InitialPosition = AtTimestamp(time.Unix(1, 0))
		}, nil},
		{"no application", func(c *Config) { c.ApplicationName = "" }, []string{"ApplicationName"}},
		{"bad application", func(c *Config) { c.ApplicationName = "a/b" }, []string{"ApplicationName"}},
		{"no stream", func(c *Config) { c.StreamName = "" }, []string{"StreamName"}},
		{"no client", func(c *Config) { c.Client = nil }, []string{"Client is nil"}},
		{"no store", func(c *Config) { c.Store = nil }, []string{"Store is nil"}},
		{"no processor", func(c *Config) { c.NewProcessor = nil }, []string{"NewProcessor is nil"}},
		{"zero timestamp", func(c *Config) { c.InitialPosition = AtTimestamp(time.Time{}) }, []string{"AtTimestamp"}},
		{"short lease", func(c *Config) { c.LeaseDuration = time.Millisecond }, []string{"LeaseDuration"}},
		{"negative lease", func(c *Config) { c.LeaseDuration = -time.Second }, []string{"LeaseDuration"}},
		{"negative sync", func(c *Config) { c.ShardSyncInterval = -1 }, []string{"ShardSyncInterval"}},
		{"negative idle", func(c *Config) { c.IdleTimeBetweenReads = -1 }, []string{"IdleTimeBetweenReads"}},
		{"max records high", func(c *Config) { c.MaxRecords = 10001 }, []string{"MaxRecords"}},
		{"max records negative", func(c *Config) { c.MaxRecords = -1 }, []string{"MaxRecords"}},
		{"everything wrong", func(c *Config) { *c = Config{MaxRecords: -1} }, []string{"ApplicationName", "StreamName", "Client", "Store", "NewProcessor", "MaxRecords"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid()
			tc.change(&cfg)
			w, err := NewWorker(cfg)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("NewWorker: %v", err)
				}
				if w.ID() == "" {
					t.Error("empty worker ID")
				}
				return
			}
			if err == nil {
				t.Fatal("NewWorker accepted the config")
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %s", err, s)
				}
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := Config{ApplicationName: "a", StreamName: "s", Client: &kds.Service{}, Store: NewMemStore(),
		NewProcessor: func(string) Processor { return nopProcessor{} }}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.LeaseDuration != 10*time.Second || c.ShardSyncInterval != time.Minute || c.IdleTimeBetweenReads != time.Second ||
		c.MaxRecords != 10000 || c.Clock != (kds.RealClock{}) || c.WorkerID == "" || c.InitialPosition.sentinel() != CheckpointTrimHorizon {
		t.Errorf("defaults: %+v", c)
	}
	other, _ := Config{ApplicationName: "a", StreamName: "s", Client: &kds.Service{}, Store: NewMemStore(),
		NewProcessor: func(string) Processor { return nopProcessor{} }}.withDefaults()
	if other.WorkerID == c.WorkerID {
		t.Errorf("two default worker IDs are both %q", c.WorkerID)
	}
}

func TestRunTwiceFails(t *testing.T) {
	w, err := NewWorker(Config{ApplicationName: "a", StreamName: "missing", Client: &kds.Service{}, Store: NewMemStore(),
		NewProcessor: func(string) Processor { return nopProcessor{} }})
	if err != nil {
		t.Fatal(err)
	}
	w.running.Store(true)
	if err := w.Run(context.Background()); err == nil {
		t.Error("second Run succeeded")
	}
}

func TestRunFailsForMissingStream(t *testing.T) {
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorker(Config{ApplicationName: "a", StreamName: "missing", Client: svc, Store: NewMemStore(),
		NewProcessor: func(string) Processor { return nopProcessor{} }})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Run(context.Background()); !errors.Is(err, kds.ErrResourceNotFound) {
		t.Errorf("Run on a missing stream = %v, want ResourceNotFoundException", err)
	}
}
