package agent_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/agent"
)

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "agent-example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "access.log"), []byte(
		`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`+"\n"+
			`10.0.0.7 - - [10/Oct/2000:13:56:01 -0700] "GET /missing HTTP/1.0" 404 -`+"\n"), 0o644)

	stream, _ := kds.NewStream("access-logs")
	a, err := agent.New(agent.Config{
		FilePattern:     filepath.Join(dir, "*.log"),
		Sink:            agent.StreamSink(stream),
		InitialPosition: agent.StartOfFile,
		PartitionKey:    "web-1",
		DataProcessingOptions: []agent.ProcessingOption{
			{OptionName: agent.LogToJSON, LogFormat: agent.CommonApacheLog,
				CustomFieldNames: []string{"client", "ident", "user", "time", "request", "status", "bytes"}},
		},
		CheckpointFile: filepath.Join(dir, "checkpoints.json"),
	})
	if err != nil {
		panic(err)
	}
	// Run(ctx) would poll until ctx ends; one poll is enough here.
	if err := a.Poll(ctx); err != nil {
		panic(err)
	}
	if err := a.Close(ctx); err != nil {
		panic(err)
	}
	for rec, err := range stream.Replay(ctx, kds.TrimHorizon()) {
		if err != nil {
			panic(err)
		}
		fmt.Print(rec.PartitionKey, " ", string(rec.Data))
	}
	// Output:
	// web-1 {"client":"127.0.0.1","ident":null,"user":"frank","time":"10/Oct/2000:13:55:36 -0700","request":"GET /apache_pb.gif HTTP/1.0","status":"200","bytes":"2326"}
	// web-1 {"client":"10.0.0.7","ident":null,"user":null,"time":"10/Oct/2000:13:56:01 -0700","request":"GET /missing HTTP/1.0","status":"404","bytes":null}
}
