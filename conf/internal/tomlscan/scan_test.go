package tomlscan

import (
	"strings"
	"testing"
)

func TestScan(t *testing.T) {
	src := "\xef\xbb\xbfa = 1 # c\r\n" + // 1
		"\"q.k\" . 'l' = \"\"\"\n" + // 2
		"x\"\"\"\"\n" + // 3
		"[ t . u ]\n" + // 4
		"d = 1979-05-27 07:32:00Z\n" + // 5
		"i = { p = { r = [1, {s = 2}] }, q = '\\' }\n" + // 6
		"[[arr]]\n" + // 7
		"e = \"\\u00e9\\\"\"" // 8, no newline
	stmts, err := Scan([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range stmts {
		s := strings.Join(st.Path, "|")
		switch st.Kind {
		case Table:
			s = "[" + s + "]"
		case ArrayTable:
			s = "[[" + s + "]]"
		case Inline:
			s = "~" + s
		}
		if st.Kind != Table && st.Kind != ArrayTable {
			s += "=" + src[st.ValStart:st.ValEnd]
		}
		if st.Kind != Inline {
			s += "@" + src[st.LineStart:st.End]
		}
		got = append(got, s)
		if st.Line < 1 {
			t.Errorf("%s: line %d", s, st.Line)
		}
	}
	want := []string{
		"a=1@\xef\xbb\xbfa = 1 # c\r\n",
		"q.k|l=\"\"\"\nx\"\"\"\"@\"q.k\" . 'l' = \"\"\"\nx\"\"\"\"\n",
		"[t|u]@[ t . u ]\n",
		"t|u|d=1979-05-27 07:32:00Z@d = 1979-05-27 07:32:00Z\n",
		"t|u|i={ p = { r = [1, {s = 2}] }, q = '\\' }@i = { p = { r = [1, {s = 2}] }, q = '\\' }\n",
		"~t|u|i|p={ r = [1, {s = 2}] }",
		"~t|u|i|p|r=[1, {s = 2}]",
		"~t|u|i|q='\\'",
		"[[arr]]@[[arr]]\n",
		"arr|e=\"\\u00e9\\\"\"@e = \"\\u00e9\\\"\"",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d statements:\n%q", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("statement %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
	if stmts[3].Line != 5 || stmts[9].Line != 8 {
		t.Errorf("lines %d, %d", stmts[3].Line, stmts[9].Line)
	}
	if k, err := unescape([]byte(`\u00e9\U0001F600\t\x41\e`)); err != nil || k != "é😀\tA\x1b" {
		t.Errorf("unescape = %q, %v", k, err)
	}
}

func TestScanRejects(t *testing.T) {
	for _, s := range []string{"a", "a = ", "a = 'x", "[a", "a = 1 b", "a = [1", "a = {b = 1", "a = 1\rb = 2", `"a = 1`, "a = \"\"\"x"} {
		if _, err := Scan([]byte(s)); err == nil {
			t.Errorf("Scan(%q): want error", s)
		}
	}
}

func TestBOMLen(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want int
	}{
		{"", 0}, {"a = 1", 0}, {"\xef\xbb\xbfa = 1", 3}, {"\xef\xbb", 0}, {"\xff\xfea", 2}, {"\xfe\xff", 2},
	} {
		if got := BOMLen([]byte(tt.src)); got != tt.want {
			t.Errorf("BOMLen(%q) = %d, want %d", tt.src, got, tt.want)
		}
	}
}
