package kds

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/kdsgo/kds/internal/coral"
)

// Tag is one key-value pair attached to a stream or a consumer.
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
		v.add("null", "tags", coral.MustNotBeNull)
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

// tagOwner names a resource that carries tags, for messages: a stream,
// or a consumer registered on it.
type tagOwner struct {
	stream   string
	consumer string // empty when the owner is the stream itself
}

// kind names the owner's type as messages do: "stream" or "consumer".
func (o tagOwner) kind() string {
	if o.consumer != "" {
		return "consumer"
	}
	return "stream"
}

// String names the owner as its not-found message does: "stream s", or
// "consumer c under stream s".
func (o tagOwner) String() string {
	if o.consumer != "" {
		return "consumer " + o.consumer + " under stream " + o.stream
	}
	return "stream " + o.stream
}

// tagTarget is a resource that carries tags: a stream, or a consumer
// registered on it. Both tag sets are guarded by the stream's mu.
type tagTarget struct {
	stream   *Stream
	consumer *consumer // nil when the target is the stream itself
}

// owner names the target for messages.
func (t tagTarget) owner() tagOwner {
	if t.consumer != nil {
		return tagOwner{t.stream.name, t.consumer.name}
	}
	return tagOwner{stream: t.stream.name}
}

// tagsLocked returns the target's tag set. The caller holds the stream's
// mu, for writing if it changes the set.
func (t tagTarget) tagsLocked() map[string]string {
	if t.consumer != nil {
		return t.consumer.tags
	}
	return t.stream.tags
}

// requireTaggable returns ResourceInUseException if the target's tags
// cannot change at now: a stream's only while it is ACTIVE or UPDATING.
// A consumer's can from registration on, as RegisterStreamConsumer takes
// tags. The caller must not hold the stream's mu, which settling a
// reshard takes.
func (t tagTarget) requireTaggable(now time.Time) error {
	if t.consumer != nil {
		return nil
	}
	return t.stream.requireActiveOrUpdating(now)
}

// checkTagsContent returns the error for well-formed tags that owner,
// which already has existing tags, cannot take: bad characters, a
// reserved key, or too many tags in all.
func (svc *Service) checkTagsContent(owner tagOwner, tags, existing map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if err := svc.checkTagText(owner, k+tags[k]); err != nil {
			return err
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return newError(codeInvalidArgument, "Failed to add tags to %s under account %s because tag keys beginning with aws: are reserved for AWS use.", owner, svc.cfg.accountID)
		}
	}
	total := len(existing)
	for k := range tags {
		if _, ok := existing[k]; !ok {
			total++
		}
	}
	if total > MaxTagsPerStream {
		return newError(codeInvalidArgument, "Failed to add tags to %s under account %s because a given %s cannot have more than %d tags associated with it.", owner, svc.cfg.accountID, owner.kind(), MaxTagsPerStream)
	}
	return nil
}

// checkTagText returns the error for characters a tag of owner may not
// contain.
func (svc *Service) checkTagText(owner tagOwner, text string) error {
	if strings.ContainsRune(text, '%') {
		return newError(codeInvalidArgument, "Failed to add tags to %s under account %s because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.", owner, svc.cfg.accountID)
	}
	for _, r := range text {
		if !validTagRune(r) {
			return newError(codeInvalidArgument, "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - %% @.")
		}
	}
	return nil
}

// checkTagKeys adds the violations of a TagKeys input: 1 to
// [MaxTagKeysPerRemove] keys of 1-128 characters.
func (v *violations) checkTagKeys(keys []string) {
	switch {
	case keys == nil:
		v.add("null", "tagKeys", coral.MustNotBeNull)
	case len(keys) == 0:
		v.add("'[]'", "tagKeys", lengthAtLeast(1))
	case len(keys) > MaxTagKeysPerRemove:
		v.add(quote("["+strings.Join(keys, ", ")+"]"), "tagKeys", lengthAtMost(MaxTagKeysPerRemove))
	}
	for _, k := range keys {
		if n := textLength(k); n < 1 || n > MaxTagKeyLength {
			v.add(quote("["+strings.Join(keys, ", ")+"]"), "tagKeys", fmt.Sprintf("Member must satisfy constraint: [%s, %s]",
				lengthAtMost(MaxTagKeyLength), lengthAtLeast(1)))
			break
		}
	}
}

// addTags adds validated tags to target at now, or overwrites their
// values; if any cannot be added, none is.
func (svc *Service) addTags(target tagTarget, now time.Time, tags map[string]string) error {
	if err := target.requireTaggable(now); err != nil {
		return err
	}
	s := target.stream
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := svc.checkTagsContent(target.owner(), tags, target.tagsLocked()); err != nil {
		return err
	}
	maps.Copy(target.tagsLocked(), tags)
	return s.saveLocked()
}

// removeTags removes the tags with validated keys from target at now.
// Keys the target does not have are ignored.
func (svc *Service) removeTags(target tagTarget, now time.Time, keys []string) error {
	for _, k := range keys {
		if err := svc.checkTagText(target.owner(), k); err != nil {
			return err
		}
	}
	if err := target.requireTaggable(now); err != nil {
		return err
	}
	s := target.stream
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		delete(target.tagsLocked(), k)
	}
	return s.saveLocked()
}

// listTags returns the target's tags in key order.
func (t tagTarget) listTags() []Tag {
	s := t.stream
	s.mu.RLock()
	defer s.mu.RUnlock()
	tags := t.tagsLocked()
	out := make([]Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, Tag{Key: k, Value: tags[k]})
	}
	return out
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
// would exceed [MaxTagsPerStream]. The stream must be ACTIVE or UPDATING.
// These are the tags [Service.TagResource] changes for the stream's ARN.
func (svc *Service) AddTagsToStream(ctx context.Context, in AddTagsToStreamInput) (AddTagsToStreamOutput, error) {
	return run(svc, ctx, opAddTagsToStream, in, (*Service).addTagsToStream)
}

// addTagsToStream is the body of [Service.AddTagsToStream].
func (svc *Service) addTagsToStream(ctx context.Context, in AddTagsToStreamInput) (AddTagsToStreamOutput, error) {
	var v violations
	v.checkTagsForm(in.Tags)
	s, now, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return AddTagsToStreamOutput{}, err
	}
	return AddTagsToStreamOutput{}, svc.addTags(tagTarget{stream: s}, now, in.Tags)
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

// RemoveTagsFromStream removes tags from a stream, which must be ACTIVE
// or UPDATING.
func (svc *Service) RemoveTagsFromStream(ctx context.Context, in RemoveTagsFromStreamInput) (RemoveTagsFromStreamOutput, error) {
	return run(svc, ctx, opRemoveTagsFromStream, in, (*Service).removeTagsFromStream)
}

// removeTagsFromStream is the body of [Service.RemoveTagsFromStream].
func (svc *Service) removeTagsFromStream(ctx context.Context, in RemoveTagsFromStreamInput) (RemoveTagsFromStreamOutput, error) {
	var v violations
	v.checkTagKeys(in.TagKeys)
	s, now, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return RemoveTagsFromStreamOutput{}, err
	}
	return RemoveTagsFromStreamOutput{}, svc.removeTags(tagTarget{stream: s}, now, in.TagKeys)
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
	return run(svc, ctx, opListTagsForStream, in, (*Service).listTagsForStream)
}

// listTagsForStream is the body of [Service.ListTagsForStream].
func (svc *Service) listTagsForStream(ctx context.Context, in ListTagsForStreamInput) (ListTagsForStreamOutput, error) {
	var v violations
	v.checkLimit(in.Limit, "limit", MaxListTagsLimit)
	if n := textLength(in.ExclusiveStartTagKey); n > MaxTagKeyLength {
		v.add(quote(in.ExclusiveStartTagKey), "exclusiveStartTagKey", lengthAtMost(MaxTagKeyLength))
	}
	s, _, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return ListTagsForStreamOutput{}, err
	}
	page, more := pageAfter(tagTarget{stream: s}.listTags(), func(t Tag) string { return t.Key }, in.ExclusiveStartTagKey, pageLimit(in.Limit, MaxListTagsLimit, MaxListTagsLimit))
	return ListTagsForStreamOutput{Tags: page, HasMoreTags: more}, nil
}
