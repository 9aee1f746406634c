package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Parse reads a JSON policy document of type t and names it name (see
// [Policy.Name]). It refuses, with a [*ParseError], malformed JSON,
// documents over the size limit ([MaxIdentityPolicySize] characters
// without white space for identity policies, [MaxResourcePolicyBytes]
// bytes for resource policies), unknown elements, a bad Version or Effect,
// statements without actions or resources (or, in resource policies,
// without a principal), a Principal in an identity policy, malformed principals,
// actions and resources, and unknown condition operators. It never panics.
func Parse(t PolicyType, name string, doc []byte) (*Policy, error) {
	if err := checkSize(t, doc); err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := unmarshal(doc, &top); err != nil || top == nil {
		return nil, malformed("Syntax errors in policy.")
	}
	if bytes.Contains(doc, []byte("null")) && hasNull(doc) {
		return nil, malformed("Syntax errors in policy: null is not a valid value.")
	}
	p := &Policy{Name: name, Type: t, Version: Version2008, Document: string(doc)}
	for k := range top {
		if k != "Version" && k != "Id" && k != "Statement" {
			return nil, malformed(fmt.Sprintf("Syntax errors in policy: unknown element %q.", k))
		}
	}
	if raw, ok := top["Version"]; ok {
		var v string
		if unmarshal(raw, &v) != nil || (v != Version2012 && v != Version2008) {
			return nil, malformed("The policy must contain a valid version string")
		}
		p.Version = v
	}
	if p.Version == Version2012 && bytes.Contains(doc, []byte("${")) {
		// IAM would substitute policy variables here; taking them
		// literally could let through what AWS denies.
		return nil, malformed("Syntax errors in policy: policy variables (${...}) are not supported by kds.")
	}
	if raw, ok := top["Id"]; ok {
		if unmarshal(raw, &p.ID) != nil {
			return nil, malformed("Syntax errors in policy: Id must be a string.")
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, malformed("Missing required field Statement")
	}
	var list []json.RawMessage
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		list = []json.RawMessage{raw}
	} else if unmarshal(raw, &list) != nil {
		return nil, malformed("Syntax errors in policy: Statement must be an object or an array of objects.")
	}
	if len(list) == 0 {
		return nil, malformed("Missing required field Statement")
	}
	sids := map[string]bool{}
	for i, r := range list {
		st, msg := parseStatement(t, r)
		if msg != "" {
			return nil, &ParseError{Statement: i + 1, Msg: msg}
		}
		if st.Sid != "" {
			if sids[st.Sid] {
				return nil, &ParseError{Statement: i + 1, Msg: "Statement IDs (SID) in a single policy must be unique."}
			}
			sids[st.Sid] = true
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

// MustParse is like [Parse] but panics on error. It is meant for tests,
// examples and policies written into a program.
func MustParse(t PolicyType, name, doc string) *Policy {
	p, err := Parse(t, name, []byte(doc))
	if err != nil {
		panic(err)
	}
	return p
}

// maxIdentityPolicyDocument bounds an identity policy document's raw
// length, white space included, as IAM's PolicyDocument parameter does.
const maxIdentityPolicyDocument = 131_072

// hasNull reports whether a JSON null stands anywhere in doc as a value.
func hasNull(doc []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false // the parser reports malformed JSON
		}
		if tok == nil {
			return true
		}
	}
}

// checkSize applies the size limit of t to doc.
func checkSize(t PolicyType, doc []byte) error {
	if t == ResourcePolicy {
		if len(doc) > MaxResourcePolicyBytes {
			return malformed("Cannot exceed quota for PolicySize: " + strconv.Itoa(MaxResourcePolicyBytes))
		}
		return nil
	}
	if len(doc) <= MaxIdentityPolicySize {
		return nil
	}
	if len(doc) > maxIdentityPolicyDocument {
		return malformed("Cannot exceed quota for PolicySize: " + strconv.Itoa(MaxIdentityPolicySize))
	}
	n := 0
	for _, c := range string(doc) {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			n++
		}
	}
	if n > MaxIdentityPolicySize {
		return malformed("Cannot exceed quota for PolicySize: " + strconv.Itoa(MaxIdentityPolicySize))
	}
	return nil
}

// statementFields are the elements a statement may have.
var statementFields = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// parseStatement reads one statement; a non-empty string is the problem.
func parseStatement(t PolicyType, raw json.RawMessage) (Statement, string) {
	var st Statement
	var m map[string]json.RawMessage
	if unmarshal(raw, &m) != nil || m == nil {
		return st, "Syntax errors in policy: a statement must be an object."
	}
	for k := range m {
		if !slices.Contains(statementFields, k) {
			return st, fmt.Sprintf("Syntax errors in policy: unknown element %q.", k)
		}
	}
	if r, ok := m["Sid"]; ok {
		if unmarshal(r, &st.Sid) != nil {
			return st, "Syntax errors in policy: Sid must be a string."
		}
		if t == IdentityPolicy && !alphanumeric(st.Sid) {
			return st, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
		}
	}
	r, ok := m["Effect"]
	if !ok {
		return st, "Missing required field Effect"
	}
	var effect string
	if unmarshal(r, &effect) != nil || (effect != string(Allow) && effect != string(Deny)) {
		return st, "Invalid effect: " + strings.Trim(string(r), `"`)
	}
	st.Effect = Effect(effect)

	if msg := parsePrincipals(t, m, &st); msg != "" {
		return st, msg
	}
	if msg := parsePatterns(m, "Action", "NotAction", &st.Action, &st.NotAction, validAction); msg != "" {
		return st, msg
	}
	if st.Action == nil && st.NotAction == nil {
		return st, "Policy statement must contain actions."
	}
	if msg := parsePatterns(m, "Resource", "NotResource", &st.Resource, &st.NotResource, validResource); msg != "" {
		return st, msg
	}
	if st.Resource == nil && st.NotResource == nil {
		return st, "Policy statement must contain resources."
	}
	if r, ok := m["Condition"]; ok {
		conds, msg := parseConditions(r)
		if msg != "" {
			return st, msg
		}
		st.Conditions = conds
	}
	return st, ""
}

// parsePrincipals reads Principal and NotPrincipal, which resource
// policies need (one of them) and identity policies must not have.
func parsePrincipals(t PolicyType, m map[string]json.RawMessage, st *Statement) string {
	rp, hasP := m["Principal"]
	rn, hasN := m["NotPrincipal"]
	if t == IdentityPolicy {
		if hasP || hasN {
			return "Policy document should not specify a principal."
		}
		return ""
	}
	switch {
	case hasP && hasN:
		return "Syntax errors in policy: a statement cannot have both Principal and NotPrincipal."
	case hasP:
		p, msg := parsePrincipal(rp)
		st.Principal = p
		return msg
	case hasN:
		p, msg := parsePrincipal(rn)
		st.NotPrincipal = p
		return msg
	}
	return "Missing required field Principal"
}

// parsePrincipal reads the value of a Principal or NotPrincipal element.
func parsePrincipal(raw json.RawMessage) (*Principal, string) {
	const invalid = "Invalid principal in policy"
	var star string
	if unmarshal(raw, &star) == nil {
		if star != "*" {
			return nil, invalid
		}
		return &Principal{Any: true}, ""
	}
	var m map[string]json.RawMessage
	if unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil, invalid
	}
	p := &Principal{}
	for k, r := range m {
		vals, ok := stringList(r)
		if !ok || len(vals) == 0 {
			return nil, invalid
		}
		switch k {
		case "AWS":
			for _, v := range vals {
				if !validAWSPrincipal(v) {
					return nil, invalid
				}
				if v == "*" {
					p.Any = true
				}
			}
			p.AWS = vals
		case "Service":
			p.Service = vals
		case "Federated":
			p.Federated = vals
		case "CanonicalUser":
			p.CanonicalUser = vals
		default:
			return nil, invalid
		}
	}
	return p, ""
}

// parsePatterns reads an element pair such as Action / NotAction, of
// which at most one may be present, checking each entry with valid.
func parsePatterns(m map[string]json.RawMessage, name, notName string, dst, notDst *[]string, valid func(string) string) string {
	r, has := m[name]
	rn, hasNot := m[notName]
	if has && hasNot {
		return fmt.Sprintf("Syntax errors in policy: a statement cannot have both %s and %s.", name, notName)
	}
	if hasNot {
		r, dst, name = rn, notDst, notName
	} else if !has {
		return ""
	}
	vals, ok := stringList(r)
	if !ok {
		return fmt.Sprintf("Syntax errors in policy: %s must be a string or an array of strings.", name)
	}
	if len(vals) == 0 {
		return ""
	}
	for _, v := range vals {
		if msg := valid(v); msg != "" {
			return msg
		}
	}
	*dst = vals
	return ""
}

// validAction checks an action pattern: "*" or "prefix:name".
func validAction(a string) string {
	if a == "*" {
		return ""
	}
	prefix, name, ok := strings.Cut(a, ":")
	if !ok || prefix == "" || name == "" {
		return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	}
	if strings.Contains(name, ":") {
		return "Actions/Condition can contain only one colon."
	}
	return ""
}

// validResource checks a resource pattern: "*" or an ARN with its six
// fields.
func validResource(r string) string {
	if r == "*" {
		return ""
	}
	parts := strings.SplitN(r, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return fmt.Sprintf("Resource %s must be in ARN format or \"*\".", r)
	}
	if parts[1] == "" || parts[2] == "" {
		return "Resource vendor must be fully qualified and cannot contain regexes."
	}
	return ""
}

// parseConditions reads a Condition element: operator → key → value(s).
// Conditions come out sorted by operator and then key, so a policy's
// behaviour and its error messages do not depend on map order.
func parseConditions(raw json.RawMessage) ([]Condition, string) {
	var ops map[string]map[string]json.RawMessage
	if unmarshal(raw, &ops) != nil {
		return nil, "Syntax errors in policy: Condition must map operators to objects of condition keys."
	}
	var out []Condition
	for _, op := range sortedKeys(ops) {
		keys := ops[op]
		if len(keys) == 0 {
			return nil, "Condition " + op + " has no condition keys"
		}
		for _, key := range sortedKeys(keys) {
			vals, ok := conditionValues(keys[key])
			if !ok {
				return nil, "Syntax errors in policy: condition values of " + key + " must be strings, numbers or booleans."
			}
			c, msg := newCondition(op, key, vals)
			if msg != "" {
				return nil, msg
			}
			out = append(out, c)
		}
	}
	return out, ""
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// stringList reads a JSON string or array of strings.
func stringList(raw json.RawMessage) ([]string, bool) {
	var s string
	if unmarshal(raw, &s) == nil {
		return []string{s}, true
	}
	var list []string
	if unmarshal(raw, &list) != nil {
		return nil, false
	}
	if list == nil {
		list = []string{}
	}
	return list, true
}

// conditionValues reads a condition's value: a string, number or boolean,
// or an array of them, each kept as text.
func conditionValues(raw json.RawMessage) ([]string, bool) {
	var one any
	if unmarshal(raw, &one) != nil {
		return nil, false
	}
	items, isList := one.([]any)
	if !isList {
		items = []any{one}
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		switch v := it.(type) {
		case string:
			out = append(out, v)
		case json.Number:
			out = append(out, v.String())
		case bool:
			out = append(out, strconv.FormatBool(v))
		default:
			return nil, false
		}
	}
	return out, true
}

// unmarshal decodes one JSON value, keeping numbers as json.Number and
// refusing trailing data.
func unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		return errors.New("trailing data")
	}
	return nil
}

// alphanumeric reports whether s matches [0-9A-Za-z]*.
func alphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
