package kds

import (
	"encoding/binary"
	"sort"
	"time"
)

// pageAfter returns the items of list, which is sorted by key, whose key
// sorts after after (all of them if after is ""): at most limit of them,
// and whether more follow. Every list call of Kinesis pages this way.
func pageAfter[T any](list []T, key func(T) string, after string, limit int) (page []T, more bool) {
	if after != "" {
		list = list[sort.Search(len(list), func(i int) bool { return key(list[i]) > after }):]
	}
	if len(list) > limit {
		return list[:limit], true
	}
	return list, false
}

// pageLimit returns the page size for a requested Limit or MaxResults n
// (already validated): def when n is 0, and never more than most.
func pageLimit(n, def, most int) int {
	if n == 0 {
		return def
	}
	return min(n, most)
}

// shardListing is where a ListShards listing stands: the stream, the
// filter, and the last shard returned. Its NextToken carries all three.
type shardListing struct {
	streamID uint64
	stream   string
	filter   ShardFilter
	after    string
}

// listShardsToken returns the NextToken that continues listing l.
func (svc *Service) listShardsToken(l shardListing, now time.Time) string {
	b := []byte{tokenKindListShards}
	b = binary.BigEndian.AppendUint64(b, l.streamID)
	b = binary.BigEndian.AppendUint64(b, uint64(now.UnixMilli()))
	b = binary.BigEndian.AppendUint64(b, uint64(l.filter.Timestamp.UnixMilli()))
	b = appendTokenString(b, string(l.filter.Type))
	b = appendTokenString(b, l.stream)
	b = appendTokenString(b, l.after)
	return svc.tokens.seal(b)
}

// openListShardsToken decodes a NextToken made by listShardsToken.
func (svc *Service) openListShardsToken(tok string, now time.Time) (shardListing, error) {
	l, issued, ok := svc.decodeListShardsToken(tok)
	if !ok {
		return shardListing{}, newError(codeInvalidArgument, "Invalid NextToken.")
	}
	if now.Sub(issued) > NextTokenLifetime {
		return shardListing{}, newError(codeExpiredNextToken, "The NextToken has expired. It was issued at %s, and NextTokens are valid for %d seconds.", javaDate(issued), int(NextTokenLifetime/time.Second))
	}
	return l, nil
}

// decodeListShardsToken reads a NextToken made by listShardsToken, and
// when it was issued, whatever its age; openListShardsToken judges the
// age.
func (svc *Service) decodeListShardsToken(tok string) (shardListing, time.Time, bool) {
	payload, ok := svc.tokens.open(tok)
	r := tokenReader{b: payload}
	if !ok || r.byte() != tokenKindListShards {
		return shardListing{}, time.Time{}, false
	}
	l := shardListing{streamID: r.uint64()}
	issued := time.UnixMilli(int64(r.uint64()))
	filterTime := time.UnixMilli(int64(r.uint64()))
	l.filter.Type = ShardFilterType(r.string())
	if l.filter.Type == ShardFilterAtTimestamp || l.filter.Type == ShardFilterFromTimestamp {
		l.filter.Timestamp = filterTime
	}
	l.stream, l.after = r.string(), r.string()
	return l, issued, !r.bad
}

// listStreamsToken returns the NextToken that continues a listing of
// stream names after last.
func (svc *Service) listStreamsToken(last string) string {
	return svc.tokens.seal(appendTokenString([]byte{tokenKindListStreams}, last))
}

// openListStreamsToken decodes a NextToken made by listStreamsToken and
// returns the name to list after.
func (svc *Service) openListStreamsToken(tok string) (string, error) {
	payload, ok := svc.tokens.open(tok)
	r := tokenReader{b: payload}
	if !ok || r.byte() != tokenKindListStreams {
		return "", newError(codeInvalidArgument, "Invalid NextToken.")
	}
	after := r.string()
	if r.bad {
		return "", newError(codeInvalidArgument, "Invalid NextToken.")
	}
	return after, nil
}

// consumersToken returns the NextToken that continues a listing of the
// consumers of stream s after the one named after.
func (svc *Service) consumersToken(s *Stream, after string, now time.Time) string {
	b := []byte{tokenKindConsumers}
	b = binary.BigEndian.AppendUint64(b, s.id)
	b = binary.BigEndian.AppendUint64(b, uint64(now.UnixMilli()))
	b = appendTokenString(b, after)
	return svc.tokens.seal(b)
}

// openConsumersToken decodes a NextToken made by consumersToken for the
// listing of stream s, and returns the name to list after.
func (svc *Service) openConsumersToken(tok string, s *Stream, now time.Time) (string, error) {
	payload, ok := svc.tokens.open(tok)
	r := tokenReader{b: payload}
	if !ok || r.byte() != tokenKindConsumers {
		return "", newError(codeInvalidArgument, "Invalid NextToken.")
	}
	streamID := r.uint64()
	issued := time.UnixMilli(int64(r.uint64()))
	after := r.string()
	if r.bad || streamID != s.id {
		return "", newError(codeInvalidArgument, "Invalid NextToken.")
	}
	if now.Sub(issued) > NextTokenLifetime {
		return "", newError(codeExpiredNextToken, "The NextToken has expired. It was issued at %s, and NextTokens are valid for %d seconds.", javaDate(issued), int(NextTokenLifetime/time.Second))
	}
	return after, nil
}
