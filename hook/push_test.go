package hook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/store"
)

// A store that cannot record signatures (files) still publishes signed
// paths with push_to: the narinfo carries the signature. Without push_to
// the run fails, naming the paths it could not sign.
func TestRunFilesStorePush(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "store")
	dep := "/nix/store/11111111111111111111111111111111-dep"
	top := "/nix/store/22222222222222222222222222222222-top"
	writeFile(t, filepath.Join(real, filepath.Base(dep)), "dep\n")
	writeFile(t, filepath.Join(real, filepath.Base(top)), "uses "+dep+"\n")
	files := store.NewFiles("/nix/store", real)
	cache := filepath.Join(dir, "cache")
	cfg := writeFile(t, filepath.Join(dir, "config.toml"), "store = \"files\"\n")
	env := testEnv(t, map[string]string{"OUT_PATHS": top, "NIXSIGN_CONFIG": cfg, "NIXSIGN_KEY_FILE": keyFile(t, 0o600)})

	var o output
	_, err := Run(context.Background(), o.options(env, files))
	if err == nil || !strings.Contains(err.Error(), top+" left unsigned: store files ("+real+") cannot record signatures (store in "+cfg+":1): ") {
		t.Fatalf("err = %v", err)
	}

	writeFile(t, cfg, "store = \"files\"\npush_to = \"file://"+cache+"\"\n")
	o = output{}
	res, err := Run(context.Background(), o.options(env, files))
	if err != nil {
		t.Fatal(err)
	}
	want := "signed " + top + " by test-key-1 in file://" + cache + "\npushed 2 paths to file://" + cache + " (0 already there)\n"
	if len(res.Pushed) != 2 || o.stdout.String() != want || len(res.Signed) != 1 {
		t.Errorf("pushed %q, stdout %q", res.Pushed, o.stdout.String())
	}
	for _, p := range []string{dep, top} {
		ni, err := os.ReadFile(filepath.Join(cache, filepath.Base(p)[:32]+".narinfo"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(ni), "\nSig: test-key-1:") {
			t.Errorf("%s narinfo lacks the signature:\n%s", p, ni)
		}
	}

	// A cache that cannot be written: the paths are named as not pushed.
	writeFile(t, cfg, "store = \"files\"\npush_to = \"file:///proc/nixsign-cannot-write\"\n")
	_, err = Run(context.Background(), o.options(env, files))
	if err == nil || !strings.Contains(err.Error(), top+" left unsigned: push_to in "+cfg+":2: ") {
		t.Errorf("err = %v", err)
	}

	// With a store that records signatures, a failed push leaves them
	// signed but not pushed.
	s := vectorStore(t)
	writeFile(t, cfg, "push_to = \"file:///proc/nixsign-cannot-write\"\n")
	env.Vars["OUT_PATHS"] = outA
	_, err = Run(context.Background(), o.options(env, s))
	if err == nil || !strings.Contains(err.Error(), outA+" signed but not pushed: push_to in "+cfg+":1: ") || len(s.added[outA]) != 1 {
		t.Errorf("err = %v", err)
	}
}
