package hook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Interop with the real Nix on PATH (CI: Nix 2.8.0), as root.

const (
	nixConfig   = "experimental-features = nix-command flakes\nsandbox = false\nsubstituters ="
	nixConfigCA = "experimental-features = nix-command flakes ca-derivations\nsandbox = false\nsubstituters ="
)

func requireNix(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"nix", "nix-build", "nix-daemon", "nix-store"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not in PATH", bin)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, to build in the real store")
	}
}

// nixCmd runs a Nix command with config and no variable that would send
// it to another daemon, and returns its standard output.
func nixCmd(t *testing.T, config string, args ...string) string {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "NIX_REMOTE" && k != "NIX_DAEMON_SOCKET_PATH" && k != "NIX_CONFIG" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "NIX_CONFIG="+config)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out))
}

// buildCA builds a fresh two-output floating content-addressed derivation
// and returns the .drv and its outputs' paths, sorted.
func buildCA(t *testing.T) (drvPath string, outputs []string) {
	t.Helper()
	name := fmt.Sprintf("nixsign-hook-ca-%d", time.Now().UnixNano())
	drvPath = nixCmd(t, nixConfigCA, "nix-instantiate", "-E", fmt.Sprintf(`derivation {
  name = %q; system = builtins.currentSystem; builder = "/bin/sh";
  __contentAddressed = true; outputHashMode = "recursive"; outputHashAlgo = "sha256";
  outputs = [ "out" "dev" ];
  args = [ "-c" "echo %s > $out; echo dev > $dev" ];
}`, name, name))
	outputs = strings.Fields(nixCmd(t, nixConfigCA, "nix-store", "--realise", drvPath))
	slices.Sort(outputs)
	if len(outputs) != 2 {
		t.Fatalf("nix-store --realise printed %q", outputs)
	}
	return drvPath, outputs
}

// startDaemon runs nix-daemon, with config, on a socket of its own until
// the end of the test.
func startDaemon(t *testing.T, config string) string {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "socket")
	cmd := exec.Command("nix-daemon")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "NIX_DAEMON_SOCKET_PATH=" + sock,
		"NIX_CONF_DIR=" + dir, "NIX_CONFIG=" + config}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return sock
		}
		if time.Now().After(deadline) {
			t.Fatalf("nix-daemon did not listen on %s", sock)
		}
	}
}

// The hook signs both outputs of a floating content-addressed derivation
// that real Nix built, as Nix 2.8.0 runs it (OUT_PATHS empty), in stores
// that know them; a daemon without ca-derivations makes it fail with the
// fix.
func TestInteropFloatingCA(t *testing.T) {
	requireNix(t)
	// nix-daemon --stdio (store "local") inherits the process's
	// environment, where Nix puts its settings for its post-build-hook.
	t.Setenv("NIX_CONFIG", nixConfigCA)
	t.Setenv("NIX_REMOTE", "")
	withCA := startDaemon(t, nixConfigCA)
	withoutCA := startDaemon(t, nixConfig)

	for _, tt := range []struct {
		name   string
		store  string
		socket string
		ok     bool
	}{
		{"local", "local", "", true},
		{"daemon with ca-derivations", "daemon", withCA, true},
		{"daemon without ca-derivations", "daemon", withoutCA, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			drvPath, outputs := buildCA(t)
			cfg := writeFile(t, filepath.Join(t.TempDir(), "config.toml"), fmt.Sprintf("store = %q\n", tt.store))
			vars := map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": "", "NIXSIGN_CONFIG": cfg,
				"NIXSIGN_KEY_FILE": keyFile(t, 0o600), "NIX_CONFIG": nixConfigCA, "PATH": os.Getenv("PATH")}
			if tt.socket != "" {
				vars["NIX_DAEMON_SOCKET_PATH"] = tt.socket
			}
			var o output
			opts := o.options(testEnv(t, vars), nil)
			opts.OpenStore = nil // the real stores
			opts.QueryOutputs = noQuery(t)
			res, err := Run(context.Background(), opts)
			sigs := nixCmd(t, nixConfigCA, "nix", "path-info", "--sigs", outputs[0], outputs[1])
			if !tt.ok {
				if !errors.Is(err, ErrUnknownOutputs) || !strings.Contains(err.Error(), "the daemon does not know the outputs of this floating content-addressed derivation") {
					t.Fatalf("err = %v", err)
				}
				if strings.Contains(sigs, "test-key-1:") {
					t.Errorf("signed anyway:\n%s", sigs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Outputs.From != FromStore || !slices.Equal(res.Outputs.Paths, outputs) || !slices.Equal(res.Signed, outputs) {
				t.Errorf("outputs %+v, signed %q; want %q", res.Outputs, res.Signed, outputs)
			}
			if strings.Count(sigs, " test-key-1:") != 2 {
				t.Errorf("nix path-info --sigs:\n%s", sigs)
			}
		})
	}
}
