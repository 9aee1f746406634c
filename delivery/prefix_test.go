package delivery

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPrefixEval(t *testing.T) {
	at := time.Date(2018, 8, 27, 10, 30, 5, 0, time.UTC)
	vals := map[string]string{"partitionKeyFromQuery:customer_id": "1234", "partitionKeyFromLambda:device": "mobile", "kinesis:partition-key": "pk-7"}
	tests := []struct {
		prefix, want string
	}{
		// Firehose's documented examples (at 10:30 UTC on 27 Aug 2018).
		{"", "2018/08/27/10/"},
		{"myFirehosePrefix/", "myFirehosePrefix/2018/08/27/10/"},
		{"myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/", "myPrefix/year=2018/month=08/day=27/hour=10/"},
		{"!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/", "year=2018/month=08/day=27/hour=10/"},
		{"myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/", "myFirehose/DeliveredYear=2018/anyMonth/"},
		// The pattern subset.
		{"!{timestamp:yyyy/MM/dd/HH}/", "2018/08/27/10/"},
		{"!{timestamp:yy-M-d H.m.s}/", "18-8-27 10.30.5/"},
		{"!{timestamp:HH:mm:ss}", "10:30:05"},
		{"!{timestamp:y}", "2018"},
		{"!{timestamp:'o''clock' HH''}", "o'clock 10'"},
		// An expression of any kind stops the default hour folders.
		{"customer_id=!{partitionKeyFromQuery:customer_id}/", "customer_id=1234/"},
		{"!{partitionKeyFromLambda:device}/!{kinesis:partition-key}/!{timestamp:yyyy}/", "mobile/pk-7/2018/"},
	}
	for _, tt := range tests {
		p, err := parsePrefix(tt.prefix, true)
		if err != nil {
			t.Errorf("parsePrefix(%q): %v", tt.prefix, err)
			continue
		}
		if got := p.eval(at, vals, ""); got != tt.want {
			t.Errorf("prefix %q = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

func TestPrefixRandomString(t *testing.T) {
	p, err := parsePrefix("a/!{firehose:random-string}/!{firehose:random-string}/", true)
	if err != nil {
		t.Fatal(err)
	}
	got := p.eval(time.Now(), nil, "")
	m := regexp.MustCompile(`^a/([0-9a-z]{11})/([0-9a-z]{11})/$`).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("prefix = %q, want two strings of 11 random letters and digits", got)
	}
	if m[1] == m[2] {
		t.Errorf("both random strings are %q; each use should be new", m[1])
	}
}

func TestErrorPrefix(t *testing.T) {
	at := time.Date(2018, 8, 27, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		prefix, errorPrefix, want string
	}{
		{"", "", "processing-failed/2018/08/27/10/"},
		{"myFirehosePrefix/", "", "myFirehosePrefix/processing-failed/2018/08/27/10/"},
		{"", "myFirehoseFailures/!{firehose:error-output-type}/", "myFirehoseFailures/processing-failed/"},
		{"", "myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}", "myErrorPrefix/year=2018/month=08/day=27/hour=10/processing-failed"},
		{"", "errors/", "errors/"}, // no hour folders added to an ErrorOutputPrefix
	}
	for _, tt := range tests {
		ds, err := New(func() Config {
			c := validConfig()
			c.Prefix, c.ErrorOutputPrefix = tt.prefix, tt.errorPrefix
			return c
		}())
		if err != nil {
			t.Errorf("prefix %q, error prefix %q: %v", tt.prefix, tt.errorPrefix, err)
			continue
		}
		if got := ds.cfg.errorPrefix.eval(at, nil, ErrorOutputProcessingFailed); got != tt.want {
			t.Errorf("prefix %q, error prefix %q: evaluates to %q, want %q", tt.prefix, tt.errorPrefix, got, tt.want)
		}
	}
}

func TestTimeFormatErrors(t *testing.T) {
	for _, p := range []string{"EEE", "MMM", "yyyyy", "HHH", "hh", "a", "'open", "[yyyy]", "#"} {
		if _, err := parseTimeFormat(p); err == nil {
			t.Errorf("parseTimeFormat(%q) accepted it", p)
		}
	}
}

func TestQuery(t *testing.T) {
	doc, err := parseJSON([]byte(`{"customer": {"id": 42, "name": "Ann", "vip": true, "tags": [1], "none": null}, "a b": "spaced", "n": 1.50}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query, want, err string
	}{
		{".customer.id", "42", ""},
		{".customer.name", "Ann", ""},
		{".customer.vip", "true", ""},
		{`."a b"`, "spaced", ""},
		{`.customer["name"]`, "Ann", ""},
		{` .n `, "1.50", ""},
		{".customer", "", "not a string, number or boolean"},
		{".customer.tags", "", "not a string, number or boolean"},
		{".customer.none", "", "null"},
		{".customer.missing", "", `no field "missing"`},
		{".customer.id.x", "", "no object"},
	}
	for _, tt := range tests {
		q, err := parseQuery(tt.query)
		if err != nil {
			t.Errorf("parseQuery(%q): %v", tt.query, err)
			continue
		}
		got, err := q.eval(doc)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%s = %q, %v; want %q", tt.query, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s = %q, %v; want an error with %q", tt.query, got, err, tt.err)
		}
	}
	for _, bad := range []string{"", "customer", ".", "..a", ".a | .b", ".a[0]", `."open`, `.a["b"`, ".1a", "length"} {
		if _, err := parseQuery(bad); err == nil {
			t.Errorf("parseQuery(%q) accepted it", bad)
		}
	}
	for _, data := range []string{"not json", `{"a":1} {"a":2}`} {
		if _, err := parseJSON([]byte(data)); err == nil {
			t.Errorf("parseJSON(%q) accepted it", data)
		}
	}
}
