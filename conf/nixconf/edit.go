package nixconf

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Editing trusted-public-keys
//
// AddTrustedKey and RemoveTrustedKeys rewrite the text of one nix.conf file
// and keep every byte they do not have to change: comments, blank lines,
// the order of lines, includes, '\r' line ends, a missing final newline.
// They look at this file only: what included files or later layers (user
// files, NIX_CONFIG) do to the list is the caller's business.
//
// Given the file
//
//	substituters = https://cache.example.org/
//	extra-trusted-public-keys = gbck-1:qzEUW3+xwsJDLEWBEmPFyxtdOUFiCjcYwWsStexPHm4=   # CI
//
// AddTrustedKey(name, data, "test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=")
// returns it with the second line changed to
//
//	extra-trusted-public-keys = gbck-1:qzEUW3+xwsJDLEWBEmPFyxtdOUFiCjcYwWsStexPHm4= test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=   # CI
//
// and RemoveTrustedKeys with a match for "gbck-1" drops the entry and then,
// as the line would append nothing, the whole line.

// defaultTrustedKey is trusted-public-keys' compiled-in value.
const defaultTrustedKey = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="

// A KeyEdit is the result of AddTrustedKey or RemoveTrustedKeys.
type KeyEdit struct {
	// Data is the new text of the file; the input itself when nothing changed.
	Data    []byte
	Changed bool
	// Line is, for AddTrustedKey, the line of the new text that lists the
	// key: the line it was added to, or the line that already listed it.
	Line int
	// Removed are, for RemoveTrustedKeys, the entries removed, with the
	// lines of the old text they were on.
	Removed []KeyEntry
}

// A KeyConflictError reports that the file already trusts a different key
// with the name of the key to add. Nix keeps the first key of a name, so
// adding the new one would have no effect.
type KeyConflictError struct {
	File  string
	Line  int    // 0 for the compiled-in default
	Entry string // the entry that has the name
	Name  string
}

func (e *KeyConflictError) Error() string {
	at := "the default trusted-public-keys"
	if e.Line > 0 {
		at = e.File + ":" + strconv.Itoa(e.Line)
	}
	return fmt.Sprintf("%s already trusts a different key named %q (%s); Nix keeps the first key of a name", at, e.Name, e.Entry)
}

// keyLine describes a line that sets or extends trusted-public-keys.
type keyLine struct {
	idx    int // index in File.Lines
	extend bool
	toks   []span // the value's tokens, within Line.Raw
	eq     span   // the "=" token
}

type span struct{ start, end int }

// fileKeys is what one file does to trusted-public-keys.
type fileKeys struct {
	f    *File
	keys []keyLine
	// list is the list after the file, starting from the default, with the
	// line (1-based, 0 for the default) each entry came from.
	list []KeyEntry
	// lastBarrier is the index in f.Lines of the last line after which an
	// appended entry might not count: a plain assignment or an include.
	lastBarrier int
}

// scanKeys parses data and follows trusted-public-keys through it.
func scanKeys(name string, data []byte) (*fileKeys, error) {
	f, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	fk := &fileKeys{f: f, lastBarrier: -1}
	fk.list = []KeyEntry{newEntry(defaultTrustedKey, Origin{})}
	for i, l := range f.Lines {
		switch l.Kind {
		case LineInclude, LineOptionalInclude:
			fk.lastBarrier = i
			continue
		case LineSetting:
		default:
			continue
		}
		s, extend := lookup(l.Name)
		if s == nil || s.name != "trusted-public-keys" {
			continue
		}
		kl := keyLine{idx: i, extend: extend}
		toks := tokenSpans(l.Raw)
		kl.eq = toks[1]
		kl.toks = toks[2:]
		fk.keys = append(fk.keys, kl)
		if !extend {
			fk.list = nil
			fk.lastBarrier = i
		}
		for _, t := range kl.toks {
			fk.list = append(fk.list, newEntry(l.Raw[t.start:t.end], Origin{Layer: LayerSystem, File: name, Line: l.Num}))
		}
	}
	return fk, nil
}

// newEntry returns the trusted-public-keys entry text, with its name as
// DefaultPublicKeys gives it.
func newEntry(text string, o Origin) KeyEntry {
	name, _, ok := strings.Cut(text, ":")
	if !ok {
		name = ""
	}
	return KeyEntry{Name: name, Item: Item{Text: text, Origin: o}}
}

// tokenSpans returns the tokens of a line's content (the text before any
// '#').
func tokenSpans(raw string) []span {
	content := raw
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		content = raw[:i]
	}
	var toks []span
	for i := 0; ; {
		for i < len(content) && isSep(content[i]) {
			i++
		}
		if i == len(content) {
			return toks
		}
		j := i
		for j < len(content) && !isSep(content[j]) {
			j++
		}
		toks = append(toks, span{i, j})
		i = j
	}
}

// checkEntry checks that key can stand as one entry of a nix.conf list.
func checkEntry(key string) error {
	name, _, ok := strings.Cut(key, ":")
	switch {
	case !ok || name == "":
		return fmt.Errorf("key %q is not NAME:KEY", key)
	case strings.ContainsAny(key, " \t\r\n"):
		return fmt.Errorf("key %q contains whitespace, which nix.conf splits entries at", key)
	case strings.Contains(key, "#"):
		return fmt.Errorf("key %q contains '#', which starts a comment in nix.conf", key)
	}
	return nil
}

// AddTrustedKey returns the text of the nix.conf file name with key (the
// exact text of one trusted-public-keys entry, "NAME:BASE64") added where it
// counts. The key is appended to the last extra-trusted-public-keys line
// (or its alias extra-binary-cache-public-keys) when no later line of the
// file replaces the list or includes a file; otherwise the line
// "extra-trusted-public-keys = KEY" is added at the end of the file. Nothing
// else changes.
//
// When the file already lists key where it counts, AddTrustedKey changes
// nothing and KeyEdit.Line is that line. When a different entry with the
// key's name comes first (in this file or the compiled-in default) it
// returns a *KeyConflictError. It fails on a file Nix cannot read (an
// *Error), on a key that cannot be one entry of a list, and when the file
// lists key but a later line replaces the list.
func AddTrustedKey(name string, data []byte, key string) (*KeyEdit, error) {
	if err := checkEntry(key); err != nil {
		return nil, err
	}
	fk, err := scanKeys(name, data)
	if err != nil {
		return nil, err
	}
	keyName, _, _ := strings.Cut(key, ":")
	for _, e := range fk.list {
		if e.Name != keyName {
			continue
		}
		if e.Text == key {
			return &KeyEdit{Data: data, Line: e.Origin.Line}, nil
		}
		return nil, &KeyConflictError{File: name, Line: e.Origin.Line, Entry: e.Text, Name: keyName}
	}
	for _, kl := range fk.keys {
		l := fk.f.Lines[kl.idx]
		for _, t := range kl.toks {
			if l.Raw[t.start:t.end] == key {
				return nil, fmt.Errorf("%s:%d lists the key, but a later line replaces the list; edit the file by hand", name, l.Num)
			}
		}
	}
	// Append to the last line if it extends the list and nothing after it
	// can undo that.
	if n := len(fk.keys); n > 0 && fk.keys[n-1].extend && fk.keys[n-1].idx > fk.lastBarrier {
		kl := fk.keys[n-1]
		l := fk.f.Lines[kl.idx]
		at := kl.eq.end
		if n := len(kl.toks); n > 0 {
			at = kl.toks[n-1].end
		}
		at += l.Off
		out := make([]byte, 0, len(data)+1+len(key))
		out = append(out, data[:at]...)
		out = append(out, ' ')
		out = append(out, key...)
		out = append(out, data[at:]...)
		return &KeyEdit{Data: out, Changed: true, Line: l.Num}, nil
	}
	out := slices.Clip(data)
	eol := "\n"
	if n := len(fk.f.Lines); n > 0 && strings.HasSuffix(fk.f.Lines[n-1].Raw, "\r") {
		eol = "\r\n"
	}
	switch {
	case len(data) == 0 || data[len(data)-1] == '\n':
	case eol == "\r\n" && data[len(data)-1] == '\r':
		// A last line ending in '\r' lacks only the '\n' of its CRLF.
		out = append(out, '\n')
	default:
		out = append(out, eol...)
	}
	out = append(out, "extra-trusted-public-keys = "+key+eol...)
	return &KeyEdit{Data: out, Changed: true, Line: countLines(out)}, nil
}

// RemoveTrustedKeys returns the text of the nix.conf file name without the
// entries of trusted-public-keys (under any of its names, plain or extra-)
// for which match reports true. An extra- line left with no entry is
// removed with its comment; a plain line is kept, as
// "trusted-public-keys =" still empties the list. Nothing else changes.
func RemoveTrustedKeys(name string, data []byte, match func(entry string) bool) (*KeyEdit, error) {
	fk, err := scanKeys(name, data)
	if err != nil {
		return nil, err
	}
	ed := &KeyEdit{Data: data}
	var out []byte
	last := 0 // data[:last] is in out
	for _, kl := range fk.keys {
		l := fk.f.Lines[kl.idx]
		var cut []span
		for _, t := range kl.toks {
			if text := l.Raw[t.start:t.end]; match(text) {
				ed.Removed = append(ed.Removed, newEntry(text, Origin{Layer: LayerSystem, File: name, Line: l.Num}))
				cut = append(cut, t)
			}
		}
		if len(cut) == 0 {
			continue
		}
		if kl.extend && len(cut) == len(kl.toks) {
			end := l.Off + len(l.Raw)
			if end < len(data) {
				end++ // the '\n'
			}
			out = append(out, data[last:l.Off]...)
			last = end
			continue
		}
		// Remove each token with the separators before it.
		prev := kl.eq.end
		ci := 0
		for _, t := range kl.toks {
			if ci < len(cut) && cut[ci] == t {
				out = append(out, data[last:l.Off+prev]...)
				last = l.Off + t.end
				ci++
			}
			prev = t.end
		}
	}
	if len(ed.Removed) == 0 {
		return ed, nil
	}
	out = append(out, data[last:]...)
	ed.Data, ed.Changed = out, true
	return ed, nil
}
