package nixconf

import "strings"

// A LineKind says what a line of a nix.conf file does.
type LineKind uint8

// The kinds of line.
const (
	LineBlank           LineKind = iota // nothing but whitespace and a comment
	LineSetting                         // NAME = VALUE...
	LineInclude                         // include PATH
	LineOptionalInclude                 // !include PATH
)

// A File is one nix.conf file (or the NIX_CONFIG variable) as Nix read it.
// Parse fills in only Path and Lines.
type File struct {
	Path  string // as Nix names it: a path (not made absolute), or "NIX_CONFIG"
	Layer Layer
	// From is the include line that brought the file in; the zero Origin
	// for the files Nix reads by itself.
	From Origin
	// Lines are the lines Nix read, in order: Lines[i].Num == i+1. A file
	// that Nix gave up on has fewer lines than its text.
	Lines []Line
	// Err is why Nix ignored the file, or the rest of it, without an error of
	// its own: the file cannot be read (commonly it does not exist), or an
	// include path in it cannot be examined. Nil for a file read in full.
	Err error
}

// A Line is one line of a file, with what it means to Nix. An editor can
// rewrite the line in place: it is Data[Off:Off+len(Raw)] of the file.
type Line struct {
	Num  int    // 1-based
	Off  int    // byte offset of the line in the file
	Raw  string // the line as written, without its '\n' (comment and '\r' included)
	Kind LineKind
	// Name is the setting's name as written (LineSetting).
	Name string
	// Value is the setting's value: the tokens after "=" joined by single
	// spaces (LineSetting); or the path as written (includes).
	Value string
}

// Parse splits the contents of a nix.conf file into lines as Nix 2.8.0 reads
// them, without applying them: it neither follows includes nor checks names
// and values. name is the file's name for error messages. On a malformed
// line it returns a nil File and an *Error.
func Parse(name string, data []byte) (*File, error) {
	f := &File{Path: name, Lines: make([]Line, 0, countLines(data))}
	var err error
	eachLine(string(data), func(l Line, content string) bool {
		if problem := l.parse(content); problem != "" {
			err = syntaxError(name, l.Num, content)
			return false
		}
		f.Lines = append(f.Lines, l)
		return true
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// countLines returns the number of lines in text.
func countLines[T string | []byte](text T) int {
	n := strings.Count(string(text), "\n")
	if len(text) > 0 && text[len(text)-1] != '\n' {
		n++
	}
	return n
}

// eachLine calls fn for each '\n'-separated line of text, with the line's
// content before any '#'. It stops when fn returns false.
func eachLine(text string, fn func(l Line, content string) bool) {
	for off, num := 0, 1; off < len(text); num++ {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += off
		}
		raw := text[off:end]
		content := raw
		if i := strings.IndexByte(raw, '#'); i >= 0 {
			content = raw[:i]
		}
		if !fn(Line{Num: num, Off: off, Raw: raw}, content) {
			return
		}
		off = end + 1
	}
}

// parse fills in the meaning of the line from its content (the text before
// any '#'), or returns a problem when Nix would refuse the line.
func (l *Line) parse(content string) (problem string) {
	first, i := nextToken(content, 0)
	if first == "" {
		l.Kind = LineBlank
		return ""
	}
	second, i := nextToken(content, i)
	if second == "" {
		return "illegal"
	}
	if first == "include" || first == "!include" {
		if third, _ := nextToken(content, i); third != "" {
			return "illegal"
		}
		l.Kind = LineInclude
		if first == "!include" {
			l.Kind = LineOptionalInclude
		}
		l.Value = second
		return ""
	}
	if second != "=" {
		return "illegal"
	}
	l.Kind = LineSetting
	l.Name = first
	l.Value = joinTokens(content[i:])
	return ""
}

func isSep(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// nextToken returns the token of s that starts at or after i (Nix's
// tokenizeString with separators " \t\n\r"), and the index after it; "" at the
// end of s.
func nextToken(s string, i int) (string, int) {
	for i < len(s) && isSep(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSep(s[j]) {
		j++
	}
	return s[i:j], j
}

// joinTokens returns the tokens of s joined by single spaces. It does not
// allocate when s is already in that form, apart from separators at its ends.
func joinTokens(s string) string {
	i, j := 0, len(s)
	for i < j && isSep(s[i]) {
		i++
	}
	for j > i && isSep(s[j-1]) {
		j--
	}
	s = s[i:j]
	clean := true
	for k := 0; k < len(s); k++ {
		if c := s[k]; c != ' ' && isSep(c) || c == ' ' && s[k+1] == ' ' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	forEachToken(s, func(t string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	})
	return b.String()
}

// forEachToken calls fn for each token of s, in order.
func forEachToken(s string, fn func(string)) {
	for i := 0; ; {
		var t string
		if t, i = nextToken(s, i); t == "" {
			return
		}
		fn(t)
	}
}
