// Package tomlscan locates the statements of a TOML document by byte offset
// and line, which BurntSushi/toml does not report. It is meant for documents
// that the TOML parser has already accepted: conf/config uses it to give each
// key its line in errors, conf/floxconf to edit flox.toml in place.
//
// [Scan] splits a document into [Stmt]s: key/values, [table] and
// [[array table]] headers, and the members of inline tables. For
//
//	a = 1 # c
//	[ t . u ]
//	i = { p = 2 }
//
// it returns these statements (Path, Line, the value's bytes
// src[ValStart:ValEnd], and the whole lines src[LineStart:End]):
//
//	KeyValue [a]       line 1 value "1"         line "a = 1 # c\n"
//	Table    [t u]     line 2                   line "[ t . u ]\n"
//	KeyValue [t u i]   line 3 value "{ p = 2 }" line "i = { p = 2 }\n"
//	Inline   [t u i p] line 3 value "2"
//
// Lines are 1-based and count '\n' only; a UTF-8 or UTF-16 byte-order mark at
// the start is skipped, as the TOML parser skips it.
package tomlscan

import (
	"bytes"
	"fmt"
	"sort"
)

// A Kind says what a TOML statement is.
type Kind int

// The kinds of statement.
const (
	KeyValue   Kind = iota // key = value
	Table                  // [table]
	ArrayTable             // [[table]]
	Inline                 // key = value inside an inline table
)

// A Stmt is one statement of a TOML document, located by byte offsets so that
// an editor can replace or delete exactly its bytes.
type Stmt struct {
	Kind Kind
	// Path is the full key: the enclosing table's path and the dotted key for
	// key/values, the header's key for tables.
	Path []string
	// KeyLen is how many of Path's last parts the statement's own key wrote:
	// 2 for "a.b = 1" under [t] (Path t.a.b), the whole Path for headers.
	KeyLen           int
	Off              int // offset of the key (or of the '[' of a header)
	Line             int // 1-based line of Off
	LineStart        int // offset of the first byte of that line
	ValStart, ValEnd int // the value's bytes (key/values only)
	End              int // offset after the line terminator ending the statement
}

// IsInlineTable reports whether a key/value's value is an inline table.
func (s *Stmt) IsInlineTable(src []byte) bool {
	return s.Kind != Table && s.Kind != ArrayTable && s.ValEnd > s.ValStart && src[s.ValStart] == '{'
}

// Scan splits src into statements. It expects a document that a TOML
// parser has already accepted: it checks structure only as far as it needs to
// find where statements start and end, and returns an error (never panics)
// on anything it does not understand.
func Scan(src []byte) ([]Stmt, error) {
	s := &scanner{src: src}
	for i, c := range src {
		if c == '\n' {
			s.nl = append(s.nl, i)
		}
	}
	s.pos = BOMLen(src)
	var table []string
	for {
		s.skipSpace()
		if s.pos >= len(src) {
			return s.stmts, nil
		}
		switch c := src[s.pos]; c {
		case '\n', '\r', '#':
			if err := s.endOfLine(); err != nil {
				return nil, err
			}
		case '[':
			st := s.newStmt(Table)
			n := 1
			if s.peek("[[") {
				st.Kind, n = ArrayTable, 2
			}
			s.pos += n
			s.skipSpace()
			key, err := s.key()
			if err != nil {
				return nil, err
			}
			s.skipSpace()
			if !s.peek("]]"[:n]) {
				return nil, s.errorf("expected %q", "]]"[:n])
			}
			s.pos += n
			st.Path, st.KeyLen = key, len(key)
			if err := s.endOfLine(); err != nil {
				return nil, err
			}
			st.End = s.pos
			table = key
			s.stmts = append(s.stmts, st)
		default:
			st := s.newStmt(KeyValue)
			key, err := s.key()
			if err != nil {
				return nil, err
			}
			st.Path = append(append([]string(nil), table...), key...)
			st.KeyLen = len(key)
			idx := len(s.stmts)
			s.stmts = append(s.stmts, st)
			if err := s.keyValueRest(idx, st.Path, 0); err != nil {
				return nil, err
			}
			if err := s.endOfLine(); err != nil {
				return nil, err
			}
			s.stmts[idx].End = s.pos
		}
	}
}

// BOMLen returns the length of the byte-order mark at the start of src that
// the TOML parser skips (UTF-8, or either UTF-16 order), 0 when there is none.
func BOMLen(src []byte) int {
	switch {
	case bytes.HasPrefix(src, []byte("\xef\xbb\xbf")):
		return 3
	case bytes.HasPrefix(src, []byte("\xff\xfe")), bytes.HasPrefix(src, []byte("\xfe\xff")):
		return 2
	}
	return 0
}

type scanner struct {
	src   []byte
	pos   int
	nl    []int // offsets of every '\n'
	stmts []Stmt
}

const maxDepth = 1000

func (s *scanner) errorf(format string, args ...any) error {
	line, _ := s.lineOf(s.pos)
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
}

// lineOf returns the 1-based line of offset off and the offset of its start.
func (s *scanner) lineOf(off int) (line, start int) {
	i := sort.SearchInts(s.nl, off) // newlines before off
	if i > 0 {
		start = s.nl[i-1] + 1
	}
	return i + 1, start
}

func (s *scanner) newStmt(kind Kind) Stmt {
	line, start := s.lineOf(s.pos)
	return Stmt{Kind: kind, Off: s.pos, Line: line, LineStart: start}
}

func (s *scanner) peek(p string) bool { return bytes.HasPrefix(s.src[s.pos:], []byte(p)) }

func (s *scanner) skipSpace() {
	for s.pos < len(s.src) && (s.src[s.pos] == ' ' || s.src[s.pos] == '\t') {
		s.pos++
	}
}

// skipBlank skips whitespace, newlines and comments (inside arrays and
// inline tables).
func (s *scanner) skipBlank() error {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\n':
			s.pos++
		case '\r':
			if !s.peek("\r\n") {
				return s.errorf("bare carriage return")
			}
			s.pos += 2
		case '#':
			for s.pos < len(s.src) && s.src[s.pos] != '\n' && s.src[s.pos] != '\r' {
				s.pos++
			}
		default:
			return nil
		}
	}
	return nil
}

// endOfLine consumes optional whitespace, an optional comment and the line
// terminator (or the end of the input).
func (s *scanner) endOfLine() error {
	s.skipSpace()
	if s.pos < len(s.src) && s.src[s.pos] == '#' {
		for s.pos < len(s.src) && s.src[s.pos] != '\n' && s.src[s.pos] != '\r' {
			s.pos++
		}
	}
	switch {
	case s.pos >= len(s.src):
	case s.src[s.pos] == '\n':
		s.pos++
	case s.peek("\r\n"):
		s.pos += 2
	default:
		return s.errorf("expected end of line")
	}
	return nil
}

// keyValueRest scans the "= value" after a key. When idx >= 0 it records the
// value's span in s.stmts[idx] and, for an inline table, one Inline per
// member under path.
func (s *scanner) keyValueRest(idx int, path []string, depth int) error {
	s.skipSpace()
	if !s.peek("=") {
		return s.errorf("expected %q", "=")
	}
	s.pos++
	s.skipSpace()
	start := s.pos
	if err := s.value(path, depth); err != nil {
		return err
	}
	if idx >= 0 {
		s.stmts[idx].ValStart, s.stmts[idx].ValEnd = start, s.pos
	}
	return nil
}
