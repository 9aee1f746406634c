package main

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// element is a parsed XML element: enough of a tree to look a report over.
type element struct {
	name     string
	attr     map[string]string
	text     string // character data directly inside, trimmed
	children []*element
}

// parseXML parses s, which must be well-formed XML (an HTML document
// written as XHTML counts), and returns its root element.
func parseXML(t *testing.T, s string) *element {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s)) // strict: unclosed tags and unknown entities fail
	doc := &element{}
	stack := []*element{doc}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				e.attr[a.Name.Local] = a.Value
			}
			top.children = append(top.children, e)
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text = strings.TrimSpace(top.text + string(tok))
		}
	}
	if len(doc.children) != 1 {
		t.Fatalf("%d root elements, want 1", len(doc.children))
	}
	return doc.children[0]
}

// all returns the elements named name under e, in document order.
func (e *element) all(name string) []*element {
	var out []*element
	for _, c := range e.children {
		if c.name == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}
