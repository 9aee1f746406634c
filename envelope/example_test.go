package envelope_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/envelope"
)

// A producer seals payments before they go to the stream; a consumer
// opens them as it reads. The stream itself only ever holds ciphertext.
func Example() {
	ctx := context.Background()
	svc, _ := kds.NewService()
	svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "payments", ShardCount: 1})
	key := svc.Keys().CreateKey()
	svc.Keys().CreateAlias("alias/payments", key.KeyID)

	seal, err := envelope.New(svc.Keys(), "alias/payments")
	if err != nil {
		panic(err)
	}
	p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "payments", Client: svc})
	if err != nil {
		panic(err)
	}
	for _, payment := range []string{"alice pays bob 12.50", "bob pays carol 99.00"} {
		sealed, err := seal.Seal(ctx, []byte(payment))
		if err != nil {
			panic(err)
		}
		if _, err := p.Put(ctx, "ledger", sealed); err != nil {
			panic(err)
		}
	}
	if err := p.Close(ctx); err != nil {
		panic(err)
	}

	open, _ := envelope.New(svc.Keys(), "alias/payments")
	s, _ := svc.Stream("payments")
	n := 0
	for rec, err := range s.Records(ctx, kds.TrimHorizon()) {
		if err != nil {
			panic(err)
		}
		payment, err := open.Open(ctx, rec.Data)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s (stored in plaintext: %v)\n", payment, bytes.Contains(rec.Data, payment))
		if n++; n == 2 {
			break
		}
	}
	// Output:
	// alice pays bob 12.50 (stored in plaintext: false)
	// bob pays carol 99.00 (stored in plaintext: false)
}
