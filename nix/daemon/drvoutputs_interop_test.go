package daemon

import (
	"bytes"
	"fmt"
	"maps"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// caConfig is nixConfig with the experimental feature ca-derivations.
const caConfig = "experimental-features = nix-command flakes ca-derivations\nsandbox = false\nsubstituters ="

// buildCA builds a fresh floating content-addressed derivation with the
// outputs out and dev in the local store, and returns the .drv and the
// outputs' paths.
func buildCA(t *testing.T) (drvPath string, outputs map[string]string) {
	t.Helper()
	name := fmt.Sprintf("nixsign-daemon-ca-%d", time.Now().UnixNano())
	expr := fmt.Sprintf(`derivation {
  name = %q; system = builtins.currentSystem; builder = "/bin/sh";
  __contentAddressed = true; outputHashMode = "recursive"; outputHashAlgo = "sha256";
  outputs = [ "out" "dev" ];
  args = [ "-c" "echo %s > $out; echo dev > $dev" ];
}`, name, name)
	run := func(args ...string) string {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = nixEnv("NIX_CONFIG=" + caConfig)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return strings.TrimSpace(string(out))
	}
	drvPath = run("nix-instantiate", "-E", expr)
	outputs = map[string]string{}
	for _, p := range strings.Fields(run("nix-store", "--realise", drvPath)) {
		if strings.HasSuffix(p, "-dev") {
			outputs["dev"] = p
		} else {
			outputs["out"] = p
		}
	}
	if len(outputs) != 2 {
		t.Fatalf("nix-store --realise printed %q", outputs)
	}
	return drvPath, outputs
}

// Nix 2.8.0's daemon knows the outputs of a floating content-addressed
// derivation only when its own configuration has ca-derivations; those of
// an input-addressed one it always knows.
func TestInteropQueryDerivationOutputMap(t *testing.T) {
	requireNix(t)
	drvPath, want := buildCA(t)
	top, _ := buildPaths(t)
	topDrv := runNix(t, "nix-store", "-q", "--deriver", top)
	missing := "/nix/store/" + strings.Repeat("1", 32) + "-nixsign-not-there.drv"

	stdio := func(config string) *Client {
		cmd := exec.Command("nix-daemon", "--stdio")
		cmd.Env = nixEnv("NIX_CONFIG=" + config)
		c, err := StartCommand(ctx, cmd, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	socket := func(extra string) *Client {
		sock, _ := startSocketDaemon(t, extra)
		c, err := Dial(ctx, sock, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	for _, tt := range []struct {
		name string
		c    func() *Client
		ca   bool
	}{
		{"stdio with ca-derivations", func() *Client { return stdio(caConfig) }, true},
		{"stdio without", func() *Client { return stdio(nixConfig) }, false},
		{"socket with ca-derivations", func() *Client { return socket("experimental-features = nix-command ca-derivations") }, true},
		{"socket without", func() *Client { return socket("") }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c()
			got, err := c.QueryDerivationOutputMap(ctx, drvPath)
			wantCA := map[string]string{}
			if tt.ca {
				wantCA = want
			}
			if err != nil || !maps.Equal(got, wantCA) {
				t.Errorf("floating CA: got %q, %v, want %q", got, err, wantCA)
			}
			got, err = c.QueryDerivationOutputMap(ctx, topDrv)
			if err != nil || !maps.Equal(got, map[string]string{"out": top}) {
				t.Errorf("input-addressed: got %q, %v, want out: %s", got, err, top)
			}
			got, err = c.QueryDerivationOutputMap(ctx, missing)
			if re, ok := isRemote(err); !ok || !strings.Contains(re.Message, "is not valid") || got != nil {
				t.Errorf("missing .drv: got %q, %v", got, err)
			}
			if ok, err := c.IsValidPath(ctx, drvPath); !ok || err != nil {
				t.Errorf("then IsValidPath = %v, %v", ok, err)
			}
		})
	}
}
