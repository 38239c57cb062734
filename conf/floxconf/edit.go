package floxconf

import (
	"bytes"
	"fmt"

	"github.com/nixsign/nixsign/conf/internal/tomldoc"
	"github.com/nixsign/nixsign/conf/internal/tomlscan"
)

// Get returns publish.signing_private_key from the flox.toml contents data
// (named file in errors), with the 1-based line of its key. ok is false when
// the key is absent. Syntax errors read "FILE:LINE:COL: problem"; a key or
// table of the wrong type "FILE:LINE: KEY: problem".
func Get(file string, data []byte) (value string, line int, ok bool, err error) {
	doc, err := tomldoc.Decode(file, data)
	if err != nil {
		return "", 0, false, err
	}
	d := &document{file: file, src: data, doc: doc}
	d.stmts, _ = tomlscan.Scan(data) // for line numbers only: 0 if it fails
	pub, err := d.publish()
	if err != nil || pub == nil {
		return "", 0, false, err
	}
	v, found := pub["signing_private_key"]
	if !found {
		return "", 0, false, nil
	}
	line = d.keyLine()
	s, isStr := v.(string)
	if !isStr {
		return "", 0, false, Source{File: file, Line: line}.Errorf("want a string, got %s", tomldoc.TypeName(v))
	}
	return s, line, true, nil
}

// Set returns the flox.toml contents src with publish.signing_private_key set
// to value, as `flox config --set publish.signing_private_key VALUE` does,
// changing nothing else: an existing value is replaced in place (in a
// [publish] table, as a dotted key or inside an inline table), a missing key
// is added to the existing [publish] table or dotted publish keys, or a new
// [publish] table is appended. New lines use the file's line endings. value
// must pass [Validate] (warnings aside). The result is parsed again and must
// read back as value with every other key unchanged, or Set fails.
func Set(src []byte, value string) ([]byte, error) { return set("flox.toml", src, value) }

// Unset returns src without publish.signing_private_key, as
// `flox config --delete publish.signing_private_key` does, and whether it was
// there. Only the key's own lines go: comments, blank lines and an emptied
// [publish] header stay (flox keeps the header too, but drops the comment
// lines just above the key).
func Unset(src []byte) ([]byte, bool, error) { return unset("flox.toml", src) }

func set(file string, src []byte, value string) ([]byte, error) {
	if _, err := Validate(value, Source{}); err != nil {
		return nil, err
	}
	d, err := newDocument(file, src)
	if err != nil {
		return nil, err
	}
	lit := quote(value)
	var out []byte
	if st := d.keyStmt(); st != nil {
		out = splice(src, st.ValStart, st.ValEnd, lit)
	} else if d.hasKey() {
		return nil, d.errorf(d.keyLine(), "%s is a table, not a path; remove that table by hand first", Key)
	} else if out, err = d.insert(lit); err != nil {
		return nil, err
	}
	if err := d.verify(out, &value); err != nil {
		return nil, err
	}
	return out, nil
}

func unset(file string, src []byte) ([]byte, bool, error) {
	d, err := newDocument(file, src)
	if err != nil {
		return nil, false, err
	}
	st := d.keyStmt()
	switch {
	case st == nil && d.hasKey():
		return nil, false, d.errorf(d.keyLine(), "%s is a table, not a path; remove that table by hand", Key)
	case st == nil:
		return src, false, nil
	case st.Kind == tomlscan.Inline:
		// publish = { signing_private_key = "..." } goes as a whole; an
		// inline table with other keys cannot be edited in place.
		parent := d.inlinePublish()
		if parent == nil || d.inlineMembers() != 1 {
			return nil, false, d.errorf(st.Line, "publish is an inline table with other keys; write it as a [publish] table to remove the key")
		}
		st = parent
	}
	start := st.LineStart
	if n := tomlscan.BOMLen(src); start < n {
		start = n
	}
	out := splice(src, start, st.End, "")
	if err := d.verify(out, nil); err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// A document is a parsed flox.toml, with its statements located.
type document struct {
	file  string // for errors
	src   []byte
	doc   map[string]any
	stmts []tomlscan.Stmt
}

func newDocument(file string, src []byte) (*document, error) {
	doc, err := tomldoc.Decode(file, src)
	if err != nil {
		return nil, err
	}
	stmts, err := tomlscan.Scan(src)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot edit: %v", file, err)
	}
	d := &document{file: file, src: src, doc: doc, stmts: stmts}
	if _, err := d.publish(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *document) errorf(line int, format string, args ...any) error {
	file := d.file
	if line > 0 {
		file = fmt.Sprintf("%s:%d", file, line)
	}
	return fmt.Errorf("%s: %s", file, fmt.Sprintf(format, args...))
}

// publish returns the publish table, nil when absent, or an error when
// publish is something else (flox would refuse the file).
func (d *document) publish() (map[string]any, error) {
	v, ok := d.doc["publish"]
	if !ok {
		return nil, nil
	}
	if t, ok := v.(map[string]any); ok {
		return t, nil
	}
	line := 0
	for _, st := range d.stmts {
		if len(st.Path) > 0 && st.Path[0] == "publish" {
			line = st.Line
			break
		}
	}
	return nil, d.errorf(line, "publish: want a table, got %s", tomldoc.TypeName(v))
}

// keyStmt returns the statement that sets publish.signing_private_key.
func (d *document) keyStmt() *tomlscan.Stmt {
	for i := range d.stmts {
		st := &d.stmts[i]
		if st.Kind != tomlscan.Table && st.Kind != tomlscan.ArrayTable && len(st.Path) == 2 &&
			st.Path[0] == "publish" && st.Path[1] == "signing_private_key" {
			return st
		}
	}
	return nil
}

// inlinePublish returns the top-level statement publish = { ... }, if any.
func (d *document) inlinePublish() *tomlscan.Stmt {
	for i := range d.stmts {
		st := &d.stmts[i]
		if st.Kind == tomlscan.KeyValue && len(st.Path) == 1 && st.Path[0] == "publish" && st.IsInlineTable(d.src) {
			return st
		}
	}
	return nil
}

// inlineMembers counts the keys written directly in publish = { ... }.
func (d *document) inlineMembers() int {
	n := 0
	for _, st := range d.stmts {
		if st.Kind == tomlscan.Inline && len(st.Path) == 1+st.KeyLen && st.Path[0] == "publish" {
			n++
		}
	}
	return n
}

// hasKey reports whether the document defines publish.signing_private_key.
func (d *document) hasKey() bool {
	pub, _ := d.publish()
	_, ok := pub["signing_private_key"]
	return ok
}

// keyLine returns the line of the statement that sets the key, or of the
// first one that defines part of it.
func (d *document) keyLine() int {
	if st := d.keyStmt(); st != nil {
		return st.Line
	}
	for _, st := range d.stmts {
		if len(st.Path) >= 2 && st.Path[0] == "publish" && st.Path[1] == "signing_private_key" {
			return st.Line
		}
	}
	return 0
}

// insert adds "signing_private_key = lit" where flox's own editor would.
func (d *document) insert(lit string) ([]byte, error) {
	eol := "\n"
	if i := bytes.IndexByte(d.src, '\n'); i > 0 && d.src[i-1] == '\r' {
		eol = "\r\n"
	}
	// The [publish] section, or top-level dotted publish.* keys.
	at, prefix := -1, ""
	inPublish := false
	for _, st := range d.stmts {
		switch st.Kind {
		case tomlscan.Table, tomlscan.ArrayTable:
			inPublish = len(st.Path) == 1 && st.Path[0] == "publish" && st.Kind == tomlscan.Table
			if inPublish {
				at, prefix = st.End, ""
			}
		case tomlscan.KeyValue:
			if st.Path[0] != "publish" {
				continue
			}
			if st.IsInlineTable(d.src) && len(st.Path) == 1 {
				return nil, d.errorf(st.Line, "publish is an inline table; write it as a [publish] table to add the key")
			}
			if inPublish {
				at = st.End
			} else if len(st.Path) == st.KeyLen { // top-level dotted publish.x
				at, prefix = st.End, "publish."
			}
		}
	}
	line := prefix + "signing_private_key = " + lit + eol
	if at < 0 {
		// A new table at the end, after a blank line unless the file is blank.
		var b bytes.Buffer
		b.Write(d.src)
		if len(bytes.TrimSpace(d.src)) > 0 {
			if !bytes.HasSuffix(d.src, []byte("\n")) {
				b.WriteString(eol)
			}
			if !bytes.HasSuffix(bytes.TrimRight(d.src, " \t"), []byte(eol+eol)) {
				b.WriteString(eol)
			}
		}
		b.WriteString("[publish]" + eol + line)
		return b.Bytes(), nil
	}
	if at == len(d.src) && at > 0 && d.src[at-1] != '\n' {
		line = eol + line
	}
	return splice(d.src, at, at, line), nil
}
