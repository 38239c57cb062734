package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	real := vectorTree(t)
	s := NewFiles("/nix/store", real)
	work := t.TempDir()
	hello := "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"
	tree := "/nix/store/qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree"
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(hello, filepath.Join(work, "result")))                               // absolute, into the store
	must(os.Symlink("result", filepath.Join(work, "chain")))                             // relative, to a link
	must(os.Symlink(filepath.Join(real, filepath.Base(tree)), filepath.Join(work, "r"))) // into the copy
	must(os.Symlink("/etc", filepath.Join(work, "etc")))
	must(os.Symlink("loop", filepath.Join(work, "loop")))
	for _, tt := range []struct{ arg, want, err string }{
		{hello, hello, ""},
		{hello + "/", hello, ""},
		{tree + "/B/x", tree, ""},
		{"/nix/store/../store/" + filepath.Base(hello), hello, ""},
		{filepath.Join(work, "result"), hello, ""},
		{filepath.Join(work, "chain"), hello, ""},
		{filepath.Join(work, "r"), tree, ""},
		{filepath.Join(real, filepath.Base(tree), "B"), tree, ""},
		{filepath.Join(work, "etc"), "", "is not in the Nix store"},
		{filepath.Join(work, "loop"), "", "is not in the Nix store"},
		{"/nix/store", "", "is not in the Nix store"},
		{"/nix/store/not-a-store-path", "", "invalid store path"},
	} {
		got, err := Resolve(s, tt.arg)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Resolve(%q) = %q, %v; want error %q", tt.arg, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tt.arg, got, err, tt.want)
		}
	}
	ps, err := ResolveAll(s, []string{hello, filepath.Join(work, "result"), tree})
	if err != nil || strings.Join(ps, " ") != hello+" "+tree {
		t.Errorf("ResolveAll = %q, %v", ps, err)
	}
}
