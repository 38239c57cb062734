package trust

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireNix skips the test unless Nix 2.8.x is in PATH (the baseline the
// expectations were observed with).
func requireNix(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not in PATH")
	}
	out, err := exec.Command("nix", "--version").Output()
	if err != nil || !bytes.Contains(out, []byte(" 2.8.")) {
		t.Skipf("the interop tests pin Nix 2.8.x, have %q", out)
	}
}

// A diffCase is one configuration: files under $W (the case's directory)
// and environment variables; "$W" in either is replaced by the directory.
// The defaults are NIX_CONF_DIR=$W/etc, HOME=$W/home, XDG_CONFIG_DIRS=$W/xdg.
type diffCase struct {
	name  string
	files map[string]string
	env   map[string]string
}

const (
	kA = key1
	kB = key2
	kC = "hydra.nixos.org-1:CNHJZBh9K4tP3EKF6FkkgeVYsS3ohTl+oS0Qa8bezVs="
)

var diffCases = []diffCase{
	{name: "no files"},
	{name: "system extra", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys = " + kA + "\n"}},
	{name: "system plain replaces the default", files: map[string]string{"etc/nix.conf": "trusted-public-keys = " + kA + "\n"}},
	{name: "extra before plain", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys = " + kA + "\ntrusted-public-keys = " + kB + "\n"}},
	{name: "extra after plain", files: map[string]string{"etc/nix.conf": "trusted-public-keys = " + kB + "\nextra-trusted-public-keys = " + kA + "\n"}},
	{name: "alias", files: map[string]string{"etc/nix.conf": "binary-cache-public-keys = " + kA + "\n"}},
	{name: "extra alias", files: map[string]string{"etc/nix.conf": "extra-binary-cache-public-keys = " + kA + " " + kB + "\n"}},
	{name: "include relative", files: map[string]string{"etc/nix.conf": "include keys.conf\n", "etc/keys.conf": "extra-trusted-public-keys = " + kA + "\n"}},
	{name: "include absolute", files: map[string]string{"etc/nix.conf": "include $W/other/keys.conf\n", "other/keys.conf": "extra-trusted-public-keys = " + kA + "\n"}},
	{name: "optional include missing", files: map[string]string{"etc/nix.conf": "!include missing.conf\nextra-trusted-public-keys = " + kA + "\n"}},
	{name: "include missing", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys = " + kA + "\ninclude missing.conf\n"}},
	{name: "nested includes", files: map[string]string{"etc/nix.conf": "include a/a.conf\n", "etc/a/a.conf": "include ../b.conf\nextra-trusted-public-keys = " + kA + "\n", "etc/b.conf": "trusted-public-keys = " + kB + "\n"}},
	{name: "plain after include", files: map[string]string{"etc/nix.conf": "include keys.conf\ntrusted-public-keys = " + kC + "\n", "etc/keys.conf": "extra-trusted-public-keys = " + kA + "\n"}},
	{name: "comment inside value", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys = " + kA + " #" + kB + "\n"}},
	{name: "comment glued to key", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys = " + kA + "#" + kB + "\n"}},
	{name: "a=b", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys = " + kA + "\na=b\n"}},
	{name: "= attached", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys =" + kA + "\n"}},
	{name: "duplicate names", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys = " + key1Other + " " + kA + "\n"}},
	{name: "NIX_CONFIG extra", env: map[string]string{"NIX_CONFIG": "extra-trusted-public-keys = " + kA}},
	{name: "NIX_CONFIG plain over system", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys = " + kA + "\n"}, env: map[string]string{"NIX_CONFIG": "sandbox = false\ntrusted-public-keys = " + kB}},
	{name: "NIX_CONFIG error", env: map[string]string{"NIX_CONFIG": "trusted-public-keys " + kB}},
	{name: "user files: first listed wins", files: map[string]string{"u1.conf": "trusted-public-keys = " + kA + "\n", "u2.conf": "trusted-public-keys = " + kB + "\n"}, env: map[string]string{"NIX_USER_CONF_FILES": "$W/u1.conf:$W/u2.conf"}},
	{name: "user files: applied last to first", files: map[string]string{"u1.conf": "extra-trusted-public-keys = " + kA + "\n", "u2.conf": "trusted-public-keys = " + kB + "\n"}, env: map[string]string{"NIX_USER_CONF_FILES": "$W/u1.conf:$W/u2.conf"}},
	{name: "NIX_USER_CONF_FILES empty", files: map[string]string{"home/.config/nix/nix.conf": "extra-trusted-public-keys = " + kA + "\n"}, env: map[string]string{"NIX_USER_CONF_FILES": ""}},
	{name: "XDG_CONFIG_HOME", files: map[string]string{"cfg/nix/nix.conf": "extra-trusted-public-keys = " + kA + "\n", "home/.config/nix/nix.conf": "extra-trusted-public-keys = " + kB + "\n"}, env: map[string]string{"XDG_CONFIG_HOME": "$W/cfg"}},
	{name: "XDG_CONFIG_DIRS order", files: map[string]string{"d1/nix/nix.conf": "extra-trusted-public-keys = " + kA + "\n", "d2/nix/nix.conf": "trusted-public-keys = " + kB + "\n", "home/.config/nix/nix.conf": "extra-trusted-public-keys = " + kC + "\n"}, env: map[string]string{"XDG_CONFIG_DIRS": "$W/d1:$W/d2"}},
	{name: "HOME's user file", files: map[string]string{"home/.config/nix/nix.conf": "extra-trusted-public-keys = " + kA + "\n"}},
	{name: "CRLF", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys = " + kA + "\r\ntrusted-users = root\r\n"}},
	{name: "tabs", files: map[string]string{"etc/nix.conf": "\textra-trusted-public-keys\t=\t" + kA + "\t" + kB + "\t\n"}},
	{name: "empty value empties the list", files: map[string]string{"etc/nix.conf": "trusted-public-keys =\n"}},
	{name: "unknown settings", files: map[string]string{"etc/nix.conf": "extra-foo = bar\nextra-require-sigs = false\nextra-trusted-public-keys = " + kA + "\n"}},
	{name: "bad bool", files: map[string]string{"etc/nix.conf": "require-sigs = maybe\n"}},
	{name: "require-sigs off", files: map[string]string{"etc/nix.conf": "require-sigs = no\nextra-trusted-public-keys = " + kA + "\n"}},
	{name: "three layers", files: map[string]string{"etc/nix.conf": "trusted-public-keys = " + kA + "\n", "home/.config/nix/nix.conf": "extra-trusted-public-keys = " + kB + "\n"}, env: map[string]string{"NIX_CONFIG": "extra-trusted-public-keys = " + kC}},
	{name: "include in a user file", files: map[string]string{"home/.config/nix/nix.conf": "include more.conf\n", "home/.config/nix/more.conf": "extra-trusted-public-keys = " + kA + "\n"}},
	{name: "NIX_CONFIG includes", files: map[string]string{"k.conf": "extra-trusted-public-keys = " + kB + "\n"}, env: map[string]string{"NIX_CONFIG": "include $W/k.conf"}},
	{name: "secret-key-files", files: map[string]string{"etc/nix.conf": "secret-key-files = /nonexistent/key\n"}},
	{name: "malformed entry", files: map[string]string{"etc/nix.conf": "extra-trusted-public-keys = garbage " + kA + "\n"}},
}

// TestClientViewAgainstNix loads each configuration with the checker and
// with `nix show-config --json`: the trusted keys, require-sigs and
// secret-key-files are the same, and the checker reports an error exactly
// where Nix fails.
func TestClientViewAgainstNix(t *testing.T) {
	requireNix(t)
	if len(diffCases) < 30 {
		t.Fatalf("only %d cases", len(diffCases))
	}
	for _, tc := range diffCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := t.TempDir()
			vars := map[string]string{"NIX_CONF_DIR": w + "/etc", "HOME": w + "/home", "XDG_CONFIG_DIRS": w + "/xdg"}
			for k, v := range tc.env {
				vars[k] = strings.ReplaceAll(v, "$W", w)
			}
			for name, data := range tc.files {
				p := filepath.Join(w, name)
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(strings.ReplaceAll(data, "$W", w)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r, err := Check(context.Background(), Options{Store: "local", Machine: Machine{Vars: vars}})
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("nix", "--extra-experimental-features", "nix-command", "show-config", "--json")
			cmd.Dir = w
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
			for k, v := range vars {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, nixErr := cmd.Output()
			if nixErr != nil {
				if len(r.Errors) == 0 {
					t.Fatalf("nix fails (%s); the checker reports no error", stderr.String())
				}
				return
			}
			if len(r.Errors) > 0 {
				t.Fatalf("the checker reports %q; nix accepts the configuration", r.Errors)
			}
			var all map[string]struct{ Value json.RawMessage }
			if err := json.Unmarshal(out, &all); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, e := range r.Config.TrustedPublicKeys {
				keys = append(keys, e.Key)
			}
			got := map[string]string{
				"trusted-public-keys": strings.Join(keys, " "),
				"require-sigs":        map[bool]string{true: "true", false: "false"}[r.Config.RequireSigs],
				"secret-key-files":    strings.Join(r.Config.SecretKeyFiles, " "),
			}
			for name, ours := range got {
				if theirs := jsonText(all[name].Value); theirs != ours {
					t.Errorf("%s: checker %q, nix %q", name, ours, theirs)
				}
			}
		})
	}
}
