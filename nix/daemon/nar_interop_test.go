package daemon

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Against the real nix-daemon --stdio: the NAR is exactly what
// `nix-store --dump` writes, its hash is the recorded narHash, and a path
// that is not valid is the daemon's error and a lost connection (Nix
// 2.8.0 fails after STDERR_LAST).
func TestInteropNarFromPath(t *testing.T) {
	requireNix(t)
	c, _ := startStdio(t)
	top, dep := buildPaths(t)
	id := time.Now().UnixNano()
	tree := runNix(t, "nix-build", "--no-out-link", "-E", fmt.Sprintf(`derivation { name = "nixsign-nar-tree-%d"; system = builtins.currentSystem; builder = "/bin/sh";
  args = ["-c" "PATH=/usr/bin:/bin; mkdir -p $out/a/b $out/')' && echo x > $out/'(' && ln -s ')' $out/')'/name && echo -n contents > $out/a/b/type && : > $out/a/empty && head -c 300000 /dev/zero > $out/big && chmod +x $out/big"]; }`, id))
	for _, p := range []string{top, dep, tree} {
		var got bytes.Buffer
		n, err := c.NarFromPath(ctx, p, &got)
		if err != nil {
			t.Fatalf("NarFromPath(%s): %v", p, err)
		}
		cmd := exec.Command("nix-store", "--dump", p)
		cmd.Env = nixEnv()
		want, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(len(want)) || !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%s: NarFromPath gave %d bytes, nix-store --dump %d", p, n, len(want))
		}
		info, ok, err := c.QueryPathInfo(ctx, p)
		sum := sha256.Sum256(want)
		if err != nil || !ok || info.NarHash != hex.EncodeToString(sum[:]) || info.NarSize != uint64(n) {
			t.Fatalf("%s: info %+v, %v, %v; NAR sha256 %x, %d bytes", p, info, ok, err, sum, n)
		}
	}
	missing := "/nix/store/" + strings.Repeat("1", 32) + "-nixsign-not-there"
	_, err := c.NarFromPath(ctx, missing, io.Discard)
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("NarFromPath(missing): %v", err)
	}
	t.Logf("NarFromPath of a missing path: %v", err)
	if _, ok := isRemote(err); ok {
		t.Logf("this daemon refuses cleanly")
		return
	}
	if _, err2 := c.IsValidPath(ctx, top); err2 != err {
		t.Errorf("after the error: %v", err2)
	}
}
