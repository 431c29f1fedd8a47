package locales

import (
	"strings"
	"text/template/parse"

	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// fieldParser parses message templates for go-i18n. Most of Lijntje's texts
// are plain text with a few {{.Name}} fields, and text/template renders
// those through reflection: on a tap, the card's lines and the next
// question spent a few percent of the serving process there. fieldParser
// parses each template with text/template as before, and keeps beside it a
// list of the text and the fields when that is all the template has. It
// renders that list itself when every field is a string in the data, and
// leaves everything else to text/template (plural forms, if, a field that is
// missing or not a string). The text is the same either way
// (TestFieldTemplatesRenderAsTextTemplate).
type fieldParser struct{ text template.TextParser }

// Cacheable says go-i18n may keep the parsed template: it depends on the
// source alone.
func (fieldParser) Cacheable() bool { return true }

// Parse parses src with text/template and, when src is only text and
// fields, also into a fieldTemplate.
func (p fieldParser) Parse(src, leftDelim, rightDelim string) (template.ParsedTemplate, error) {
	full, err := p.text.Parse(src, leftDelim, rightDelim)
	if err != nil {
		return nil, err
	}
	left, right := delim(leftDelim, "{{"), delim(rightDelim, "}}")
	if !strings.Contains(src, left) {
		return full, nil // no actions: go-i18n's own template returns src as it is
	}
	ft, ok := fieldsOnly(src, left, right)
	if !ok {
		return full, nil
	}
	ft.full = full
	return ft, nil
}

func delim(d, def string) string {
	if d == "" {
		return def
	}
	return d
}

// fieldTemplate is a template of text and {{.Name}} fields: text[i] comes
// before field[i], and the last text after the last field.
type fieldTemplate struct {
	text   []string
	fields []string
	size   int                     // the text's length, and room for short fields
	full   template.ParsedTemplate // text/template's, for any other data
}

// fieldsOnly reads src as text and single {{.Name}} fields, or says it is more.
func fieldsOnly(src, left, right string) (*fieldTemplate, bool) {
	trees, err := parse.Parse("", src, left, right)
	if err != nil {
		return nil, false
	}
	root := trees[""]
	if root == nil || len(trees) != 1 {
		return nil, false
	}
	ft := &fieldTemplate{}
	text := ""
	for _, n := range root.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			text += string(n.Text)
		case *parse.ActionNode:
			name, ok := field(n)
			if !ok {
				return nil, false
			}
			ft.text = append(ft.text, text)
			ft.fields = append(ft.fields, name)
			text = ""
		default:
			return nil, false
		}
	}
	ft.text = append(ft.text, text)
	for _, t := range ft.text {
		ft.size += len(t)
	}
	ft.size += 16 * len(ft.fields)
	return ft, true
}

// field is the name of an action that is {{.Name}} and nothing else.
func field(a *parse.ActionNode) (string, bool) {
	p := a.Pipe
	if p == nil || len(p.Decl) != 0 || p.IsAssign || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return "", false
	}
	f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 1 {
		return "", false
	}
	return f.Ident[0], true
}

// Execute renders t with data: itself when data is a map whose every field
// of t is a string, and through text/template otherwise.
func (t *fieldTemplate) Execute(data any) (string, error) {
	m, ok := data.(map[string]any)
	if !ok {
		return t.full.Execute(data)
	}
	var b strings.Builder
	b.Grow(t.size)
	for i, f := range t.fields {
		s, ok := m[f].(string)
		if !ok {
			return t.full.Execute(data)
		}
		b.WriteString(t.text[i])
		b.WriteString(s)
	}
	b.WriteString(t.text[len(t.text)-1])
	return b.String(), nil
}
