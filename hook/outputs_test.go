package hook

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/drv"
)

// drvStore copies sigtest-a.drv (made by Nix 2.8.0) into a temporary store
// dir, with its paths moved there, and returns the dir, the .drv path and
// the two output paths (out, dev).
func drvStore(t testing.TB) (dir, drvPath, out, dev string) {
	t.Helper()
	data, err := os.ReadFile(vectors + "sigtest-a.drv")
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "store")
	moved := strings.ReplaceAll(string(data), "/nix/store/", dir+"/")
	drvPath = writeFile(t, filepath.Join(dir, "509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv"), moved)
	return dir, drvPath, dir + outA[len("/nix/store"):], dir + devA[len("/nix/store"):]
}

func TestFindOutputs(t *testing.T) {
	dir, drvPath, out, dev := drvStore(t)
	other := dir + "/00000000000000000000000000000000-other"
	tests := []struct {
		name    string
		env     map[string]string
		from    string
		paths   []string
		stale   bool
		why     string // substring of Why
		wantErr string
	}{
		{name: "empty OUT_PATHS (Nix 2.8.0)", env: map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": ""},
			from: FromDrv, paths: []string{dev, out}, why: "OUT_PATHS is empty (Nix bug NixOS/nix#6446"},
		{name: "no OUT_PATHS", env: map[string]string{"DRV_PATH": drvPath},
			from: FromDrv, paths: []string{dev, out}, why: "OUT_PATHS is empty"},
		{name: "blank OUT_PATHS", env: map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": " \n\t"},
			from: FromDrv, paths: []string{dev, out}},
		{name: "good OUT_PATHS", env: map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": out + " " + dev},
			from: FromOutPaths, paths: []string{dev, out}},
		{name: "whitespace and repeats", env: map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": "\n" + dev + "\t\t" + out + "  " + dev + "/ "},
			from: FromOutPaths, paths: []string{dev, out}},
		{name: "only wanted outputs (Nix 2.13)", env: map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": out},
			from: FromOutPaths, paths: []string{out}},
		{name: "stale word", env: map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": "stale-from-env"},
			from: FromDrv, paths: []string{dev, out}, stale: true,
			why: `OUT_PATHS names "stale-from-env", which is not an output of ` + drvPath + "; it was probably inherited from the environment"},
		{name: "stale store path", env: map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": out + " " + other},
			from: FromDrv, paths: []string{dev, out}, stale: true, why: `OUT_PATHS names "` + other + `"`},
		{name: "output of another store dir", env: map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": outA},
			from: FromDrv, paths: []string{dev, out}, stale: true},
		{name: "no DRV_PATH", env: map[string]string{"OUT_PATHS": out}, from: FromOutPaths, paths: []string{out}},
		{name: "no DRV_PATH, bad OUT_PATHS", env: map[string]string{"OUT_PATHS": "/tmp/x"}, wantErr: "OUT_PATHS: invalid store path"},
		{name: "not a hook", env: map[string]string{}, wantErr: ErrNotHook.Error()},
		{name: "DRV_PATH not a drv", env: map[string]string{"DRV_PATH": out}, wantErr: "is not a derivation (.drv)"},
		{name: "DRV_PATH outside the store", env: map[string]string{"DRV_PATH": "/tmp/x.drv"}, wantErr: "DRV_PATH: invalid store path"},
		{name: "DRV_PATH missing", env: map[string]string{"DRV_PATH": dir + "/00000000000000000000000000000000-x.drv"}, wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindOutputs(context.Background(), tt.env, dir, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.From != tt.from || !slices.Equal(got.Paths, tt.paths) || got.Stale != tt.stale || got.Drv != tt.env["DRV_PATH"] {
				t.Errorf("got %+v\nwant from %s, paths %q, stale %v", got, tt.from, tt.paths, tt.stale)
			}
			if !strings.Contains(got.Why, tt.why) || (got.From == FromOutPaths) != (got.Why == "") {
				t.Errorf("why %q, want %q", got.Why, tt.why)
			}
		})
	}
}

func TestFindOutputsErrors(t *testing.T) {
	dir, drvPath, _, _ := drvStore(t)
	writeFile(t, drvPath, "Derive([(")
	_, err := FindOutputs(context.Background(), map[string]string{"DRV_PATH": drvPath}, dir, nil)
	var se *drv.SyntaxError
	if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), drvPath+": invalid derivation: byte ") {
		t.Errorf("corrupt .drv: %v", err)
	}
	_, err = FindOutputs(context.Background(), map[string]string{"DRV_PATH": dir + "/00000000000000000000000000000000-x.drv"}, dir, nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing .drv: %v", err)
	}
}

// Floating content-addressed outputs have no path in the .drv: the store
// is asked, and only then.
func TestFindOutputsFloating(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	drvPath := writeFile(t, filepath.Join(dir, "11111111111111111111111111111111-ca.drv"),
		`Derive([("dev","","r:sha256",""),("out","","r:sha256","")],[],[],"x86_64-linux","/bin/sh",[],[])`)
	out := dir + "/22222222222222222222222222222222-ca"
	dev := dir + "/33333333333333333333333333333333-ca-dev"
	asked := 0
	query := func(_ context.Context, p string) ([]string, error) {
		asked++
		if p != drvPath {
			t.Errorf("asked for %s", p)
		}
		return []string{out, dev}, nil
	}
	got, err := FindOutputs(context.Background(), map[string]string{"DRV_PATH": drvPath}, dir, query)
	if err != nil || got.From != FromStore || !slices.Equal(got.Paths, []string{out, dev}) || asked != 1 {
		t.Errorf("got %+v, %v (asked %d)", got, err, asked)
	}
	// OUT_PATHS with the names the outputs get is taken without asking.
	got, err = FindOutputs(context.Background(), map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": dev}, dir, query)
	if err != nil || got.From != FromOutPaths || asked != 1 {
		t.Errorf("got %+v, %v (asked %d)", got, err, asked)
	}
	got, err = FindOutputs(context.Background(), map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": dir + "/22222222222222222222222222222222-other"}, dir, query)
	if err != nil || !got.Stale || asked != 2 {
		t.Errorf("got %+v, %v (asked %d)", got, err, asked)
	}
	// A store that fails, or none.
	_, err = FindOutputs(context.Background(), map[string]string{"DRV_PATH": drvPath}, dir,
		func(context.Context, string) ([]string, error) { return nil, errors.New("boom") })
	if err == nil || !strings.Contains(err.Error(), "outputs: boom") {
		t.Errorf("err = %v", err)
	}
	_, err = FindOutputs(context.Background(), map[string]string{"DRV_PATH": drvPath}, dir, nil)
	if err == nil || !strings.Contains(err.Error(), `output "dev" has no path in the .drv (floating content-addressed)`) {
		t.Errorf("err = %v", err)
	}
	_, err = FindOutputs(context.Background(), map[string]string{"DRV_PATH": drvPath}, dir,
		func(context.Context, string) ([]string, error) { return []string{"/elsewhere/x"}, nil })
	if err == nil || !strings.Contains(err.Error(), "invalid store path") {
		t.Errorf("err = %v", err)
	}
}

// FuzzFindOutputs: any OUT_PATHS and .drv contents give outputs in the
// store dir or an error, never a panic.
func FuzzFindOutputs(f *testing.F) {
	data, err := os.ReadFile(vectors + "sigtest-a.drv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("", data)
	f.Add(outA+" "+devA, data)
	f.Add("stale", []byte(`Derive([("out","","r:sha256","")],[],[],"x","/bin/sh",[],[])`))
	fakeDir := filepath.Join(f.TempDir(), "store")
	if err := os.MkdirAll(fakeDir, 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, outPaths string, drvData []byte) {
		drvPath := filepath.Join(fakeDir, "509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv")
		if err := os.WriteFile(drvPath, []byte(strings.ReplaceAll(string(drvData), "/nix/store/", fakeDir+"/")), 0o644); err != nil {
			t.Fatal(err)
		}
		query := func(context.Context, string) ([]string, error) { return nil, errors.New("no store") }
		got, err := FindOutputs(context.Background(), map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": outPaths}, fakeDir, query)
		if err != nil {
			if got != nil {
				t.Fatalf("result %+v with error %v", got, err)
			}
			return
		}
		for _, p := range got.Paths {
			if !strings.HasPrefix(p, fakeDir+"/") {
				t.Fatalf("path %q outside the store dir", p)
			}
		}
	})
}
