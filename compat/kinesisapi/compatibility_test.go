package kinesisapi

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds"
)

// TestCompatibilityTable keeps COMPATIBILITY.md's operations table true: it
// must list exactly the operations of the AWS SDK's Kinesis client, and its
// "In-process" and "Wire" columns must say "yes" exactly where *kds.Service
// has the method and this package serves the operation.
func TestCompatibilityTable(t *testing.T) {
	doc, err := os.ReadFile("../../COMPATIBILITY.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "<!-- operations table: checked by TestCompatibilityTable -->")
	table, _, ok2 := strings.Cut(table, "<!-- end of operations table -->")
	if !ok || !ok2 {
		t.Fatal("COMPATIBILITY.md has lost its operations table markers")
	}
	type row struct{ inProcess, wire string }
	rows := map[string]row{}
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 {
			continue
		}
		name := strings.TrimSpace(cells[1])
		if name == "Operation" || strings.HasPrefix(name, "-") {
			continue
		}
		if _, dup := rows[name]; dup {
			t.Errorf("%s is listed twice", name)
		}
		rows[name] = row{strings.TrimSpace(cells[2]), strings.TrimSpace(cells[3])}
	}

	var sdkOps []string
	client := reflect.TypeOf(&kinesis.Client{})
	for i := range client.NumMethod() {
		if m := client.Method(i); m.Name != "Options" {
			sdkOps = append(sdkOps, m.Name)
		}
	}
	service := reflect.TypeOf(&kds.Service{})
	for _, op := range sdkOps {
		r, ok := rows[op]
		if !ok {
			t.Errorf("COMPATIBILITY.md does not list %s", op)
			continue
		}
		_, has := service.MethodByName(op)
		if want := yesNo(has); r.inProcess != want {
			t.Errorf("%s: In-process says %q, *kds.Service says %q", op, r.inProcess, want)
		}
		if want := yesNo(operations[op] != nil); r.wire != want {
			t.Errorf("%s: Wire says %q, the handler says %q", op, r.wire, want)
		}
	}
	for name := range rows {
		if !slices.Contains(sdkOps, name) {
			t.Errorf("COMPATIBILITY.md lists %s, which the AWS SDK's client does not have", name)
		}
	}
	for name := range operations {
		if !slices.Contains(sdkOps, name) {
			t.Errorf("the handler serves %s, which the AWS SDK's client does not have", name)
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
