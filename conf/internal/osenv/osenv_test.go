package osenv

import (
	"os/user"
	"testing"
)

func TestRead(t *testing.T) {
	t.Setenv("OSENV_TEST", "a=b")
	t.Setenv("HOME", "/h")
	vars, home := Read()
	if vars["OSENV_TEST"] != "a=b" || vars["HOME"] != "/h" || home != "/h" {
		t.Errorf("Read = %q, %q", vars["OSENV_TEST"], home)
	}
	// An empty $HOME falls back to the user database.
	t.Setenv("HOME", "")
	_, home = Read()
	if u, err := user.Current(); err == nil && home != u.HomeDir {
		t.Errorf("home = %q with HOME empty, want %q", home, u.HomeDir)
	}
}
