package delivery

import (
	"fmt"
	"strings"

	"github.com/kdsgo/kds"
)

// partition returns the values of the partition keys Prefix uses for a
// record the transform kept (o), and the buffer key they make. Without
// dynamic partitioning every record is in the partition "".
func (d *DeliveryStream) partition(rec kds.Record, o outcome) (string, map[string]string, error) {
	keys := d.cfg.prefix.keys
	if len(keys) == 0 {
		return "", nil, nil
	}
	vals := make(map[string]string, len(keys))
	parts := make([]string, len(keys))
	var (
		doc    any
		parsed bool
	)
	for i, k := range keys {
		ns, name, _ := strings.Cut(k, ":")
		var (
			v   string
			err error
		)
		switch ns {
		case nsFromQuery:
			if !parsed {
				if doc, err = parseJSON(o.data); err != nil {
					return "", nil, err
				}
				parsed = true
			}
			v, err = d.cfg.queries[name].eval(doc)
		case nsFromLambda:
			var ok bool
			if v, ok = o.keys[name]; !ok {
				err = fmt.Errorf("the transform returned no partition key %q", name)
			}
		default: // kinesis:partition-key
			v = rec.PartitionKey
		}
		if err == nil {
			err = checkPartitionValue(v)
		}
		if err != nil {
			return "", nil, fmt.Errorf("partition key !{%s}: %w", k, err)
		}
		vals[k], parts[i] = v, v
	}
	return strings.Join(parts, "\x00"), vals, nil
}

// checkPartitionValue rejects values that would not make one path
// segment of an object key: empty, ".", "..", or holding a slash, a
// backslash or a NUL.
func checkPartitionValue(v string) error {
	if v == "" || v == "." || v == ".." || strings.ContainsAny(v, "/\\\x00") {
		return fmt.Errorf("value %q cannot be a path segment", v)
	}
	return nil
}
