package nixconf

import (
	"strings"
	"testing"
)

func TestParseLines(t *testing.T) {
	tests := []struct {
		line  string
		kind  LineKind
		name  string
		value string
	}{
		{"", LineBlank, "", ""},
		{"   \t\r", LineBlank, "", ""},
		{"# comment = x", LineBlank, "", ""},
		{"  # indented", LineBlank, "", ""},
		{"a = b", LineSetting, "a", "b"},
		{"a =", LineSetting, "a", ""},
		{"a =   ", LineSetting, "a", ""},
		{"a = # comment", LineSetting, "a", ""},
		{"a = b c", LineSetting, "a", "b c"},
		{"a=b = c", LineSetting, "a=b", "c"},
		{"= = x", LineSetting, "=", "x"},
		{"\ta\t=\tb \t c\r", LineSetting, "a", "b c"},
		{"a = b  c   d", LineSetting, "a", "b c d"},
		{"a = b#c d", LineSetting, "a", "b"},
		{`a = "b c"`, LineSetting, "a", `"b c"`},
		{"a = b=c", LineSetting, "a", "b=c"},
		{"include x.conf", LineInclude, "", "x.conf"},
		{"  include   /abs/x.conf  # c", LineInclude, "", "/abs/x.conf"},
		{"!include x.conf", LineOptionalInclude, "", "x.conf"},
		{"include =", LineInclude, "", "="},
		{"!include\tx\r", LineOptionalInclude, "", "x"},
	}
	for _, tt := range tests {
		f, err := Parse("nix.conf", []byte(tt.line))
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.line, err)
			continue
		}
		if tt.line == "" {
			if len(f.Lines) != 0 {
				t.Errorf("Parse(%q): %d lines", tt.line, len(f.Lines))
			}
			continue
		}
		l := f.Lines[0]
		if l.Kind != tt.kind || l.Name != tt.name || l.Value != tt.value || l.Raw != tt.line || l.Num != 1 || l.Off != 0 {
			t.Errorf("Parse(%q) = %+v, want kind %d name %q value %q", tt.line, l, tt.kind, tt.name, tt.value)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		text, err, nix string
	}{
		{"a=b\n", "f:1: illegal configuration line 'a=b'", "illegal configuration line 'a=b' in 'f'"},
		{"ok = 1\n\na =b # x\n", "f:3: illegal configuration line 'a =b '", "illegal configuration line 'a =b ' in 'f'"},
		{"word", "f:1: illegal configuration line 'word'", "illegal configuration line 'word' in 'f'"},
		{"include", "f:1: illegal configuration line 'include'", "illegal configuration line 'include' in 'f'"},
		{"include a b\r\n", "f:1: illegal configuration line 'include a b\r'", "illegal configuration line 'include a b\r' in 'f'"},
		{"include = x", "f:1: illegal configuration line 'include = x'", "illegal configuration line 'include = x' in 'f'"},
		{"!include a b", "f:1: illegal configuration line '!include a b'", "illegal configuration line '!include a b' in 'f'"},
		{"a == b", "f:1: illegal configuration line 'a == b'", "illegal configuration line 'a == b' in 'f'"},
	}
	for _, tt := range tests {
		f, err := Parse("f", []byte(tt.text))
		e, ok := err.(*Error)
		if f != nil || !ok || e.Error() != tt.err || e.Nix != tt.nix {
			t.Errorf("Parse(%q) = %v, %q (Nix %q), want error %q (Nix %q)", tt.text, f, err, e.Nix, tt.err, tt.nix)
		}
	}
}

func TestParseOffsets(t *testing.T) {
	text := "a = 1\r\n\n# c\nb = 2 # x\nlast = 3"
	f, err := Parse("f", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Lines) != 5 {
		t.Fatalf("%d lines, want 5", len(f.Lines))
	}
	var raws []string
	for i, l := range f.Lines {
		if l.Num != i+1 || text[l.Off:l.Off+len(l.Raw)] != l.Raw {
			t.Errorf("line %d: %+v", i+1, l)
		}
		raws = append(raws, l.Raw)
	}
	if strings.Join(raws, "\n") != text {
		t.Errorf("lines do not rebuild the text: %q", raws)
	}
	if l := f.Lines[3]; l.Name != "b" || l.Value != "2" || l.Raw != "b = 2 # x" {
		t.Errorf("line 4: %+v", l)
	}
}

func TestJoinTokens(t *testing.T) {
	for in, want := range map[string]string{
		"":            "",
		"  ":          "",
		"a":           "a",
		" a b ":       "a b",
		"a  b":        "a b",
		"a\tb":        "a b",
		"a\r\nb\t\tc": "a b c",
		"\ta b c\r":   "a b c",
	} {
		if got := joinTokens(in); got != want {
			t.Errorf("joinTokens(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { joinTokens(" a b c ") }); n != 0 {
		t.Errorf("joinTokens of a clean value allocates %v times", n)
	}
}
