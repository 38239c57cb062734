package nixconf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The keys of ../../testdata/vectors (public.key, public2.key).
const (
	testKey1 = "test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs="
	testKey2 = "gbck-1:vjwJQPJcQdsdSxtngRhcgA2yPKaHo1xPGQ99uHi2BOA="
)

// TestEditGolden runs AddTrustedKey (testKey1) and RemoveTrustedKeys (every
// entry named test-key-1) on each testdata/edit/NAME.in and compares the
// results with NAME.add.golden and NAME.remove.golden: the new text, or
// "error: ..." (go test -update rewrites them).
func TestEditGolden(t *testing.T) {
	ins, _ := filepath.Glob("testdata/edit/*.in")
	if len(ins) == 0 {
		t.Fatal("no testdata/edit/*.in")
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			orig := bytes.Clone(data)
			add, err := AddTrustedKey("/etc/nix/nix.conf", data, testKey1)
			golden(t, strings.TrimSuffix(in, ".in")+".add.golden", editResult(add, err))
			if err == nil {
				checkAdded(t, orig, add, testKey1)
			}
			rm, err := RemoveTrustedKeys("/etc/nix/nix.conf", data, func(e string) bool { return strings.HasPrefix(e, "test-key-1:") })
			golden(t, strings.TrimSuffix(in, ".in")+".remove.golden", editResult(rm, err))
			if err == nil && rm.Changed {
				if bytes.Contains(rm.Data, []byte("test-key-1:")) {
					t.Errorf("remove left an entry: %q", rm.Data)
				}
				if _, err := Parse("x", rm.Data); err != nil {
					t.Errorf("remove result does not parse: %v", err)
				}
			}
			if !bytes.Equal(data, orig) {
				t.Fatal("the input was modified")
			}
		})
	}
}

func editResult(ed *KeyEdit, err error) []byte {
	if err != nil {
		return []byte("error: " + err.Error() + "\n")
	}
	return ed.Data
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// checkAdded checks the properties every successful AddTrustedKey has: the
// result parses, lists the key exactly once where it counts, and differs
// from the input in at most one line (edited, or added at the end).
func checkAdded(t *testing.T, old []byte, ed *KeyEdit, key string) {
	t.Helper()
	fk, err := scanKeys("x", ed.Data)
	if err != nil {
		t.Fatalf("result does not parse: %v\n%q", err, ed.Data)
	}
	n := 0
	for _, kl := range fk.keys {
		l := fk.f.Lines[kl.idx]
		for _, tok := range kl.toks {
			if l.Raw[tok.start:tok.end] == key {
				n++
				if n == 1 && l.Num != ed.Line {
					t.Errorf("key on line %d; KeyEdit.Line = %d", l.Num, ed.Line)
				}
			}
		}
	}
	if n != 1 && (ed.Changed || n == 0) {
		t.Fatalf("key listed %d times in %q", n, ed.Data)
	}
	name, _, _ := strings.Cut(key, ":")
	found := false
	for _, e := range fk.list {
		if e.Name == name {
			found = e.Text == key
			break
		}
	}
	if !found {
		t.Fatalf("key does not count in %q", ed.Data)
	}
	if !ed.Changed {
		if !bytes.Equal(ed.Data, old) {
			t.Fatal("unchanged, but the data differs")
		}
		return
	}
	oldLines := strings.Split(string(old), "\n")
	newLines := strings.Split(string(ed.Data), "\n")
	diff := 0
	for i := range oldLines {
		if i >= len(newLines) {
			t.Fatalf("lost line %d", i+1)
		}
		if oldLines[i] != newLines[i] {
			diff++
			if i+1 != ed.Line && !(i == len(oldLines)-1 && oldLines[i] == "" || strings.TrimSuffix(newLines[i], "\r") == strings.TrimSuffix(oldLines[i], "\r")) {
				t.Errorf("line %d changed: %q -> %q", i+1, oldLines[i], newLines[i])
			}
		}
	}
	if diff > 1 {
		t.Errorf("%d lines changed", diff)
	}
}

func TestAddTrustedKeyErrors(t *testing.T) {
	for _, key := range []string{"", "nocolon", ":abc", "my key:abc", "k#1:abc", "k:ab\tc"} {
		if _, err := AddTrustedKey("f", nil, key); err == nil {
			t.Errorf("AddTrustedKey(%q) succeeded", key)
		}
	}
	var ce *KeyConflictError
	_, err := AddTrustedKey("f", nil, "cache.nixos.org-1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	if !errors.As(err, &ce) || ce.Line != 0 || ce.Entry != defaultTrustedKey {
		t.Errorf("conflict with the default: %v", err)
	}
	// After a plain assignment the default is gone.
	ed, err := AddTrustedKey("f", []byte("trusted-public-keys =\n"), "cache.nixos.org-1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	if err != nil || !ed.Changed || ed.Line != 2 {
		t.Errorf("after an empty list: %v, %+v", err, ed)
	}
	ed, err = AddTrustedKey("f", nil, defaultTrustedKey)
	if err != nil || ed.Changed || ed.Line != 0 {
		t.Errorf("adding the default: %v %+v", err, ed)
	}
	var pe *Error
	if _, err := AddTrustedKey("f", []byte("a = b\nx\n"), testKey1); !errors.As(err, &pe) || pe.Line != 2 {
		t.Errorf("syntax error: %v", err)
	}
}

func TestRemoveReportsEntries(t *testing.T) {
	data := []byte("trusted-public-keys = " + testKey1 + " " + testKey2 + "\nextra-trusted-public-keys = " + testKey1 + "\n")
	ed, err := RemoveTrustedKeys("f", data, func(e string) bool { return e == testKey1 })
	if err != nil {
		t.Fatal(err)
	}
	if len(ed.Removed) != 2 || ed.Removed[0].Origin.Line != 1 || ed.Removed[1].Origin.Line != 2 || ed.Removed[0].Name != "test-key-1" {
		t.Errorf("Removed = %+v", ed.Removed)
	}
	if got, want := string(ed.Data), "trusted-public-keys = "+testKey2+"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	ed, err = RemoveTrustedKeys("f", data, func(string) bool { return false })
	if err != nil || ed.Changed || !bytes.Equal(ed.Data, data) {
		t.Errorf("removing nothing: %v %+v", err, ed)
	}
}
