package drv

import (
	"fmt"
	"strconv"
	"strings"
)

// SyntaxError describes where and why a .drv file failed to parse.
type SyntaxError struct {
	Offset int    // byte offset in the input
	Msg    string // e.g. `expected ',' or ']', found 'x'`
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid derivation: byte %d: %s", e.Offset, e.Msg)
}

// Parse parses a .drv file. Errors are *SyntaxError.
func Parse(data []byte) (*Derivation, error) {
	p := &parser{s: string(data)}
	d := p.derivation()
	if p.err != nil {
		return nil, p.err
	}
	return d, nil
}

// parser reads s from pos. Once err is set every method does nothing.
type parser struct {
	s   string
	pos int
	err error
}

func (p *parser) fail(off int, format string, args ...any) {
	if p.err == nil {
		p.err = &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
}

// failExpected reports that what was expected is not at the current position.
func (p *parser) failExpected(what string) {
	found := "end of input"
	if p.pos < len(p.s) {
		found = strconv.QuoteRune(rune(p.s[p.pos]))
		if p.s[p.pos] >= 0x80 {
			found = fmt.Sprintf("byte 0x%02x", p.s[p.pos])
		}
	}
	p.fail(p.pos, "expected %s, found %s", what, found)
}

func (p *parser) expect(c byte) {
	switch {
	case p.err != nil:
	case p.pos < len(p.s) && p.s[p.pos] == c:
		p.pos++
	default:
		p.failExpected(strconv.QuoteRune(rune(c)))
	}
}

// list parses "[elem,elem,...]", calling elem to parse each element.
func (p *parser) list(elem func()) {
	p.expect('[')
	if p.err == nil && p.pos < len(p.s) && p.s[p.pos] == ']' {
		p.pos++
		return
	}
	for p.err == nil {
		elem()
		if p.err != nil {
			return
		}
		if p.pos < len(p.s) {
			switch p.s[p.pos] {
			case ',':
				p.pos++
				continue
			case ']':
				p.pos++
				return
			}
		}
		p.failExpected("',' or ']'")
	}
}

// str parses a quoted string as Nix's parseString does. Without escapes the
// result shares the input's memory.
func (p *parser) str() string {
	start := p.pos
	if p.expect('"'); p.err != nil {
		return ""
	}
	rest := p.s[p.pos:]
	q := strings.IndexByte(rest, '"')
	if q >= 0 && strings.IndexByte(rest[:q], '\\') < 0 {
		p.pos += q + 1
		return rest[:q]
	}
	var b strings.Builder
	b.Grow(max(q, 16))
	for i := p.pos; i < len(p.s); i++ {
		c := p.s[i]
		if c == '"' {
			p.pos = i + 1
			return b.String()
		}
		if c == '\\' && i+1 < len(p.s) {
			i++
			switch c = p.s[i]; c {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			}
		} else if c == '\\' {
			break // a backslash with nothing after it
		}
		b.WriteByte(c)
	}
	p.fail(start, "unterminated string")
	return ""
}

// plain parses a string that Nix writes unescaped, so it must not hold a
// byte that needs escaping. what names it in errors.
func (p *parser) plain(what string) string {
	start := p.pos
	s := p.str()
	if p.err == nil && strings.ContainsAny(s, "\"\\\n\r\t") {
		p.fail(start, "%s %q holds a byte that Nix would not escape", what, s)
	}
	return s
}

// path parses a plain string that must be an absolute path.
func (p *parser) path(what string) string {
	start := p.pos
	s := p.plain(what)
	if p.err == nil && (s == "" || s[0] != '/') {
		p.fail(start, "bad %s %q: must begin with '/'", what, s)
	}
	return s
}

// sorted checks that key, at off, sorts strictly after prev.
func (p *parser) sorted(off int, what, prev, key string) {
	switch {
	case p.err != nil || key > prev:
	case key == prev:
		p.fail(off, "duplicate %s %q", what, key)
	default:
		p.fail(off, "%s %q not sorted after %q", what, key, prev)
	}
}

// strings parses a sorted list of distinct plain strings (or paths).
func (p *parser) strings(what string, paths bool) []string {
	var list []string
	p.list(func() {
		off := p.pos
		var s string
		if paths {
			s = p.path(what)
		} else {
			s = p.plain(what)
		}
		if len(list) > 0 {
			p.sorted(off, what, list[len(list)-1], s)
		}
		list = append(list, s)
	})
	return list
}

func (p *parser) derivation() *Derivation {
	const magic = "Derive("
	if !strings.HasPrefix(p.s, magic) {
		p.fail(0, "expected %q, found %q", magic, p.s[:min(len(p.s), len(magic))])
		return nil
	}
	p.pos = len(magic)
	d := new(Derivation)
	p.list(func() {
		off := p.pos + 1
		o := p.output()
		if len(d.Outputs) > 0 {
			p.sorted(off, "output", d.Outputs[len(d.Outputs)-1].Name, o.Name)
		}
		d.Outputs = append(d.Outputs, o)
	})
	p.expect(',')
	p.list(func() {
		off := p.pos + 1
		p.expect('(')
		in := InputDrv{Path: p.path("input derivation")}
		p.expect(',')
		in.Outputs = p.strings("output name", false)
		p.expect(')')
		if len(d.InputDrvs) > 0 {
			p.sorted(off, "input derivation", d.InputDrvs[len(d.InputDrvs)-1].Path, in.Path)
		}
		d.InputDrvs = append(d.InputDrvs, in)
	})
	p.expect(',')
	d.InputSrcs = p.strings("input source", true)
	p.expect(',')
	d.Platform = p.plain("platform")
	p.expect(',')
	d.Builder = p.str()
	p.expect(',')
	p.list(func() { d.Args = append(d.Args, p.str()) })
	p.expect(',')
	p.list(func() {
		off := p.pos + 1
		p.expect('(')
		e := EnvVar{Name: p.str()}
		p.expect(',')
		e.Value = p.str()
		p.expect(')')
		if len(d.Env) > 0 {
			p.sorted(off, "env variable", d.Env[len(d.Env)-1].Name, e.Name)
		}
		d.Env = append(d.Env, e)
	})
	p.expect(')')
	if p.err == nil && p.pos != len(p.s) {
		p.fail(p.pos, "trailing data after the final ')'")
	}
	return d
}
