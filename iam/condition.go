package iam

import (
	"cmp"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Condition is one key under one operator of a statement's Condition
// element, for example {"StringEquals": {"aws:ResourceTag/team": ["a",
// "b"]}}. It holds when the request's values for Key satisfy the operator
// against any of Values.
type Condition struct {
	// Operator is the operator as written, qualifier and suffix included,
	// e.g. "ForAnyValue:StringLike" or "IpAddressIfExists".
	Operator string
	// Key is the condition key as written, e.g. "aws:SourceIp".
	Key string
	// Values are the policy's values; JSON numbers and booleans are kept
	// in their JSON text ("5", "true").
	Values []string

	kind     opKind
	negate   bool
	set      setQualifier
	ifExists bool
	prefixes []netip.Prefix
	numbers  []float64
	times    []time.Time
}

// opKind is the comparison an operator makes, negation aside.
type opKind int

const (
	opString opKind = iota
	opStringIgnoreCase
	opStringLike
	opNumericEq
	opNumericLt
	opNumericLe
	opNumericGt
	opNumericGe
	opDateEq
	opDateLt
	opDateLe
	opDateGt
	opDateGe
	opBool
	opBinary
	opIP
	opArnLike
	opNull
)

// setQualifier is the ForAnyValue: or ForAllValues: prefix.
type setQualifier int

const (
	setNone setQualifier = iota
	setAny
	setAll
)

// operators maps each base operator (no qualifier, no IfExists) to its
// comparison and whether it negates it.
var operators = map[string]struct {
	kind   opKind
	negate bool
}{
	"StringEquals":              {opString, false},
	"StringNotEquals":           {opString, true},
	"StringEqualsIgnoreCase":    {opStringIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {opStringIgnoreCase, true},
	"StringLike":                {opStringLike, false},
	"StringNotLike":             {opStringLike, true},
	"NumericEquals":             {opNumericEq, false},
	"NumericNotEquals":          {opNumericEq, true},
	"NumericLessThan":           {opNumericLt, false},
	"NumericLessThanEquals":     {opNumericLe, false},
	"NumericGreaterThan":        {opNumericGt, false},
	"NumericGreaterThanEquals":  {opNumericGe, false},
	"DateEquals":                {opDateEq, false},
	"DateNotEquals":             {opDateEq, true},
	"DateLessThan":              {opDateLt, false},
	"DateLessThanEquals":        {opDateLe, false},
	"DateGreaterThan":           {opDateGt, false},
	"DateGreaterThanEquals":     {opDateGe, false},
	"Bool":                      {opBool, false},
	"BinaryEquals":              {opBinary, false},
	"IpAddress":                 {opIP, false},
	"NotIpAddress":              {opIP, true},
	"ArnEquals":                 {opArnLike, false},
	"ArnNotEquals":              {opArnLike, true},
	"ArnLike":                   {opArnLike, false},
	"ArnNotLike":                {opArnLike, true},
	"Null":                      {opNull, false},
}

// newCondition checks operator, key and values and compiles what the
// operator needs (CIDR prefixes, numbers, times). The error text is the
// problem as a [ParseError] states it.
func newCondition(operator, key string, values []string) (Condition, string) {
	c := Condition{Operator: operator, Key: key, Values: values}
	base := operator
	if rest, ok := strings.CutPrefix(base, "ForAnyValue:"); ok {
		base, c.set = rest, setAny
	} else if rest, ok := strings.CutPrefix(base, "ForAllValues:"); ok {
		base, c.set = rest, setAll
	}
	if rest, ok := strings.CutSuffix(base, "IfExists"); ok && rest != "Null" {
		base, c.ifExists = rest, true
	}
	op, ok := operators[base]
	if !ok {
		return c, "Invalid Condition type : " + operator
	}
	if op.kind == opNull && c.set != setNone {
		return c, "Invalid Condition type : " + operator
	}
	c.kind, c.negate = op.kind, op.negate
	if !strings.Contains(key, ":") || strings.HasPrefix(key, ":") {
		return c, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	}
	if len(values) == 0 {
		return c, "Condition " + operator + " has no values for key " + key
	}
	for _, v := range values {
		switch c.kind {
		case opIP:
			p, ok := parsePrefix(v)
			if !ok {
				return c, "Invalid IP address or CIDR in condition " + operator + ": " + v
			}
			c.prefixes = append(c.prefixes, p)
		case opNumericEq, opNumericLt, opNumericLe, opNumericGt, opNumericGe:
			n, err := parseNumber(v)
			if err != nil {
				return c, "Invalid number in condition " + operator + ": " + v
			}
			c.numbers = append(c.numbers, n)
		case opDateEq, opDateLt, opDateLe, opDateGt, opDateGe:
			t, ok := parseDate(v)
			if !ok {
				return c, "Invalid date in condition " + operator + ": " + v
			}
			c.times = append(c.times, t)
		case opNull, opBool:
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return c, "Invalid boolean in condition " + operator + ": " + v
			}
		}
	}
	return c, ""
}

// holds evaluates the condition against the request context, for a
// statement that denies (deny) or allows.
//
// Condition keys are case-insensitive, so every spelling of c.Key in ctx
// is its key: tags "Env" and "env" both give aws:RequestTag/env a value.
// When ctx has more than one spelling, each spelling's values are judged
// on their own and the results combined to the cautious side: a Deny
// applies when the condition holds for any spelling, an Allow only when it
// holds for every one. So a second spelling can neither hide a value a
// Deny is about nor carry one in beside a value an Allow requires.
func (c *Condition) holds(ctx map[string][]string, deny bool) bool {
	spellings := 0
	for k, vals := range ctx {
		if !strings.EqualFold(k, c.Key) {
			continue
		}
		spellings++
		if c.holdsFor(vals) == deny {
			return deny
		}
	}
	if spellings == 0 {
		return c.holdsFor(nil)
	}
	return !deny
}

// holdsFor evaluates the condition against vals, the request's values of
// its key.
//
// A key that is absent (or has no values) makes IfExists operators and
// ForAllValues true, ForAnyValue false, negated operators true and the
// others false. Without a set qualifier a multi-valued key satisfies a
// positive operator when any of its values matches any policy value, and a
// negated operator when none does. ForAnyValue holds when some request
// value satisfies the operator, ForAllValues when every one does.
func (c *Condition) holdsFor(vals []string) bool {
	present := len(vals) > 0
	if c.kind == opNull {
		for _, v := range c.Values {
			if strings.EqualFold(v, "true") != present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case c.ifExists:
			return true
		case c.set == setAll:
			return true
		case c.set == setAny:
			return false
		}
		return c.negate
	}
	switch c.set {
	case setAny:
		for _, v := range vals {
			if c.matches(v) != c.negate {
				return true
			}
		}
		return false
	case setAll:
		for _, v := range vals {
			if c.matches(v) == c.negate {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matches(v) {
			return !c.negate
		}
	}
	return c.negate
}

// matches reports whether one request value satisfies the positive form
// of the operator against any of the policy's values.
func (c *Condition) matches(v string) bool {
	switch c.kind {
	case opString, opBinary:
		for _, p := range c.Values {
			if p == v {
				return true
			}
		}
	case opStringIgnoreCase:
		for _, p := range c.Values {
			if strings.EqualFold(p, v) {
				return true
			}
		}
	case opStringLike:
		return anyMatch(c.Values, v, false)
	case opBool:
		for _, p := range c.Values {
			if strings.EqualFold(p, v) {
				return true
			}
		}
	case opArnLike:
		for _, p := range c.Values {
			if arnLike(p, v) {
				return true
			}
		}
	case opIP:
		ip, err := netip.ParseAddr(v)
		if err != nil {
			if p, ok := parsePrefix(v); ok {
				ip = p.Addr()
			} else {
				return false
			}
		}
		// A zone (fe80::1%eth0) names the interface, not the address,
		// and no prefix contains a zoned address: drop it.
		ip = ip.Unmap().WithZone("")
		for _, p := range c.prefixes {
			if p.Contains(ip) {
				return true
			}
		}
	case opNumericEq, opNumericLt, opNumericLe, opNumericGt, opNumericGe:
		n, err := parseNumber(v)
		if err != nil {
			return false
		}
		for _, p := range c.numbers {
			if compare(c.kind-opNumericEq, cmp.Compare(n, p)) {
				return true
			}
		}
	case opDateEq, opDateLt, opDateLe, opDateGt, opDateGe:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, p := range c.times {
			if compare(c.kind-opDateEq, t.Compare(p)) {
				return true
			}
		}
	}
	return false
}

// compare applies the relation rel (0 =, 1 <, 2 <=, 3 >, 4 >=, the order
// of the Numeric and Date kinds) to the result of a three-way comparison
// of the request's value with the policy's.
func compare(rel opKind, cmp int) bool {
	switch rel {
	case 0:
		return cmp == 0
	case 1:
		return cmp < 0
	case 2:
		return cmp <= 0
	case 3:
		return cmp > 0
	}
	return cmp >= 0
}

// numberPattern is the decimal numbers the Numeric operators take: an
// optional minus sign, digits and an optional fraction. ParseFloat alone
// would also take NaN and Inf, which compare as equal to everything.
var numberPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// parseNumber parses a decimal number as the Numeric operators read it.
func parseNumber(v string) (float64, error) {
	if !numberPattern.MatchString(v) {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseFloat(v, 64)
}

// parsePrefix reads a CIDR block or a single address (which stands for
// itself alone), IPv4 or IPv6. IPv4-mapped IPv6 addresses are unmapped.
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// parseDate reads the date forms IAM accepts: ISO 8601 (RFC 3339, with or
// without seconds or time) and seconds since the Unix epoch.
func parseDate(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// arnLike matches an ARN against an ARN pattern the way ArnLike does: the
// six colon-separated fields (arn, partition, service, region, account,
// resource) are matched one by one, so wildcards in the first five do not
// reach across a ':'; the resource field may itself contain ':'. A pattern
// without ':' (such as "*") is matched against the whole value.
func arnLike(pattern, v string) bool {
	if !strings.Contains(pattern, ":") {
		return wildcardMatch(pattern, v, false)
	}
	for field := 0; field < 5; field++ {
		pf, prest, ok1 := strings.Cut(pattern, ":")
		vf, vrest, ok2 := strings.Cut(v, ":")
		if !ok1 || !ok2 || !wildcardMatch(pf, vf, false) {
			return false
		}
		pattern, v = prest, vrest
	}
	return wildcardMatch(pattern, v, false)
}
