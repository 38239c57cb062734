package hook

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

// caDrvText is a two-output floating content-addressed derivation made by
// Nix 2.8.0: its outputs have no path.
const caDrvText = `Derive([("dev","","r:sha256",""),("out","","r:sha256","")],[],[],"x86_64-linux","/bin/sh",["-c","echo rec4367 > $out; echo dev rec4367 > $dev"],[("builder","/bin/sh"),("dev","/02qcpld1y6xhs5gz9bchpxaw0xdhmsp5dv88lh25r2ss44kh8dxz"),("name","nixsign-ca-rec4367"),("out","/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9"),("outputHashAlgo","sha256"),("outputHashMode","recursive"),("outputs","out dev"),("system","x86_64-linux")])`

// caOutputStore is a fake store that answers DerivationOutputs, as the
// daemon stores do.
type caOutputStore struct {
	*fakeStore
	outputs map[string]string
	err     error
	asked   int
}

func (s *caOutputStore) DerivationOutputs(_ context.Context, drvPath string) (map[string]string, error) {
	s.asked++
	return s.outputs, s.err
}

var _ store.DerivationOutputser = (*caOutputStore)(nil)

// caFixture writes the derivation into a temporary store dir and returns
// the hook's environment (no OUT_PATHS, as Nix 2.8.0), the .drv, its two
// outputs and a store that holds them (NAR hashes and sizes as Nix 2.8.0
// recorded them) and knows their paths.
func caFixture(t *testing.T, name string) (vars map[string]string, drvPath, out, dev string, s *caOutputStore) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	drvPath = writeFile(t, dir+"/vj190crfdpr3w7l356zh97y01j2r8lz6-nixsign-ca-rec4367.drv", caDrvText)
	out = dir + "/4cdfij6igxpqlk08z9rbhgg2ywlg2i5y-nixsign-ca-rec4367"
	dev = dir + "/f1mnbf50v3g6fv3mv9ivbr6by3d23vx6-nixsign-ca-rec4367-dev"
	fs := &fakeStore{name: name, dir: dir, infos: map[string]*sign.PathInfo{}, added: map[string][]string{}}
	for p, h := range map[string]string{out: "sha256-h24CSfnx2prb25ta5wb9JKZG6IyUe4Sj/NJtoSTtR+w=", dev: "sha256-YLwvw4iGnSHmIXhLej8PRaV35wITxt/xpFABXc5vOIs="} {
		sp, err := storepath.Parse(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		nh, err := hash.Parse(h)
		if err != nil {
			t.Fatal(err)
		}
		fs.infos[p] = &sign.PathInfo{Path: sp, NarHash: nh, NarSize: 120, Ultimate: true}
	}
	s = &caOutputStore{fakeStore: fs, outputs: map[string]string{"dev": dev, "out": out}}
	vars = map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": "", "NIX_STORE_DIR": dir, "NIXSIGN_KEY_FILE": keyFile(t, 0o600)}
	return vars, drvPath, out, dev, s
}

// noQuery is Options.QueryOutputs for runs that must not fall back to it.
func noQuery(t *testing.T) QueryOutputs {
	return func(context.Context, string) ([]string, error) {
		t.Error("QueryOutputs called")
		return nil, errors.New("no")
	}
}

// The outputs of a floating content-addressed derivation come from the
// store the hook signs in, asked once, after the key passed.
func TestRunFloatingCA(t *testing.T) {
	vars, drvPath, out, dev, s := caFixture(t, "daemon")
	var o output
	opts := o.options(testEnv(t, vars), s)
	opts.QueryOutputs = noQuery(t)
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if s.asked != 1 || len(s.added[out]) != 1 || len(s.added[dev]) != 1 {
		t.Errorf("asked %d times, added %q", s.asked, s.added)
	}
	if res.Outputs.From != FromStore || !slices.Equal(res.Outputs.Paths, []string{out, dev}) || !slices.Equal(res.Signed, []string{out, dev}) {
		t.Errorf("result %+v, outputs %+v", res, res.Outputs)
	}
	wantInfo := "OUT_PATHS is empty (Nix bug NixOS/nix#6446 in 2.8.0, #14287 in rebuilds on 2.30-2.31): signing the outputs the store records for " + drvPath
	if !slices.Equal(o.info, []string{wantInfo}) || len(o.warn) != 0 {
		t.Errorf("info %q, warnings %q", o.info, o.warn)
	}
	if want := "signed " + out + " by test-key-1\nsigned " + dev + " by test-key-1\n"; o.stdout.String() != want {
		t.Errorf("stdout %q", o.stdout.String())
	}

	// A fixed Nix passes OUT_PATHS: nothing is asked.
	vars["OUT_PATHS"] = out + " " + dev
	s.asked = 0
	if _, err := Run(context.Background(), o.options(testEnv(t, vars), s)); err != nil || s.asked != 0 {
		t.Errorf("with OUT_PATHS: %v, asked %d", err, s.asked)
	}
}

// An input-addressed derivation's outputs are in its .drv: the store is
// not asked for them.
func TestRunInputAddressedNotAsked(t *testing.T) {
	dir, drvPath, out, dev := drvStore(t)
	fs := vectorStore(t)
	fs.dir = dir
	for _, p := range []string{outA, devA} {
		fs.infos[dir+p[len("/nix/store"):]] = fs.infos[p] // the same path in dir
	}
	s := &caOutputStore{fakeStore: fs, err: errors.New("asked")}
	var o output
	opts := o.options(testEnv(t, map[string]string{"DRV_PATH": drvPath, "NIX_STORE_DIR": dir, "NIXSIGN_KEY_FILE": keyFile(t, 0o600)}), s)
	opts.QueryOutputs = noQuery(t)
	res, err := Run(context.Background(), opts)
	if err != nil || s.asked != 0 || res.Outputs.From != FromDrv || !slices.Equal(res.Outputs.Paths, []string{dev, out}) {
		t.Errorf("err %v, asked %d, outputs %+v", err, s.asked, res.Outputs)
	}
}

func TestRunFloatingCAFailures(t *testing.T) {
	tests := []struct {
		name    string
		store   string // the store's name
		outputs map[string]string
		err     error
		stage   Stage
		want    string // the error after "DRV (outputs dev, out) left unsigned: "
	}{
		{name: "daemon without ca-derivations", store: "daemon", outputs: map[string]string{}, stage: StageOutputs,
			want: `output "dev": the daemon does not know the outputs of this floating content-addressed derivation: ` +
				`enable ca-derivations in the experimental-features of the nix.conf the daemon reads, and restart it ` +
				`(or, when the hook runs as the store's owner, set store = "local" in nixsign's config; now store = "auto" (the default))`},
		{name: "local without ca-derivations", store: "local", outputs: map[string]string{}, stage: StageOutputs,
			want: `output "dev": nix-daemon --stdio (store "local") does not know the outputs of this floating content-addressed derivation: ` +
				`it inherits the hook's environment: enable ca-derivations in the experimental-features of NIX_CONFIG or of the nix.conf it reads`},
		{name: "ssh-ng without ca-derivations", store: "ssh-ng://builder", outputs: map[string]string{}, stage: StageOutputs,
			want: `output "dev": the nix-daemon of ssh-ng://builder does not know the outputs of this floating content-addressed derivation: ` +
				`enable ca-derivations in the experimental-features of the nix.conf it reads on that machine`},
		{name: "no realisation", store: "daemon", outputs: map[string]string{"dev": "", "out": ""}, stage: StageOutputs,
			want: `output "dev": the daemon store has no record of its path (no realisation of this floating content-addressed derivation's output): ` +
				`is store = "auto" (the default) the store Nix built in?`},
		{name: "one output unknown", store: "daemon", outputs: map[string]string{"dev": "DEV"}, stage: StageOutputs,
			want: `output "out": the daemon does not know`},
		{name: "drv not in the store", store: "daemon", err: &store.NotValidError{Path: "/nix/store/x.drv", Store: "daemon"}, stage: StageStore,
			want: `asking for the outputs: path '/nix/store/x.drv' is not valid in the daemon store: is store = "auto" (the default) the store Nix built in?`},
		{name: "daemon gone", store: "daemon", err: &store.UnavailableError{Store: "daemon", Err: errors.New("nix-daemon QueryDerivationOutputMap: connection closed by the daemon")},
			stage: StageStore, want: `asking for the outputs: nix-daemon QueryDerivationOutputMap: connection closed by the daemon (store = "auto" (the default)): start nix-daemon`},
		{name: "wrong name", store: "daemon", outputs: map[string]string{"dev": "OUT", "out": "OUT"}, stage: StageStore,
			want: `the daemon store gives output "dev" a wrong path: OUT is not named nixsign-ca-rec4367-dev`},
		{name: "outside the store", store: "daemon", outputs: map[string]string{"dev": "/tmp/x", "out": "OUT"}, stage: StageStore,
			want: `the daemon store gives output "dev" a wrong path: `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars, drvPath, out, dev, s := caFixture(t, tt.store)
			s.err = tt.err
			s.outputs = map[string]string{}
			for k, v := range tt.outputs {
				s.outputs[k] = strings.NewReplacer("DEV", dev, "OUT", out).Replace(v)
			}
			var o output
			opts := o.options(testEnv(t, vars), s)
			opts.QueryOutputs = noQuery(t)
			_, err := Run(context.Background(), opts)
			var he *Error
			if !errors.As(err, &he) || he.Stage != tt.stage || len(s.added) != 0 {
				t.Fatalf("err %v, added %q", err, s.added)
			}
			want := strings.NewReplacer("DRV", drvPath, "DEV", dev, "OUT", out).Replace(tt.want)
			msg := err.Error()
			if prefix := drvPath + " (outputs dev, out) left unsigned: "; !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, want) {
				t.Errorf("error %q\nwant %q", msg, prefix+want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("not one line: %q", msg)
			}
			if errors.Is(err, ErrUnknownOutputs) != (tt.stage == StageOutputs) {
				t.Errorf("errors.Is(err, ErrUnknownOutputs) = %v", errors.Is(err, ErrUnknownOutputs))
			}
		})
	}
}

// A store that cannot say (files, a binary cache) falls back to
// QueryOutputs, `nix-store --query --outputs` by default.
func TestRunFloatingCAFallback(t *testing.T) {
	vars, drvPath, out, dev, s := caFixture(t, "files")
	var o output
	opts := o.options(testEnv(t, vars), s.fakeStore) // not a DerivationOutputser
	asked := 0
	opts.QueryOutputs = func(_ context.Context, p string) ([]string, error) {
		asked++
		if p != drvPath {
			t.Errorf("asked for %s", p)
		}
		return []string{out, dev}, nil
	}
	res, err := Run(context.Background(), opts)
	if err != nil || asked != 1 || !slices.Equal(res.Signed, []string{out, dev}) {
		t.Fatalf("err %v, asked %d, signed %q", err, asked, res.Signed)
	}

	// What Nix 2.8.0's nix-store says.
	opts.QueryOutputs = func(context.Context, string) ([]string, error) {
		return nil, errors.New("nix-store --query --outputs: error: Cannot use output path of floating content-addressed derivation until we know what it is (e.g. by building it)")
	}
	_, err = Run(context.Background(), opts)
	want := drvPath + " (outputs dev, out) left unsigned: " + drvPath + ": outputs: nix-store --query --outputs: error: Cannot use output path" +
		" of floating content-addressed derivation until we know what it is (e.g. by building it); and the files store cannot tell a derivation's outputs:" +
		` unsupported operation: sign in a store that can tell (store = "daemon" or "local" in nixsign's config)`
	if err == nil || err.Error() != want {
		t.Errorf("err %v\nwant %s", err, want)
	}
	var he *Error
	if !errors.Is(err, ErrUnknownOutputs) || !errors.As(err, &he) || he.Stage != StageOutputs {
		t.Errorf("err %#v: not an ErrUnknownOutputs at stage outputs", err)
	}
}

// When the store cannot tell and nix-store cannot either, the run fails
// with ErrUnknownOutputs, and the fix fits the store: Nix 2.4 or later for
// a daemon too old to be asked, another store for files and file://.
func TestRunFloatingCACannotTell(t *testing.T) {
	const nixStoreErr = "nix-store --query --outputs: error: Cannot use output path of floating content-addressed derivation until we know what it is (e.g. by building it)"
	query := func(context.Context, string) ([]string, error) { return nil, errors.New(nixStoreErr) }
	old := fmt.Errorf("nix-daemon QueryDerivationOutputMap: needs protocol 1.22 (Nix 2.4), the daemon speaks 1.21: %w", errors.ErrUnsupported)
	for _, tt := range []struct {
		store   string
		daemon  bool   // a DerivationOutputser (that fails with old)
		want    string // the end of the message
		notWant string
	}{
		{"daemon", true, "needs protocol 1.22 (Nix 2.4), the daemon speaks 1.21: unsupported operation: " +
			"upgrade the nix-daemon of the daemon store to Nix 2.4 or later, with ca-derivations in its experimental-features", `store = "daemon"`},
		{"ssh-ng://builder", true, "upgrade the nix-daemon of the ssh-ng://builder store to Nix 2.4 or later, with ca-derivations in its experimental-features", `store = "daemon"`},
		{"file:///cache", false, `; and the file:///cache store cannot tell a derivation's outputs: unsupported operation: ` +
			`sign in a store that can tell (store = "daemon" or "local" in nixsign's config)`, "Nix 2.4"},
		{"files", false, `sign in a store that can tell (store = "daemon" or "local" in nixsign's config)`, "Nix 2.4"},
	} {
		t.Run(tt.store, func(t *testing.T) {
			vars, drvPath, _, _, s := caFixture(t, tt.store)
			s.err = old
			var o output
			opts := o.options(testEnv(t, vars), s.fakeStore)
			if tt.daemon {
				opts = o.options(testEnv(t, vars), s)
			}
			opts.QueryOutputs = query
			_, err := Run(context.Background(), opts)
			var he *Error
			if !errors.As(err, &he) || he.Stage != StageOutputs || !errors.Is(err, ErrUnknownOutputs) {
				t.Fatalf("err %v: not an ErrUnknownOutputs at stage outputs", err)
			}
			msg := err.Error()
			prefix := drvPath + " (outputs dev, out) left unsigned: " + drvPath + ": outputs: " + nixStoreErr + "; and "
			if !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, tt.want) || strings.Contains(msg, tt.notWant) || strings.Contains(msg, "\n") {
				t.Errorf("error %q\nwant %q...%q", msg, prefix, tt.want)
			}
			if tt.daemon != (s.asked == 1) || len(s.added) != 0 {
				t.Errorf("asked %d, added %q", s.asked, s.added)
			}
		})
	}
}

// A failure before the store is asked names the derivation's outputs, and
// logs one line for the derivation.
func TestRunFloatingCAKeyFailure(t *testing.T) {
	vars, drvPath, _, _, s := caFixture(t, "daemon")
	log := filepath.Join(t.TempDir(), "hook.log")
	vars["NIXSIGN_CONFIG"] = writeFile(t, filepath.Join(t.TempDir(), "config.toml"), fmt.Sprintf("log_file = %q\n", log))
	vars["NIXSIGN_KEY_FILE"] = keyFile(t, 0o644)
	var o output
	_, err := Run(context.Background(), o.options(testEnv(t, vars), s))
	if err == nil || !strings.HasPrefix(err.Error(), drvPath+" (outputs dev, out) left unsigned: $NIXSIGN_KEY_FILE: ") || s.asked != 0 {
		t.Fatalf("err %v, asked %d", err, s.asked)
	}
	entries := readLog(t, log)
	if len(entries) != 1 || entries[0].Drv != drvPath || entries[0].Path != "" || entries[0].Status != StatusUnsigned ||
		entries[0].OutputsFrom != FromStore || !strings.Contains(entries[0].Error, "has mode 0644") {
		t.Errorf("log %+v", entries)
	}
}

func TestErrorOutputs(t *testing.T) {
	e := &Error{Stage: StageKey, Drv: "/nix/store/x.drv", Outputs: []string{"out"}, Err: errors.New("boom")}
	if got := e.Error(); got != "/nix/store/x.drv (output out) left unsigned: boom" {
		t.Errorf("Error() = %q", got)
	}
	e.Unsigned = []string{"/nix/store/a"}
	e.Outputs = []string{"dev", "out"}
	if got := e.Warning(); got != `/nix/store/a, /nix/store/x.drv (outputs dev, out) left unsigned (on_error = "warn"): boom` {
		t.Errorf("Warning() = %q", got)
	}
	if len(e.Unsigned) != 1 {
		t.Errorf("Unsigned changed: %q", e.Unsigned)
	}
}
