package iam

// anyMatch reports whether s matches one of patterns (see wildcardMatch).
func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if wildcardMatch(p, s, fold) {
			return true
		}
	}
	return false
}

// wildcardMatch reports whether s matches pattern, in which '*' stands
// for any run of bytes (also none) and '?' for exactly one character.
// Wildcards span every byte, ':' and '/' included, as IAM's do. With fold
// set, ASCII letters compare case-insensitively.
//
// The match keeps only the position of the last '*' seen, so it runs in
// O(len(pattern) × len(s)) at worst and never recurses.
func wildcardMatch(pattern, s string, fold bool) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == '?':
			p++
			i += charLen(s, i)
		case p < len(pattern) && sameByte(pattern[p], s[i], fold):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// charLen returns the length in bytes of the UTF-8 character at s[i], so
// that '?' stands for a character as in IAM, not for a byte. Invalid
// bytes count as one character each.
func charLen(s string, i int) int {
	c := s[i]
	n := 1
	switch {
	case c >= 0xF0:
		n = 4
	case c >= 0xE0:
		n = 3
	case c >= 0xC0:
		n = 2
	}
	if i+n > len(s) {
		return 1
	}
	for k := 1; k < n; k++ {
		if s[i+k]&0xC0 != 0x80 {
			return 1
		}
	}
	return n
}

// sameByte compares a and b, ignoring ASCII case when fold is set.
func sameByte(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	return lower(a) == lower(b)
}

// lower maps an ASCII upper-case letter to lower case.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
