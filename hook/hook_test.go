package hook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/sign/secretkey"
)

// The hook adds exactly the signatures Nix's `nix store sign` makes.
func TestRunSignsLikeNix(t *testing.T) {
	s := vectorStore(t)
	var o output
	env := testEnv(t, map[string]string{"OUT_PATHS": devA + "  " + outA + "\n", "NIXSIGN_KEY_FILE": keyFile(t, 0o600)})
	res, err := Run(context.Background(), o.options(env, s))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.added[outA]; !slices.Equal(got, []string{sigOut}) {
		t.Errorf("signatures added to %s: %q, want %q", outA, got, sigOut)
	}
	if got := s.added[devA]; !slices.Equal(got, []string{sigDev}) {
		t.Errorf("signatures added to %s: %q, want %q", devA, got, sigDev)
	}
	want := "signed " + devA + " by test-key-1\nsigned " + outA + " by test-key-1\n"
	if o.stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", o.stdout.String(), want)
	}
	if len(o.info)+len(o.warn) != 0 {
		t.Errorf("diagnostics for a good OUT_PATHS: %q %q", o.info, o.warn)
	}
	if res.Outputs.From != FromOutPaths || res.Key != "test-key-1" || res.Store != "fake" || !s.closed {
		t.Errorf("result %+v (store closed %v)", res, s.closed)
	}

	// Again: nothing to add, and it says so.
	o = output{}
	if _, err := Run(context.Background(), o.options(env, s)); err != nil {
		t.Fatal(err)
	}
	if len(s.added[outA]) != 1 || !strings.HasPrefix(o.stdout.String(), "already signed "+devA+" by test-key-1\n") {
		t.Errorf("second run: added %q, stdout %q", s.added, o.stdout.String())
	}
}

// With recursive, the closure is signed; paths of the closure that were
// signed already are counted on one line.
func TestRunRecursive(t *testing.T) {
	s := vectorStore(t)
	s.infos[hello].Sigs = []string{"test-key-1:vWs7t/wL9KqyOjL2cmwS+x85/+QJP/kzpvGle6gvPxaCZLAADixHoWwsBPH+/LSeDAeDfcm9/EFp8GZ29YHXDw=="}
	cfg := writeFile(t, filepath.Join(t.TempDir(), "config.toml"), "recursive = true\n")
	var o output
	env := testEnv(t, map[string]string{"OUT_PATHS": outA + " " + devA, "NIXSIGN_CONFIG": cfg, "NIXSIGN_KEY_FILE": keyFile(t, 0o600)})
	res, err := Run(context.Background(), o.options(env, s))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signed) != 4 || len(s.added) != 3 || s.added[runSh] == nil {
		t.Errorf("signed %q, added %q", res.Signed, s.added)
	}
	if !strings.Contains(o.stdout.String(), "\n1 more paths of the closure were already signed by test-key-1\n") ||
		strings.Count(o.stdout.String(), "\n") != 4 {
		t.Errorf("stdout:\n%s", o.stdout.String())
	}
}

func TestRunFailures(t *testing.T) {
	good := keyFile(t, 0o600)
	tests := []struct {
		name     string
		vars     map[string]string
		store    func(*fakeStore) *fakeStore
		stage    Stage
		unsigned int
		want     []string // substrings of the error
	}{
		{name: "key too open", vars: map[string]string{"NIXSIGN_KEY_FILE": keyFile(t, 0o644)}, stage: StageKey, unsigned: 2,
			want: []string{" left unsigned: $NIXSIGN_KEY_FILE: ", "has mode 0644", "run: chmod 600 "}},
		{name: "no key", stage: StageKey, unsigned: 2, want: []string{"left unsigned: no signing key configured: "}},
		{name: "store unreachable", vars: map[string]string{"NIXSIGN_KEY_FILE": good},
			store: func(*fakeStore) *fakeStore { return nil }, stage: StageStore, unsigned: 2,
			want: []string{"no socket at /nowhere", `(store = "auto" (the default)): start nix-daemon, or set store = "local"`}},
		{name: "not privileged", vars: map[string]string{"NIXSIGN_KEY_FILE": good},
			store: func(s *fakeStore) *fakeStore {
				s.addErr = fakePrivError{}
				return s
			}, stage: StageSign, unsigned: 2, want: []string{"you are not privileged to add signatures: ", "trusted-users in the daemon's nix.conf"}},
		{name: "read-only store", vars: map[string]string{"NIXSIGN_KEY_FILE": good},
			store: func(s *fakeStore) *fakeStore {
				s.addErr = store.ErrReadOnly
				return s
			}, stage: StageSign, unsigned: 2, want: []string{"store fake cannot record signatures", "set push_to"}},
		{name: "not valid", vars: map[string]string{"NIXSIGN_KEY_FILE": good},
			store: func(s *fakeStore) *fakeStore {
				delete(s.infos, devA)
				return s
			}, stage: StageSign, unsigned: 2, want: []string{"is not valid in the fake store: is store = \"auto\" (the default) the store Nix built in?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := vectorStore(t)
			var st *fakeStore = s
			if tt.store != nil {
				st = tt.store(s)
			}
			vars := map[string]string{"OUT_PATHS": outA + " " + devA}
			for k, v := range tt.vars {
				vars[k] = v
			}
			var o output
			opts := o.options(testEnv(t, vars), nil)
			if st != nil {
				opts = o.options(testEnv(t, vars), st)
			}
			res, err := Run(context.Background(), opts)
			var he *Error
			if !errors.As(err, &he) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if he.Stage != tt.stage || len(he.Unsigned) != tt.unsigned {
				t.Errorf("stage %v, unsigned %q; want %v, %d", he.Stage, he.Unsigned, tt.stage, tt.unsigned)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\nlacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, "UxMD") {
				t.Errorf("error is not one clean line: %q", msg)
			}
			if res.OnError != config.OnErrorFail || len(s.added) != 0 {
				t.Errorf("on_error %q, added %q", res.OnError, s.added)
			}
			if !strings.Contains(he.Warning(), `left unsigned (on_error = "warn"): `) {
				t.Errorf("warning %q", he.Warning())
			}
		})
	}
}

type fakePrivError struct{}

func (fakePrivError) Error() string        { return "nix-daemon: you are not privileged to add signatures" }
func (fakePrivError) Is(target error) bool { return target == store.ErrNotPrivileged }

// on_error and log_file: the log has a line per path, also for failures.
func TestRunWarnAndLog(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "hook.log")
	cfg := writeFile(t, filepath.Join(dir, "config.toml"), "on_error = \"warn\"\nlog_file = \""+log+"\"\n")
	s := vectorStore(t)
	env := testEnv(t, map[string]string{"OUT_PATHS": outA + " " + devA, "NIXSIGN_CONFIG": cfg, "NIXSIGN_KEY_FILE": keyFile(t, 0o640)})
	var o output
	res, err := Run(context.Background(), o.options(env, s))
	if err == nil || res.OnError != config.OnErrorWarn {
		t.Fatalf("err %v, on_error %q", err, res.OnError)
	}
	entries := readLog(t, log)
	if len(entries) != 2 || entries[0].Status != StatusUnsigned || !strings.Contains(entries[0].Error, "has mode 0640") ||
		entries[0].KeySource != "$NIXSIGN_KEY_FILE" || entries[0].Time != "2025-01-02T03:04:05.678Z" {
		t.Errorf("log %+v", entries)
	}

	env.Vars["NIXSIGN_KEY_FILE"] = keyFile(t, 0o600)
	if _, err := Run(context.Background(), o.options(env, s)); err != nil {
		t.Fatal(err)
	}
	entries = readLog(t, log)
	if len(entries) != 4 || entries[2].Status != StatusSigned || entries[3].Path != outA || entries[3].Key != "test-key-1" ||
		entries[3].Store != "fake" || entries[3].OutputsFrom != FromOutPaths {
		t.Errorf("log %+v", entries)
	}
	data, _ := os.ReadFile(log)
	if strings.Contains(string(data), "UxMD") {
		t.Error("the log holds key material")
	}

	// A log that cannot be written is a warning; the paths are signed.
	writeFile(t, cfg, "log_file = \""+filepath.Join(dir, "no", "such", "dir", "log")+"\"\n")
	o = output{}
	if _, err := Run(context.Background(), o.options(env, vectorStore(t))); err != nil {
		t.Fatal(err)
	}
	if len(o.warn) != 1 || !strings.HasPrefix(o.warn[0], "log_file in "+cfg+":1: ") {
		t.Errorf("warnings %q", o.warn)
	}
}

// A malformed config fails whatever on_error would say: it cannot be read.
func TestRunBadConfig(t *testing.T) {
	cfg := writeFile(t, filepath.Join(t.TempDir(), "config.toml"), "on_error = \"warn\"\nkey_fil = \"/k\"\n")
	env := testEnv(t, map[string]string{"OUT_PATHS": outA, "NIXSIGN_CONFIG": cfg})
	var o output
	res, err := Run(context.Background(), o.options(env, vectorStore(t)))
	var he *Error
	if !errors.As(err, &he) || he.Stage != StageConfig || res.OnError != config.OnErrorFail ||
		!strings.Contains(err.Error(), cfg+":2: key_fil: unknown key") {
		t.Errorf("err %v, on_error %q", err, res.OnError)
	}
}

// Key problems are found before the store is asked anything; the store,
// opened in the meantime, is closed.
func TestRunKeyBeforeStore(t *testing.T) {
	s := vectorStore(t)
	var o output
	_, err := Run(context.Background(), o.options(testEnv(t, map[string]string{"OUT_PATHS": outA, "NIXSIGN_KEY_FILE": "/no/such.sec"}), s))
	var fe *secretkey.FileError
	if !errors.As(err, &fe) || fe.Kind != secretkey.Missing {
		t.Errorf("err = %v", err)
	}
	if len(s.added) != 0 || !s.closed || s.queried != 0 {
		t.Errorf("store used (%d queries, added %q) or not closed (%v)", s.queried, s.added, s.closed)
	}
}

func TestErrorMessage(t *testing.T) {
	paths := []string{"/nix/store/a", "/nix/store/b", "/nix/store/c", "/nix/store/d", "/nix/store/e"}
	e := &Error{Stage: StageSign, Unsigned: paths, Err: errors.New("cause")}
	if got, want := e.Error(), "/nix/store/a, /nix/store/b, /nix/store/c and 2 more paths left unsigned: cause"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e = &Error{Stage: StagePush, Unpushed: paths[:1], Err: errors.New("cause")}
	if got, want := e.Warning(), `/nix/store/a signed but not pushed (on_error = "warn"): cause`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e = &Error{Stage: StageOutputs, Err: ErrNotHook}
	if e.Error() != ErrNotHook.Error() || !errors.Is(e, ErrNotHook) {
		t.Errorf("got %q", e.Error())
	}
}

// A run that cannot find the outputs still leaves a line in the log.
func TestRunLogWithoutOutputs(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "hook.log")
	cfg := writeFile(t, filepath.Join(dir, "config.toml"), "log_file = \""+log+"\"\non_error = \"warn\"\n")
	var o output
	res, err := Run(context.Background(), o.options(testEnv(t, map[string]string{"DRV_PATH": "/tmp/x.drv", "NIXSIGN_CONFIG": cfg}), nil))
	if err == nil || res.OnError != config.OnErrorWarn {
		t.Fatalf("err %v, on_error %q", err, res.OnError)
	}
	entries := readLog(t, log)
	if len(entries) != 1 || entries[0].Drv != "/tmp/x.drv" || entries[0].Status != StatusUnsigned || !strings.Contains(entries[0].Error, "DRV_PATH: invalid store path") {
		t.Errorf("log %+v", entries)
	}
}
