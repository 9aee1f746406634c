package kds_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/kdsgo/kds"
)

// listTags returns every tag of a stream, paging with ExclusiveStartTagKey.
func listTags(t *testing.T, svc *kds.Service, stream string) map[string]string {
	t.Helper()
	tags := map[string]string{}
	in := kds.ListTagsForStreamInput{StreamName: stream}
	for {
		out, err := svc.ListTagsForStream(ctx, in)
		if err != nil {
			t.Fatalf("ListTagsForStream(%q): %v", stream, err)
		}
		for _, tag := range out.Tags {
			tags[tag.Key] = tag.Value
		}
		if !out.HasMoreTags {
			return tags
		}
		in.ExclusiveStartTagKey = out.Tags[len(out.Tags)-1].Key
	}
}

// addTags calls AddTagsToStream, failing the test on error.
func addTags(t *testing.T, svc *kds.Service, stream string, tags map[string]string) {
	t.Helper()
	if _, err := svc.AddTagsToStream(ctx, kds.AddTagsToStreamInput{StreamName: stream, Tags: tags}); err != nil {
		t.Fatalf("AddTagsToStream(%v): %v", tags, err)
	}
}

func TestTagsRoundTrip(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	if got := listTags(t, svc, "s"); len(got) != 0 {
		t.Fatalf("new stream has tags %v", got)
	}
	addTags(t, svc, "s", map[string]string{"env": "prod", "team": "data", "empty": ""})
	addTags(t, svc, "s", map[string]string{"env": "staging", "owner": "ana@example.com"})
	want := map[string]string{"env": "staging", "team": "data", "empty": "", "owner": "ana@example.com"}
	if got := listTags(t, svc, "s"); !maps.Equal(got, want) {
		t.Fatalf("tags = %v, want %v", got, want)
	}
	out, err := svc.ListTagsForStream(ctx, kds.ListTagsForStreamInput{StreamARN: streamARN("s")})
	if err != nil {
		t.Fatal(err)
	}
	wantList := []kds.Tag{{"empty", ""}, {"env", "staging"}, {"owner", "ana@example.com"}, {"team", "data"}}
	if !slices.Equal(out.Tags, wantList) || out.HasMoreTags {
		t.Fatalf("ListTagsForStream = %+v, want %+v sorted by key", out, wantList)
	}
	if _, err := svc.RemoveTagsFromStream(ctx, kds.RemoveTagsFromStreamInput{StreamName: "s", TagKeys: []string{"env", "unknown", "empty"}}); err != nil {
		t.Fatalf("RemoveTagsFromStream with an unknown key: %v", err)
	}
	want = map[string]string{"team": "data", "owner": "ana@example.com"}
	if got := listTags(t, svc, "s"); !maps.Equal(got, want) {
		t.Fatalf("after removal tags = %v, want %v", got, want)
	}
	_, err = svc.AddTagsToStream(ctx, kds.AddTagsToStreamInput{StreamName: "nope", Tags: map[string]string{"a": "b"}})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("nope"))
	_, err = svc.ListTagsForStream(ctx, kds.ListTagsForStreamInput{StreamName: "nope"})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("nope"))
}

func TestListTagsForStreamPaging(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "five", 1)
	createStream(t, svc, "four", 1)
	addTags(t, svc, "five", map[string]string{"e": "5", "c": "3", "a": "1", "d": "4", "b": "2"})
	addTags(t, svc, "four", map[string]string{"a": "1", "b": "2", "c": "3", "d": "4"})
	tests := []struct {
		stream, after string
		limit         int
		want          string
		more          bool
	}{
		{"five", "", 2, "a=1 b=2", true},
		{"five", "b", 2, "c=3 d=4", true},
		{"five", "d", 2, "e=5", false},
		{"five", "e", 2, "", false},
		{"five", "", 0, "a=1 b=2 c=3 d=4 e=5", false},
		{"five", "bb", 50, "c=3 d=4 e=5", false},
		{"four", "b", 2, "c=3 d=4", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s after %q limit %d", tt.stream, tt.after, tt.limit), func(t *testing.T) {
			out, err := svc.ListTagsForStream(ctx, kds.ListTagsForStreamInput{StreamName: tt.stream, ExclusiveStartTagKey: tt.after, Limit: tt.limit})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tag := range out.Tags {
				got = append(got, tag.Key+"="+tag.Value)
			}
			if strings.Join(got, " ") != tt.want || out.HasMoreTags != tt.more || out.Tags == nil {
				t.Fatalf("tags %q, HasMoreTags %v; want %q, %v", got, out.HasMoreTags, tt.want, tt.more)
			}
		})
	}
	_, err := svc.ListTagsForStream(ctx, kds.ListTagsForStreamInput{StreamName: "five", Limit: 51})
	wantErr(t, err, kds.ErrValidation, oneViolation("'51'", "limit", valueAtMost(50)))
	_, err = svc.ListTagsForStream(ctx, kds.ListTagsForStreamInput{StreamName: "five", Limit: -1})
	wantErr(t, err, kds.ErrValidation, oneViolation("'-1'", "limit", valueAtLeast(1)))
}

func TestTagLimit(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	fifty := map[string]string{}
	for i := range 50 {
		fifty[fmt.Sprintf("k%02d", i)] = "v"
	}
	addTags(t, svc, "s", fifty)
	tooMany := "Failed to add tags to stream s under account 000000000000 because a given stream cannot have more than 50 tags associated with it."
	_, err := svc.AddTagsToStream(ctx, kds.AddTagsToStreamInput{StreamName: "s", Tags: map[string]string{"k50": "v"}})
	wantErr(t, err, kds.ErrInvalidArgument, tooMany)
	// A call that also overwrites fails whole: nothing changes.
	_, err = svc.AddTagsToStream(ctx, kds.AddTagsToStreamInput{StreamName: "s", Tags: map[string]string{"k00": "new", "k99": "v"}})
	wantErr(t, err, kds.ErrInvalidArgument, tooMany)
	if got := listTags(t, svc, "s"); !maps.Equal(got, fifty) {
		t.Fatalf("a rejected AddTagsToStream changed the tags: %d tags, k00=%q", len(got), got["k00"])
	}
	// Overwriting at the limit is fine.
	addTags(t, svc, "s", map[string]string{"k00": "new"})
	if got := listTags(t, svc, "s"); len(got) != 50 || got["k00"] != "new" {
		t.Fatalf("after overwrite: %d tags, k00=%q", len(got), got["k00"])
	}
}

func TestAddTagsValidation(t *testing.T) {
	long := strings.Repeat("k", 129)
	longValue := strings.Repeat("v", 257)
	invalidChars := "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."
	percent := "Failed to add tags to stream s under account 000000000000 because some tags contained illegal characters. " +
		"The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."
	keyLength := "Map keys must satisfy constraint: [" + lengthAtMost(128) + ", " + lengthAtLeast(1) + "]"
	valueLength := "Map value must satisfy constraint: [" + lengthAtMost(256) + ", " + lengthAtLeast(0) + "]"
	tests := []struct {
		name string
		tags map[string]string
		code *kds.Error // nil: accepted
		msg  string
	}{
		{"key of 128", map[string]string{strings.Repeat("k", 128): "v"}, nil, ""},
		{"key of 129", map[string]string{long: "v"}, kds.ErrValidation, oneViolation("'{"+long+"=v}'", "tags", keyLength)},
		{"empty key", map[string]string{"": "v"}, kds.ErrValidation, oneViolation("'{=v}'", "tags", keyLength)},
		{"value of 256", map[string]string{"k": strings.Repeat("v", 256)}, nil, ""},
		{"value of 256 multibyte", map[string]string{"k": strings.Repeat("é", 256)}, nil, ""},
		{"value of 257", map[string]string{"k": longValue}, kds.ErrValidation, oneViolation("'{k="+longValue+"}'", "tags", valueLength)},
		{"empty map", map[string]string{}, kds.ErrValidation, oneViolation("'{}'", "tags", lengthAtLeast(1))},
		{"allowed punctuation", map[string]string{"a_b.c:d/e=f+g-h@i": "x y_z", "ключ": "значение", "日本": "语言"}, nil, ""},
		{"semicolon in key", map[string]string{"a;b": "v"}, kds.ErrInvalidArgument, invalidChars},
		{"comma in value", map[string]string{"k": "a,b"}, kds.ErrInvalidArgument, invalidChars},
		{"tab in value", map[string]string{"k": "a\tb"}, kds.ErrInvalidArgument, invalidChars},
		{"newline in key", map[string]string{"a\nb": "v"}, kds.ErrInvalidArgument, invalidChars},
		{"percent in key", map[string]string{"100%": "v"}, kds.ErrInvalidArgument, percent},
		{"percent in value", map[string]string{"k": "50%"}, kds.ErrInvalidArgument, percent},
		{"aws: prefix", map[string]string{"aws:owner": "v"}, kds.ErrInvalidArgument, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _ := newService(t)
			createStream(t, svc, "s", 1)
			_, err := svc.AddTagsToStream(ctx, kds.AddTagsToStreamInput{StreamName: "s", Tags: tt.tags})
			if tt.code == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got := listTags(t, svc, "s"); !maps.Equal(got, tt.tags) {
					t.Fatalf("tags = %v, want %v", got, tt.tags)
				}
				return
			}
			wantErr(t, err, tt.code, tt.msg)
			if got := listTags(t, svc, "s"); len(got) != 0 {
				t.Fatalf("a rejected AddTagsToStream stored %v", got)
			}
		})
	}
}

// TestAddTagsNilMap: a Go nil map is an absent Tags member, which Coral
// reports as null (messages.md §10), as PutRecords does for nil Records.
func TestAddTagsNilMap(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	_, err := svc.AddTagsToStream(ctx, kds.AddTagsToStreamInput{StreamName: "s"})
	wantErr(t, err, kds.ErrValidation, oneViolation("null", "tags", notNull))
}

// TestAddTagsValidatesBeforeLookup: a malformed request is a
// ValidationException whether or not the stream exists, as for every other
// operation (KINESIS.md §13.3).
func TestAddTagsValidatesBeforeLookup(t *testing.T) {
	svc, _ := newService(t)
	_, err := svc.AddTagsToStream(ctx, kds.AddTagsToStreamInput{StreamName: "nope", Tags: map[string]string{}})
	wantErr(t, err, kds.ErrValidation, oneViolation("'{}'", "tags", lengthAtLeast(1)))
}

// TestAddTagsErrorIsDeterministic: the same request must always get the
// same error, however Go orders the map.
func TestAddTagsErrorIsDeterministic(t *testing.T) {
	tests := map[string]map[string]string{
		"long key and long value": {strings.Repeat("k", 129): "v", "k": strings.Repeat("v", 257)},
		"percent and semicolon":   {"a%": "v", "b;": "v"},
		"aws: prefix and percent": {"aws:x": "v", "y%": "v"},
	}
	for name, tags := range tests {
		t.Run(name, func(t *testing.T) {
			svc, _ := newService(t)
			createStream(t, svc, "s", 1)
			seen := map[string]bool{}
			for range 64 {
				_, err := svc.AddTagsToStream(ctx, kds.AddTagsToStreamInput{StreamName: "s", Tags: tags})
				if err == nil {
					t.Fatal("invalid tags were accepted")
				}
				seen[err.Error()] = true
			}
			if len(seen) != 1 {
				t.Fatalf("one request got %d different errors: %q", len(seen), slices.Sorted(maps.Keys(seen)))
			}
		})
	}
}

func TestRemoveTagsValidation(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	addTags(t, svc, "s", map[string]string{"a": "1"})
	keys51 := make([]string, 51)
	for i := range keys51 {
		keys51[i] = fmt.Sprint(i)
	}
	tests := []struct {
		name string
		keys []string
		code *kds.Error
		msg  string
	}{
		{"no keys", []string{}, kds.ErrValidation, oneViolation("'[]'", "tagKeys", lengthAtLeast(1))},
		{"51 keys", keys51, kds.ErrValidation, oneViolation("'["+strings.Join(keys51, ", ")+"]'", "tagKeys", lengthAtMost(50))},
		{"key of 129", []string{strings.Repeat("k", 129)}, kds.ErrValidation, oneViolation("'["+strings.Repeat("k", 129)+"]'", "tagKeys",
			"Member must satisfy constraint: ["+lengthAtMost(128)+", "+lengthAtLeast(1)+"]")},
		{"invalid character", []string{"a;b"}, kds.ErrInvalidArgument,
			"Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.RemoveTagsFromStream(ctx, kds.RemoveTagsFromStreamInput{StreamName: "s", TagKeys: tt.keys})
			wantErr(t, err, tt.code, tt.msg)
		})
	}
	if got := listTags(t, svc, "s"); !maps.Equal(got, map[string]string{"a": "1"}) {
		t.Fatalf("rejected removals changed the tags: %v", got)
	}
}

func TestCreateStreamWithTags(t *testing.T) {
	svc, _ := newService(t)
	tags := map[string]string{"env": "prod", "team": "data"}
	createStreamWith(t, svc, kds.CreateStreamInput{StreamName: "s", ShardCount: 1, Tags: tags})
	tags["env"] = "changed after the call"
	if got := listTags(t, svc, "s"); !maps.Equal(got, map[string]string{"env": "prod", "team": "data"}) {
		t.Fatalf("tags = %v", got)
	}

	fiftyOne := map[string]string{}
	for i := range 51 {
		fiftyOne[fmt.Sprint("k", i)] = "v"
	}
	tests := []struct {
		name string
		tags map[string]string
		code *kds.Error
		msg  string
	}{
		{"51 tags", fiftyOne, kds.ErrInvalidArgument,
			"Failed to add tags to stream t under account 000000000000 because a given stream cannot have more than 50 tags associated with it."},
		{"invalid character", map[string]string{"a;b": "v"}, kds.ErrInvalidArgument, ""},
		{"key of 129", map[string]string{strings.Repeat("k", 129): "v"}, kds.ErrValidation, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "t", ShardCount: 1, Tags: tt.tags})
			wantErr(t, err, tt.code, tt.msg)
			if _, ok := svc.Stream("t"); ok {
				t.Fatalf("stream t was created despite invalid tags")
			}
		})
	}
}
