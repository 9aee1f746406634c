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

// listShardsToken returns the NextToken that continues a listing of s
// after the shard lastID.
func (svc *Service) listShardsToken(s *Stream, lastID string, now time.Time) string {
	b := []byte{tokenKindListShards}
	b = binary.BigEndian.AppendUint64(b, s.id)
	b = binary.BigEndian.AppendUint64(b, uint64(now.UnixMilli()))
	b = appendTokenString(b, s.name)
	b = appendTokenString(b, lastID)
	return svc.tokens.seal(b)
}

// openListShardsToken decodes a NextToken made by listShardsToken.
func (svc *Service) openListShardsToken(tok string, now time.Time) (id uint64, name, lastID string, err error) {
	payload, ok := svc.tokens.open(tok)
	r := tokenReader{b: payload}
	if !ok || r.byte() != tokenKindListShards {
		return 0, "", "", newError(codeInvalidArgument, "Invalid NextToken.")
	}
	id = r.uint64()
	issued := time.UnixMilli(int64(r.uint64()))
	name, lastID = r.string(), r.string()
	if r.bad {
		return 0, "", "", newError(codeInvalidArgument, "Invalid NextToken.")
	}
	if now.Sub(issued) > NextTokenLifetime {
		return 0, "", "", newError(codeExpiredNextToken, "The NextToken has expired. It was issued at %s, and NextTokens are valid for %d seconds.", javaDate(issued), int(NextTokenLifetime/time.Second))
	}
	return id, name, lastID, nil
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
