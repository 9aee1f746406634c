package kds

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Tag is one key-value pair attached to a stream.
type Tag struct {
	Key   string
	Value string
}

// validTagRune reports whether r may appear in a tag key or value: Unicode
// letters and digits, white space, and _ . : / = + - @.
func validTagRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) && r != '\t' && r != '\n' && r != '\r' ||
		strings.ContainsRune("_.:/=+-@", r)
}

// renderTags prints a tag map the way the Java service prints one in a
// violation message: {k1=v1, k2=v2}, keys in order.
func renderTags(tags map[string]string) string {
	parts := make([]string, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		parts = append(parts, k+"="+tags[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// checkTagsForm adds the violations of a Tags input: its size and the
// length of each key and value. Keys are visited in order so that the same
// request always gets the same message.
func (v *violations) checkTagsForm(tags map[string]string) {
	switch {
	case tags == nil:
		v.add("null", "tags", mustNotBeNull)
		return
	case len(tags) == 0:
		v.add(quote(renderTags(tags)), "tags", lengthAtLeast(1))
	case len(tags) > MaxTagsPerAdd:
		v.add(quote(renderTags(tags)), "tags", lengthAtMost(MaxTagsPerAdd))
	}
	badKey, badValue := false, false
	for k, val := range tags {
		n := textLength(k)
		badKey = badKey || n < 1 || n > MaxTagKeyLength
		badValue = badValue || textLength(val) > MaxTagValueLength
	}
	if badKey {
		v.add(quote(renderTags(tags)), "tags", fmt.Sprintf("Map keys must satisfy constraint: [%s, %s]",
			lengthAtMost(MaxTagKeyLength), lengthAtLeast(1)))
	}
	if badValue {
		v.add(quote(renderTags(tags)), "tags", fmt.Sprintf("Map value must satisfy constraint: [%s, %s]",
			lengthAtMost(MaxTagValueLength), lengthAtLeast(0)))
	}
}

// checkTagsContent returns the error for well-formed tags that the stream
// named name, which already has existing tags, cannot take: bad
// characters, a reserved key, or too many tags in all.
func (svc *Service) checkTagsContent(name string, tags, existing map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if err := svc.checkTagText(name, k+tags[k]); err != nil {
			return err
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return newError(codeInvalidArgument, "Failed to add tags to stream %s under account %s because tag keys beginning with aws: are reserved for AWS use.", name, svc.cfg.accountID)
		}
	}
	total := len(existing)
	for k := range tags {
		if _, ok := existing[k]; !ok {
			total++
		}
	}
	if total > MaxTagsPerStream {
		return newError(codeInvalidArgument, "Failed to add tags to stream %s under account %s because a given stream cannot have more than %d tags associated with it.", name, svc.cfg.accountID, MaxTagsPerStream)
	}
	return nil
}

// checkTagText returns the error for characters a tag may not contain.
func (svc *Service) checkTagText(name, text string) error {
	if strings.ContainsRune(text, '%') {
		return newError(codeInvalidArgument, "Failed to add tags to stream %s under account %s because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.", name, svc.cfg.accountID)
	}
	for _, r := range text {
		if !validTagRune(r) {
			return newError(codeInvalidArgument, "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - %% @.")
		}
	}
	return nil
}

// AddTagsToStreamInput is the input of [Service.AddTagsToStream].
type AddTagsToStreamInput struct {
	StreamName string
	StreamARN  string
	// Tags to add or overwrite: 1 to 200 per call, keys 1-128 characters,
	// values 0-256; a stream holds at most [MaxTagsPerStream].
	Tags map[string]string
}

// AddTagsToStreamOutput is the (empty) output of [Service.AddTagsToStream].
type AddTagsToStreamOutput struct{}

// AddTagsToStream adds tags to a stream or overwrites their values. The
// whole call fails, changing nothing, if any tag is invalid or the stream
// would exceed [MaxTagsPerStream].
func (svc *Service) AddTagsToStream(ctx context.Context, in AddTagsToStreamInput) (AddTagsToStreamOutput, error) {
	var v violations
	v.checkTagsForm(in.Tags)
	s, _, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return AddTagsToStreamOutput{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := svc.checkTagsContent(s.name, in.Tags, s.tags); err != nil {
		return AddTagsToStreamOutput{}, err
	}
	maps.Copy(s.tags, in.Tags)
	return AddTagsToStreamOutput{}, nil
}

// RemoveTagsFromStreamInput is the input of [Service.RemoveTagsFromStream].
type RemoveTagsFromStreamInput struct {
	StreamName string
	StreamARN  string
	// TagKeys to remove: 1 to 50. Keys the stream does not have are ignored.
	TagKeys []string
}

// RemoveTagsFromStreamOutput is the (empty) output of
// [Service.RemoveTagsFromStream].
type RemoveTagsFromStreamOutput struct{}

// RemoveTagsFromStream removes tags from a stream.
func (svc *Service) RemoveTagsFromStream(ctx context.Context, in RemoveTagsFromStreamInput) (RemoveTagsFromStreamOutput, error) {
	var v violations
	switch {
	case in.TagKeys == nil:
		v.add("null", "tagKeys", mustNotBeNull)
	case len(in.TagKeys) == 0:
		v.add("'[]'", "tagKeys", lengthAtLeast(1))
	case len(in.TagKeys) > MaxTagKeysPerRemove:
		v.add(quote("["+strings.Join(in.TagKeys, ", ")+"]"), "tagKeys", lengthAtMost(MaxTagKeysPerRemove))
	}
	for _, k := range in.TagKeys {
		if n := textLength(k); n < 1 || n > MaxTagKeyLength {
			v.add(quote("["+strings.Join(in.TagKeys, ", ")+"]"), "tagKeys", fmt.Sprintf("Member must satisfy constraint: [%s, %s]",
				lengthAtMost(MaxTagKeyLength), lengthAtLeast(1)))
			break
		}
	}
	s, _, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return RemoveTagsFromStreamOutput{}, err
	}
	for _, k := range in.TagKeys {
		if err := svc.checkTagText(s.name, k); err != nil {
			return RemoveTagsFromStreamOutput{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range in.TagKeys {
		delete(s.tags, k)
	}
	return RemoveTagsFromStreamOutput{}, nil
}

// ListTagsForStreamInput is the input of [Service.ListTagsForStream].
type ListTagsForStreamInput struct {
	StreamName string
	StreamARN  string
	// ExclusiveStartTagKey lists only keys after this one.
	ExclusiveStartTagKey string
	// Limit is the most tags to return, 1 to 50; 0 means 50.
	Limit int
}

// ListTagsForStreamOutput lists a stream's tags in key order.
type ListTagsForStreamOutput struct {
	Tags        []Tag
	HasMoreTags bool
}

// ListTagsForStream lists a stream's tags in key order, a page at a time.
func (svc *Service) ListTagsForStream(ctx context.Context, in ListTagsForStreamInput) (ListTagsForStreamOutput, error) {
	var v violations
	v.checkLimit(in.Limit, "limit", MaxListTagsLimit)
	if n := textLength(in.ExclusiveStartTagKey); n > MaxTagKeyLength {
		v.add(quote(in.ExclusiveStartTagKey), "exclusiveStartTagKey", lengthAtMost(MaxTagKeyLength))
	}
	s, _, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return ListTagsForStreamOutput{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := slices.Sorted(maps.Keys(s.tags))
	page, more := pageAfter(keys, func(k string) string { return k }, in.ExclusiveStartTagKey, pageLimit(in.Limit, MaxListTagsLimit, MaxListTagsLimit))
	out := ListTagsForStreamOutput{Tags: make([]Tag, len(page)), HasMoreTags: more}
	for i, k := range page {
		out.Tags[i] = Tag{Key: k, Value: s.tags[k]}
	}
	return out, nil
}
