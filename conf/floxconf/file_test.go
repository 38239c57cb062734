package floxconf

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// An edit keeps the mode of the file and, by root, the owner and group of
// another user's file; no temporary file is left.
func TestSetFileKeepsOwner(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "flox.toml")
	if err := os.WriteFile(file, []byte("[publish]\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(file, 12345, 23456); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.Stat(file)
	if _, err := SetFile(file, "/k/one"); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(file)
	bst, ast := before.Sys().(*syscall.Stat_t), after.Sys().(*syscall.Stat_t)
	if ast.Uid != bst.Uid || ast.Gid != bst.Gid || after.Mode() != before.Mode() {
		t.Errorf("after the edit: %d:%d %v, want %d:%d %v", ast.Uid, ast.Gid, after.Mode(), bst.Uid, bst.Gid, before.Mode())
	}

	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
