package drv

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/storepath"
)

const nixConfig = "experimental-features = nix-command flakes ca-derivations impure-derivations\n" +
	"sandbox = false\nsubstituters ="

func nixCmd(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "NIX_CONFIG="+nixConfig)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, stderr.Bytes())
	}
	return out
}

// addVectorInputs adds the two store paths that drv.nix refers to, so that
// instantiating it gives back the vector sigtest-a.drv.
func addVectorInputs(t *testing.T) {
	dir := t.TempDir()
	hello := filepath.Join(dir, "hello.txt")
	if err := os.WriteFile(hello, []byte("hello world\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	nar, err := os.ReadFile("../../testdata/vectors/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh.nar")
	if err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run.sh")
	nixCmd(t, nar, "nix-store", "--restore", run)
	got := strings.Fields(string(nixCmd(t, nil, "nix-store", "--add", hello, run)))
	want := []string{
		"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt",
		"/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("nix-store --add = %q, want %q", got, want)
	}
}

// nixDrv is a derivation as `nix show-derivation` prints it.
type nixDrv struct {
	Outputs   map[string]nixOutput `json:"outputs"`
	InputSrcs []string             `json:"inputSrcs"`
	InputDrvs map[string][]string  `json:"inputDrvs"`
	System    string               `json:"system"`
	Builder   string               `json:"builder"`
	Args      []string             `json:"args"`
	Env       map[string]string    `json:"env"`
}

type nixOutput struct {
	Path     string `json:"path"`
	HashAlgo string `json:"hashAlgo"`
	Hash     string `json:"hash"`
	Impure   bool   `json:"impure"`
}

// asNix converts d to what `nix show-derivation` would print for it.
func asNix(d *Derivation) nixDrv {
	n := nixDrv{Outputs: map[string]nixOutput{}}
	for _, o := range d.Outputs {
		e := nixOutput{Path: o.Path, HashAlgo: o.HashAlgo, Hash: o.Hash, Impure: o.Kind() == Impure}
		if e.Impure {
			e.Hash = ""
		}
		n.Outputs[o.Name] = e
	}
	n.InputSrcs = append([]string{}, d.InputSrcs...)
	n.InputDrvs = map[string][]string{}
	for _, in := range d.InputDrvs {
		n.InputDrvs[in.Path] = append([]string{}, in.Outputs...)
	}
	n.System, n.Builder, n.Args = d.Platform, d.Builder, append([]string{}, d.Args...)
	n.Env = map[string]string{}
	for _, e := range d.Env {
		n.Env[e.Name] = e.Value
	}
	return n
}

// TestNixInterop instantiates derivations of every output kind with real Nix
// and checks Parse against `nix show-derivation` and `nix-store -q --outputs`,
// and String against the .drv file, byte for byte.
func TestNixInterop(t *testing.T) {
	for _, cmd := range []string{"nix", "nix-instantiate", "nix-store"} {
		if _, err := exec.LookPath(cmd); err != nil {
			t.Skipf("%s not in PATH", cmd)
		}
	}
	addVectorInputs(t)
	var drvs []string
	instantiate := func(args ...string) {
		drvs = append(drvs, strings.Fields(string(nixCmd(t, nil, "nix-instantiate", args...)))...)
	}
	instantiate("--argstr", "tag", "a", "../../testdata/vectors/drv.nix")
	instantiate("../../testdata/vectors/chain.nix")
	attrs := []string{"multi", "args", "fixed", "fixedRecursive", "fixedSha1", "inputs", "floating", "deferred", "impure"}
	args := []string{"testdata/interop.nix"}
	for _, a := range attrs {
		args = append(args, "-A", a)
	}
	instantiate(args...)
	if len(drvs) != 2+len(attrs) {
		t.Fatalf("nix-instantiate printed %q", drvs)
	}
	if runtime.GOOS+"/"+runtime.GOARCH == "linux/amd64" && // the vector is for x86_64-linux
		drvs[0] != "/nix/store/509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv" {
		t.Errorf("drv.nix gave %s, not the vector", drvs[0])
	}

	var shown map[string]nixDrv
	if err := json.Unmarshal(nixCmd(t, nil, "nix", append([]string{"show-derivation"}, drvs...)...), &shown); err != nil {
		t.Fatal(err)
	}
	kinds := map[OutputKind]int{}
	for _, path := range drvs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(data)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if err := d.CheckPaths(storepath.DefaultDir); err != nil {
			t.Error(err)
		}
		if s := d.String(); s != string(data) {
			t.Errorf("%s: String() =\n%s\nwant\n%s", path, s, data)
		}
		if got, want := asNix(d), shown[path]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Parse gave\n%+v\nnix show-derivation\n%+v", path, got, want)
		}
		checkOutputs(t, path, d)
		for _, o := range d.Outputs {
			kinds[o.Kind()]++
		}
	}
	if len(kinds) != len(kindNames) {
		t.Errorf("the derivations cover only the output kinds %v", kinds)
	}
}

// checkOutputs compares OutputPaths with `nix-store -q --outputs`, which fails
// just when some output has no path yet, and recomputes fixed output paths.
func checkOutputs(t *testing.T, drvPath string, d *Derivation) {
	paths, err := d.OutputPaths()
	cmd := exec.Command("nix-store", "-q", "--outputs", drvPath)
	cmd.Env = append(os.Environ(), "NIX_CONFIG="+nixConfig)
	out, nixErr := cmd.Output()
	if err != nil {
		if !errors.Is(err, ErrNoPath) || nixErr == nil {
			t.Errorf("%s: OutputPaths() error %v, nix-store error %v", drvPath, err, nixErr)
		}
		return
	}
	// nix-store prints a path set: sorted by path, not by output name.
	if nixErr != nil || !reflect.DeepEqual(slices.Sorted(slices.Values(paths)), strings.Fields(string(out))) {
		t.Errorf("%s: OutputPaths() = %q, nix-store -q --outputs = %q (%v)", drvPath, paths, out, nixErr)
	}
	o, ok := d.Output("out")
	if !ok || o.Kind() != CAFixed {
		return
	}
	base := filepath.Base(drvPath)
	name := strings.TrimSuffix(base[storepath.HashLen+1:], ".drv")
	ca := storepath.CA{Method: "fixed"}
	algo := o.HashAlgo
	if r, ok := strings.CutPrefix(algo, "r:"); ok {
		ca.Method, algo = "fixed:r", r
	}
	a, _ := hash.ParseAlgo(algo)
	if ca.Hash, err = hash.ParseAs(a, o.Hash); err != nil {
		t.Fatal(err)
	}
	p, err := storepath.MakeCA(storepath.DefaultDir, ca, name, nil, false)
	if err != nil || p.Abs(storepath.DefaultDir) != o.Path {
		t.Errorf("%s: fixed output path %s, computed %v (%v)", drvPath, o.Path, p, err)
	}
}
