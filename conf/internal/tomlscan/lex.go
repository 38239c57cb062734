package tomlscan

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// value skips one value; members of inline tables are recorded under path
// unless path is nil.
func (s *scanner) value(path []string, depth int) error {
	if depth > maxDepth {
		return s.errorf("nested too deeply")
	}
	if s.pos >= len(s.src) {
		return s.errorf("expected a value")
	}
	switch s.src[s.pos] {
	case '"', '\'':
		_, err := s.str()
		return err
	case '[':
		s.pos++
		for {
			if err := s.skipBlank(); err != nil {
				return err
			}
			if s.peek("]") {
				s.pos++
				return nil
			}
			if err := s.value(nil, depth+1); err != nil {
				return err
			}
			if err := s.skipBlank(); err != nil {
				return err
			}
			if s.peek(",") {
				s.pos++
			} else if !s.peek("]") {
				return s.errorf("expected %q or %q in array", ",", "]")
			}
		}
	case '{':
		s.pos++
		for {
			if err := s.skipBlank(); err != nil {
				return err
			}
			if s.peek("}") {
				s.pos++
				return nil
			}
			st := s.newStmt(Inline)
			key, err := s.key()
			if err != nil {
				return err
			}
			idx, sub := -1, []string(nil)
			if path != nil { // members of inline tables inside arrays are not recorded
				sub = append(append([]string(nil), path...), key...)
				st.Path, st.KeyLen = sub, len(key)
				idx = len(s.stmts)
				s.stmts = append(s.stmts, st)
			}
			if err := s.keyValueRest(idx, sub, depth+1); err != nil {
				return err
			}
			if err := s.skipBlank(); err != nil {
				return err
			}
			if s.peek(",") {
				s.pos++
			} else if !s.peek("}") {
				return s.errorf("expected %q or %q in inline table", ",", "}")
			}
		}
	default:
		start := s.pos
		for s.pos < len(s.src) && !isValueEnd(s.src[s.pos]) {
			s.pos++
			// A datetime may separate its date and time with one space.
			if tok := s.src[start:s.pos]; len(tok) == 10 && tok[4] == '-' && tok[7] == '-' &&
				s.pos+1 < len(s.src) && s.src[s.pos] == ' ' && isDigit(s.src[s.pos+1]) {
				s.pos++
			}
		}
		if s.pos == start {
			return s.errorf("expected a value")
		}
		return nil
	}
}

func isValueEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ',', ']', '}', '#':
		return true
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isBareKeyChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || isDigit(c) || c == '_' || c == '-'
}

// key reads a dotted key.
func (s *scanner) key() ([]string, error) {
	var parts []string
	for {
		var part string
		if s.pos < len(s.src) && (s.src[s.pos] == '"' || s.src[s.pos] == '\'') {
			if s.peek(`"""`) || s.peek("'''") {
				return nil, s.errorf("multi-line string used as key")
			}
			p, err := s.str()
			if err != nil {
				return nil, err
			}
			part = p
		} else {
			start := s.pos
			for s.pos < len(s.src) && isBareKeyChar(s.src[s.pos]) {
				s.pos++
			}
			if s.pos == start {
				return nil, s.errorf("expected a key")
			}
			part = string(s.src[start:s.pos])
		}
		parts = append(parts, part)
		save := s.pos
		s.skipSpace()
		if !s.peek(".") {
			s.pos = save
			return parts, nil
		}
		s.pos++
		s.skipSpace()
	}
}

// str reads a string of any of TOML's four kinds and returns the decoded
// text of a one-line string ("" for a multi-line one).
func (s *scanner) str() (string, error) {
	q := s.src[s.pos]
	basic := q == '"'
	if s.peek(strings.Repeat(string(q), 3)) {
		s.pos += 3
		for {
			if s.pos >= len(s.src) {
				return "", s.errorf("unterminated multi-line string")
			}
			if basic && s.src[s.pos] == '\\' {
				s.pos += 2
				continue
			}
			if s.peek(strings.Repeat(string(q), 3)) {
				s.pos += 3
				for i := 0; i < 2 && s.pos < len(s.src) && s.src[s.pos] == q; i++ {
					s.pos++
				}
				return "", nil
			}
			s.pos++
		}
	}
	s.pos++
	start := s.pos
	for {
		if s.pos >= len(s.src) || s.src[s.pos] == '\n' || s.src[s.pos] == '\r' {
			return "", s.errorf("unterminated string")
		}
		c := s.src[s.pos]
		if basic && c == '\\' {
			s.pos += 2
			continue
		}
		if c == q {
			raw := s.src[start:s.pos]
			s.pos++
			if !basic {
				return string(raw), nil
			}
			return unescape(raw)
		}
		s.pos++
	}
}

// unescape decodes the escapes of a one-line basic string.
func unescape(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw), nil
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			b.WriteByte(raw[i])
			continue
		}
		if i+1 >= len(raw) {
			return "", errors.New("bad escape")
		}
		i++
		n := 0
		switch raw[i] {
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case '"', '\\':
			b.WriteByte(raw[i])
		case 'x':
			n = 2
		case 'u':
			n = 4
		case 'U':
			n = 8
		default:
			return "", errors.New("bad escape")
		}
		if n > 0 {
			if i+n >= len(raw) {
				return "", errors.New("bad escape")
			}
			v, err := strconv.ParseUint(string(raw[i+1:i+1+n]), 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", errors.New("bad escape")
			}
			b.WriteRune(rune(v))
			i += n
		}
	}
	return b.String(), nil
}
