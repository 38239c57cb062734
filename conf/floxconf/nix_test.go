package floxconf

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNixSecretKeyParam shows with real Nix what Validate warns about: flox
// hands the key path to `nix copy --to URL?secret-key=PATH` through a form
// encoder (Rust's url crate, like Go's url.QueryEscape, writes a space as
// '+'), and Nix does not decode '+'; a relative path is opened from the
// working directory; "~" is not expanded.
func TestNixSecretKeyParam(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	dir := t.TempDir()
	nix := func(wd string, env []string, args ...string) (string, error) {
		cmd := exec.Command("nix", args...)
		cmd.Dir = wd
		cmd.Env = append(os.Environ(), "NIX_CONFIG=experimental-features = nix-command\nsubstituters =\nsandbox = false")
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	keyDir := filepath.Join(dir, "key dir")
	os.Mkdir(keyDir, 0o700)
	key, err := exec.Command("nix", "--extra-experimental-features", "nix-command", "key", "generate-secret", "--key-name", "t").Output()
	if err != nil {
		t.Skip("nix key generate-secret:", err)
	}
	keyFile := filepath.Join(keyDir, "k.sec")
	os.WriteFile(keyFile, key, 0o600)
	os.WriteFile(filepath.Join(dir, "f.txt"), []byte("hi\n"), 0o644)
	store := filepath.Join(dir, "store")
	out, err := nix(dir, nil, "--store", store, "store", "add-file", "./f.txt")
	if err != nil {
		t.Skip("cannot use a chroot store:", out)
	}
	path := strings.TrimSpace(out)
	copyTo := func(wd string, env []string, cache, secretKey string) (string, error) {
		u := "file://" + filepath.Join(dir, cache) + "?secret-key=" + url.QueryEscape(secretKey)
		return nix(wd, env, "copy", "--from", store, "--to", u, path)
	}

	// A space: Nix opens the path with '+' instead, just as Validate says.
	warnings, _ := Validate(keyFile, Source{})
	if len(warnings) != 1 {
		t.Fatalf("no warning for %q", keyFile)
	}
	out, err = copyTo(dir, nil, "c1", keyFile)
	plus := strings.ReplaceAll(keyFile, " ", "+")
	if err == nil || !strings.Contains(out, "'"+plus+"'") || !strings.Contains(warnings[0], plus) {
		t.Errorf("nix copy with a space in secret-key: err=%v\n%s", err, out)
	}

	// A relative path is opened from the working directory.
	if out, err := copyTo(keyDir, nil, "c2", "k.sec"); err != nil {
		t.Errorf("relative secret-key from its directory: %v\n%s", err, out)
	}
	if out, err := copyTo(dir, nil, "c3", "k.sec"); err == nil {
		t.Errorf("relative secret-key from elsewhere succeeded:\n%s", out)
	}

	// "~" is not expanded.
	if out, err := copyTo(dir, []string{"HOME=" + keyDir}, "c4", "~/k.sec"); err == nil || !strings.Contains(out, "'~/k.sec'") {
		t.Errorf("~ in secret-key: err=%v\n%s", err, out)
	}
}
