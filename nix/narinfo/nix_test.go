package narinfo

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nixsign/nixsign/nix/storepath"
)

// TestNixAgrees feeds every parseCase to real Nix (`nix path-info --json`
// against a file:// cache) and checks that Nix accepts exactly the files
// Parse accepts, and reads the same fields from them.
func TestNixAgrees(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not in PATH")
	}
	base := z45a(t)
	tmp := t.TempDir()
	for i, c := range parseCases(t) {
		t.Run(c.name, func(t *testing.T) {
			in := c.edit(base)
			dir := filepath.Join(tmp, "c"+string(rune('a'+i/26))+string(rune('a'+i%26)))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, "nix-cache-info"), "StoreDir: /nix/store\n")
			write(t, filepath.Join(dir, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo"), in)
			cmd := exec.Command("nix", "path-info", "--json", "--store", "file://"+dir,
				"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt")
			cmd.Env = append(os.Environ(),
				"NIX_CONFIG=experimental-features = nix-command flakes\nsandbox = false\nsubstituters =",
				"XDG_CACHE_HOME="+filepath.Join(tmp, "xdg"))
			out, nixErr := cmd.Output()
			n, err := Parse(storepath.DefaultDir, []byte(in), "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")
			if (err == nil) != (nixErr == nil) {
				t.Fatalf("Parse error %v, but nix error %v", err, nixErr)
			}
			if err != nil {
				return
			}
			var infos []struct {
				Path       string   `json:"path"`
				NarHash    string   `json:"narHash"`
				NarSize    uint64   `json:"narSize"`
				References []string `json:"references"`
				CA         string   `json:"ca"`
				Signatures []string `json:"signatures"`
				URL        string   `json:"url"`
			}
			if err := json.Unmarshal(out, &infos); err != nil || len(infos) != 1 {
				t.Fatalf("nix output %s: %v", out, err)
			}
			got := infos[0]
			if got.Path != n.Path() || got.NarHash != n.NarHash.SRI() || got.NarSize != n.NarSize ||
				!slices.Equal(got.References, n.ReferencePaths()) && len(got.References)+len(n.References) > 0 ||
				got.CA != n.CA || !slices.Equal(got.Signatures, n.Sigs) || got.URL != n.URL {
				t.Errorf("nix read %+v\nParse read %+v", got, n)
			}
		})
	}
}

func write(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
