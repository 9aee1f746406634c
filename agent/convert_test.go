package agent

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func mustConverter(t *testing.T, o ProcessingOption) converter {
	t.Helper()
	c, err := newConverter(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSingleLineConverter(t *testing.T) {
	conv := mustConverter(t, ProcessingOption{OptionName: SingleLine})
	for in, want := range map[string]string{
		"one line\n":                    "one line\n",
		"  indented\n\tand tabbed  \n":  "indentedand tabbed\n",
		"crlf\r\nlines\r\n":             "crlflines\n",
		"no newline":                    "no newline\n",
		"":                              "\n",
		"{\n  \"a\": 1\n}\n":            "{\"a\": 1}\n",
		"  keep inner  spaces  \n tail": "keep inner  spacestail\n",
	} {
		got, keep := conv([]byte(in))
		if !keep || string(got) != want {
			t.Errorf("SINGLELINE(%q) = %q, %v; want %q", in, got, keep, want)
		}
	}
}

func TestCSVToJSONConverter(t *testing.T) {
	for _, tc := range []struct {
		delim, in, want string
	}{
		{"", "1,2,3\n", `{"a":"1","b":"2","c":"3"}`},
		{"", "1,2\n", `{"a":"1","b":"2","c":null}`},
		{"", "1,2,3,4\n", `{"a":"1","b":"2","c":"3"}`},
		{"", "1,,3\r\n", `{"a":"1","b":"","c":"3"}`},
		{"", "1,,\n", `{"a":"1","b":null,"c":null}`},
		{"", "\n", `{"a":"","b":null,"c":null}`},
		{"\t", "x\ty\tz\n", `{"a":"x","b":"y","c":"z"}`},
		{"||", `q"uote||back\slash||tab` + "\t\n", `{"a":"q\"uote","b":"back\\slash","c":"tab\t"}`},
		{"", "<b>&amp;</b>,é,\x01\n", `{"a":"<b>&amp;</b>","b":"é","c":"\u0001"}`},
	} {
		conv := mustConverter(t, ProcessingOption{OptionName: CSVToJSON, CustomFieldNames: []string{"a", "b", "c"}, Delimiter: tc.delim})
		got, keep := conv([]byte(tc.in))
		if !keep || string(got) != tc.want+"\n" {
			t.Errorf("CSVTOJSON(%q, %q) = %q; want %q", tc.delim, tc.in, got, tc.want)
		}
		if !json.Valid(got) {
			t.Errorf("CSVTOJSON(%q) is not JSON: %q", tc.in, got)
		}
	}
}

// Sample lines of each LOGTOJSON format, from the formats' documentation
// and real logs.
func TestLogToJSONFormats(t *testing.T) {
	for _, tc := range []struct {
		format, line, want string
	}{
		{CommonApacheLog,
			`127.0.0.1 user-identifier frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
			`{"host":"127.0.0.1","ident":"user-identifier","authuser":"frank","datetime":"10/Oct/2000:13:55:36 -0700","request":"GET /apache_pb.gif HTTP/1.0","response":"200","bytes":"2326"}`},
		{CommonApacheLog,
			`www.example.com - - [01/Mar/2026:00:00:01 +0100] "HEAD / HTTP/1.1" 304 - extra fields are allowed`,
			`{"host":"www.example.com","ident":null,"authuser":null,"datetime":"01/Mar/2026:00:00:01 +0100","request":"HEAD / HTTP/1.1","response":"304","bytes":null}`},
		{CombinedApacheLog,
			`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
			`{"host":"127.0.0.1","ident":null,"authuser":"frank","datetime":"10/Oct/2000:13:55:36 -0700","request":"GET /apache_pb.gif HTTP/1.0","response":"200","bytes":"2326","referer":"http://www.example.com/start.html","agent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}`},
		{CombinedApacheLog,
			`192.168.1.20 - - [28/Jul/2006:10:27:10 -0300] "GET /cgi-bin/try/ HTTP/1.0" 200 3395 "-" "curl/8.5.0"`,
			`{"host":"192.168.1.20","ident":null,"authuser":null,"datetime":"28/Jul/2006:10:27:10 -0300","request":"GET /cgi-bin/try/ HTTP/1.0","response":"200","bytes":"3395","referer":null,"agent":"curl/8.5.0"}`},
		{ApacheErrorLog,
			`[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico`,
			`{"timestamp":"Fri Sep 09 10:42:29.902022 2011","module":"core","severity":"error","processid":"35708","threadid":"4328636416","client":"72.15.99.187","message":"File does not exist: /usr/local/apache2/htdocs/favicon.ico"}`},
		{ApacheErrorLog,
			`[Wed Oct 11 14:32:52 2000] [error] [pid 1234] [client 127.0.0.1:51234] client denied by server configuration: /export/home/live/ap/htdocs/test`,
			`{"timestamp":"Wed Oct 11 14:32:52 2000","module":null,"severity":"error","processid":"1234","threadid":null,"client":"127.0.0.1:51234","message":"client denied by server configuration: /export/home/live/ap/htdocs/test"}`},
		{Syslog,
			`Mar  1 12:00:01 web-1 sshd[4242]: Accepted publickey for deploy from 10.0.0.5 port 51234 ssh2`,
			`{"timestamp":"Mar  1 12:00:01","hostname":"web-1","program":"sshd","processid":"4242","message":"Accepted publickey for deploy from 10.0.0.5 port 51234 ssh2"}`},
		{Syslog,
			`Oct 11 22:14:15 mymachine kernel: eth0: link up`,
			`{"timestamp":"Oct 11 22:14:15","hostname":"mymachine","program":"kernel","processid":null,"message":"eth0: link up"}`},
		{RFC3339Syslog,
			`2026-03-01T12:00:01.123456+00:00 web-1 CRON[42]: (root) CMD (run-parts /etc/cron.hourly)`,
			`{"timestamp":"2026-03-01T12:00:01.123456+00:00","hostname":"web-1","program":"CRON","processid":"42","message":"(root) CMD (run-parts /etc/cron.hourly)"}`},
		{RFC3339Syslog,
			`2003-10-11T22:14:15Z mymachine.example.com su: 'su root' failed for lonvick on /dev/pts/8`,
			`{"timestamp":"2003-10-11T22:14:15Z","hostname":"mymachine.example.com","program":"su","processid":null,"message":"'su root' failed for lonvick on /dev/pts/8"}`},
	} {
		conv := mustConverter(t, ProcessingOption{OptionName: LogToJSON, LogFormat: tc.format})
		got, keep := conv([]byte(tc.line + "\n"))
		if !keep || string(got) != tc.want+"\n" {
			t.Errorf("%s(%q)\n got %q, %v\nwant %q", tc.format, tc.line, got, keep, tc.want)
		}
	}
}

func TestLogToJSONNoMatchIsDropped(t *testing.T) {
	for format := range logFormats {
		conv := mustConverter(t, ProcessingOption{OptionName: LogToJSON, LogFormat: format})
		for _, line := range []string{"", "garbage\n", "{\"already\":\"json\"}\n"} {
			if out, keep := conv([]byte(line)); keep {
				t.Errorf("%s kept %q as %q", format, line, out)
			}
		}
	}
	// A common log line is no combined log line.
	conv := mustConverter(t, ProcessingOption{OptionName: LogToJSON, LogFormat: CombinedApacheLog})
	if _, keep := conv([]byte(`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1` + "\n")); keep {
		t.Error("combined format matched a common log line")
	}
}

func TestLogToJSONCustom(t *testing.T) {
	// Renamed fields of a built-in format.
	conv := mustConverter(t, ProcessingOption{OptionName: LogToJSON, LogFormat: Syslog,
		CustomFieldNames: []string{"ts", "host", "prog", "pid", "msg"}})
	got, _ := conv([]byte("Mar  1 12:00:01 web-1 app[7]: hi\n"))
	if want := `{"ts":"Mar  1 12:00:01","host":"web-1","prog":"app","pid":"7","msg":"hi"}` + "\n"; string(got) != want {
		t.Errorf("got %q want %q", got, want)
	}
	// A pattern of one's own; "-" is null under an Apache format.
	conv = mustConverter(t, ProcessingOption{OptionName: LogToJSON, LogFormat: CommonApacheLog,
		MatchPattern: `(\S+) (\d+) (\S+)`, CustomFieldNames: []string{"level", "code", "user"}})
	got, keep := conv([]byte("WARN 42 -\n"))
	if want := `{"level":"WARN","code":"42","user":null}` + "\n"; !keep || string(got) != want {
		t.Errorf("got %q want %q", got, want)
	}
	if _, keep := conv([]byte("WARN 42 - trailing\n")); keep {
		t.Error("a custom pattern must match the whole record")
	}
}

func FuzzConverters(f *testing.F) {
	f.Add([]byte("1,2,3\n"), ",")
	f.Add([]byte(`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "x"`+"\n"), "\t")
	f.Add([]byte("Mar  1 12:00:01 h p[1]: m\xff\x00\n"), "||")
	f.Add([]byte(" a \n b \r\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, delim string) {
		convs := []converter{singleLine, csvToJSON([]string{"a", "b"}, delim)}
		for format := range logFormats {
			c, err := logToJSON(format, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			convs = append(convs, c)
		}
		for i, conv := range convs {
			out, keep := conv(data)
			if !keep {
				continue
			}
			if len(out) == 0 || out[len(out)-1] != '\n' {
				t.Fatalf("converter %d: %q does not end a line", i, out)
			}
			if i == 0 {
				if n := strings.Count(string(out), "\n"); n != 1 {
					t.Fatalf("SINGLELINE left %d newlines in %q", n, out)
				}
				continue
			}
			if !json.Valid(out) || !utf8.Valid(out) {
				t.Fatalf("converter %d: %q is not JSON", i, out)
			}
		}
	})
}
