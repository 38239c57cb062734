package hook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nixsign/nixsign/conf/config"
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

// With push_to, Options.HandOff is called with the config before the store
// is opened; when it returns, Run signs as usual and fails the push with
// its error. Without push_to, or when the config fails, it is not called.
func TestRunHandOff(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	cfg := writeFile(t, filepath.Join(dir, "config.toml"), "push_to = \"file://"+cache+"\"\n")
	env := testEnv(t, map[string]string{"OUT_PATHS": outA, "NIXSIGN_CONFIG": cfg, "NIXSIGN_KEY_FILE": keyFile(t, 0o600)})
	s := vectorStore(t)

	var o output
	opts := o.options(env, s)
	var opened atomic.Bool
	openStore := func(s store.Store) func(context.Context, string, *store.Options) (store.Store, error) {
		opened.Store(false)
		return func(context.Context, string, *store.Options) (store.Store, error) {
			opened.Store(true)
			return s, nil
		}
	}
	opts.OpenStore = openStore(s)
	var calls []string
	opts.HandOff = func(c *config.Config) error {
		if opened.Load() {
			t.Error("HandOff called after the store was opened")
		}
		calls = append(calls, c.PushTo)
		return errors.New("nixsign-hook hands push_to over to the nixsign binary, and there is none")
	}
	res, err := Run(context.Background(), opts)
	want := outA + " signed but not pushed: push_to in " + cfg + ":1: nixsign-hook hands push_to over to the nixsign binary, and there is none"
	if err == nil || err.Error() != want || !slices.Equal(calls, []string{"file://" + cache}) {
		t.Errorf("err = %v, HandOff calls %q", err, calls)
	}
	var he *Error
	if !errors.As(err, &he) || he.Stage != StagePush || len(res.Pushed) != 0 || len(s.added[outA]) != 1 {
		t.Errorf("err %#v, pushed %q, signatures added %q", err, res.Pushed, s.added[outA])
	}
	if _, err := os.Stat(cache); err == nil {
		t.Error("the cache was created")
	}

	// A store that cannot record signatures: the paths are left unsigned.
	real := filepath.Join(dir, "store")
	writeFile(t, filepath.Join(real, filepath.Base(outA)), "a\n")
	writeFile(t, cfg, "store = \"files\"\npush_to = \"file://"+cache+"\"\n")
	opts.OpenStore = openStore(store.NewFiles("/nix/store", real))
	_, err = Run(context.Background(), opts)
	if err == nil || !strings.HasPrefix(err.Error(), outA+" left unsigned: push_to in "+cfg+":2: nixsign-hook hands") {
		t.Errorf("files store: err = %v", err)
	}

	// No push_to, or a config that does not load: no hand-off.
	calls = nil
	for _, text := range []string{"", "push_to = 1\n"} {
		writeFile(t, cfg, text)
		_, err := Run(context.Background(), opts)
		if text != "" && (!errors.As(err, &he) || he.Stage != StageConfig) {
			t.Errorf("%q: err = %v, want a config error", text, err)
		}
	}
	if len(calls) != 0 {
		t.Errorf("HandOff called for %q", calls)
	}
}
