package nixconf

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addEditSeeds(f *testing.F) {
	ins, _ := filepath.Glob("testdata/edit/*.in")
	for _, in := range ins {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "test-key-1")
	}
	f.Add([]byte("extra-trusted-public-keys = x:y\ninclude a\n"), "x")
	f.Add([]byte("binary-cache-public-keys = \r\n"), "cache.nixos.org-1")
}

// FuzzAddTrustedKey checks that AddTrustedKey never panics and that on
// success the result parses, lists the key exactly once where it counts
// (when the input did not list it) and keeps every other line.
func FuzzAddTrustedKey(f *testing.F) {
	addEditSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		key := name + ":E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs="
		orig := bytes.Clone(data)
		ed, err := AddTrustedKey("f", data, key)
		if !bytes.Equal(data, orig) {
			t.Fatal("input modified")
		}
		if err != nil {
			if ed != nil {
				t.Fatal("error with a result")
			}
			return
		}
		checkAdded(t, orig, ed, key)
		// Adding again changes nothing.
		again, err := AddTrustedKey("f", ed.Data, key)
		if err != nil || again.Changed || again.Line != ed.Line {
			t.Fatalf("second add: %v %+v", err, again)
		}
	})
}

// FuzzRemoveTrustedKeys checks that RemoveTrustedKeys never panics, that
// the result parses and lists no matching entry, and that lines which are
// not trusted-public-keys lines are kept.
func FuzzRemoveTrustedKeys(f *testing.F) {
	addEditSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		match := func(e string) bool { n, _, _ := strings.Cut(e, ":"); return n == name }
		ed, err := RemoveTrustedKeys("f", data, match)
		if err != nil {
			if _, perr := Parse("f", data); perr == nil {
				t.Fatalf("remove failed on a file that parses: %v", err)
			}
			return
		}
		fk, err := scanKeys("f", ed.Data)
		if err != nil {
			t.Fatalf("result does not parse: %v", err)
		}
		for _, kl := range fk.keys {
			l := fk.f.Lines[kl.idx]
			for _, tok := range kl.toks {
				if match(l.Raw[tok.start:tok.end]) {
					t.Fatalf("entry left on line %d: %q", l.Num, l.Raw)
				}
			}
		}
		old, _ := scanKeys("f", data)
		var keep []string
		isKey := map[int]bool{}
		for _, kl := range old.keys {
			isKey[kl.idx] = true
		}
		for i, l := range old.f.Lines {
			if !isKey[i] {
				keep = append(keep, l.Raw)
			}
		}
		var got []string
		isKey = map[int]bool{}
		for _, kl := range fk.keys {
			isKey[kl.idx] = true
		}
		for i, l := range fk.f.Lines {
			if !isKey[i] {
				got = append(got, l.Raw)
			}
		}
		if strings.Join(got, "\n") != strings.Join(keep, "\n") {
			t.Fatalf("other lines changed:\n%q\n%q", keep, got)
		}
	})
}
