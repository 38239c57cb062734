package hook

import (
	"context"
	"strings"
	"testing"
)

// BenchmarkRun is one hook run for a two-output build, with the outputs
// read from the .drv and the key from nixsign's config, against an
// in-memory store: everything the hook itself does once the process has
// started, except talking to the daemon. scripts/bench-hook.sh measures
// the whole hook, side by side with `nix store sign`.
func BenchmarkRun(b *testing.B) {
	dir, drvPath, _, _ := drvStore(b)
	s := vectorStore(b)
	s.dir = dir
	for p, info := range s.infos {
		delete(s.infos, p)
		s.infos[strings.Replace(p, "/nix/store", dir, 1)] = info
	}
	cfg := writeFile(b, dir+"/../config.toml", "key_file = \""+keyFile(b, 0o600)+"\"\n")
	env := testEnv(b, map[string]string{"DRV_PATH": drvPath, "NIX_STORE_DIR": dir, "NIXSIGN_CONFIG": cfg})
	var o output
	opts := o.options(env, s)
	opts.Info = nil
	b.ReportAllocs()
	for b.Loop() {
		o.stdout.Reset()
		for _, info := range s.infos {
			info.Sigs = nil
		}
		if _, err := Run(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFindOutputs reads a two-output .drv after an empty OUT_PATHS.
func BenchmarkFindOutputs(b *testing.B) {
	dir, drvPath, _, _ := drvStore(b)
	env := map[string]string{"DRV_PATH": drvPath, "OUT_PATHS": ""}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FindOutputs(context.Background(), env, dir, nil); err != nil {
			b.Fatal(err)
		}
	}
}
