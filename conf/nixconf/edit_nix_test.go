package nixconf

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEditAgainstNix loads each edited golden file (testdata/edit/*.golden)
// with real Nix 2.8.0 as the system nix.conf: after an add, Nix trusts the
// key; after a remove, it does not; and Nix's list equals Load's.
func TestEditAgainstNix(t *testing.T) {
	requireNix28(t)
	goldens, _ := filepath.Glob("testdata/edit/*.golden")
	for _, g := range goldens {
		data, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(string(data), "error: ") {
			continue
		}
		t.Run(filepath.Base(g), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "nix.conf"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("nix", "--extra-experimental-features", "nix-command", "show-config", "--json")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "NIX_CONF_DIR=" + dir, "NIX_USER_CONF_FILES="}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("nix: %v", err)
			}
			var all map[string]struct{ Value json.RawMessage }
			if err := json.Unmarshal(out, &all); err != nil {
				t.Fatal(err)
			}
			var keys []string
			if err := json.Unmarshal(all["trusted-public-keys"].Value, &keys); err != nil {
				t.Fatal(err)
			}
			added := strings.HasSuffix(g, ".add.golden")
			if slices.Contains(keys, testKey1) != added {
				t.Errorf("Nix's trusted-public-keys %q; want test-key-1 listed: %v", keys, added)
			}
			cfg, err := Load(Env{Vars: map[string]string{"NIX_CONF_DIR": dir, "HOME": dir, "NIX_USER_CONF_FILES": ""}})
			if err != nil {
				t.Fatal(err)
			}
			v, _ := cfg.Get("trusted-public-keys")
			if v.Text != strings.Join(keys, " ") {
				t.Errorf("Load: %q; Nix: %q", v.Text, keys)
			}
		})
	}
}
