package nixconf

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A nix.conf like the one NixOS writes, plus a user file and an include.
const benchSystemConf = `# WARNING: this file is generated from the nix.* options in
# your NixOS configuration, typically
# /etc/nixos/configuration.nix.  Do not edit it!
allowed-users = *
auto-optimise-store = false
builders =
cores = 0
experimental-features = nix-command flakes
extra-sandbox-paths =
max-jobs = auto
require-sigs = true
sandbox = true
sandbox-fallback = false
substituters = https://cache.nixos.org/ https://cache.example.org/
system-features = nixos-test benchmark big-parallel kvm
trusted-public-keys = cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY= test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=
trusted-substituters =
trusted-users = root @wheel
post-build-hook = /run/current-system/sw/bin/nixsign-hook
secret-key-files = /etc/nix/signing.sec
!include nix.local.conf
`

func benchEnv(b *testing.B) Env {
	dir := b.TempDir()
	files := map[string]string{
		"etc/nix.conf":                benchSystemConf,
		"etc/nix.local.conf":          "extra-trusted-public-keys = gbck-1:y8uYlMeTRyvBkE/fu5TxlUXbrQ8P9Q9iQgrmM3OHn/Y=\n",
		"home/.config/nix/nix.conf":   "extra-substituters = https://user.example/\nwarn-dirty = false\n",
		"xdg/nix/nix.conf.unrelated":  "",
		"home/.config/nix/registry.j": "{}",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return Env{Vars: map[string]string{
		"NIX_CONF_DIR":    dir + "/etc",
		"HOME":            dir + "/home",
		"XDG_CONFIG_DIRS": dir + "/xdg",
		"NIX_CONFIG":      "experimental-features = nix-command\n",
	}}
}

// BenchmarkLoad reads a typical machine's configuration from disk. Compare it
// with BenchmarkNixShowConfig, which runs Nix on the same files.
func BenchmarkLoad(b *testing.B) {
	env := benchEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := Load(env)
		if err != nil {
			b.Fatal(err)
		}
		cfg.DefaultPublicKeys()
	}
}

func BenchmarkParse(b *testing.B) {
	data := []byte(benchSystemConf)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("nix.conf", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNixShowConfig is the time real Nix takes for what Load does.
func BenchmarkNixShowConfig(b *testing.B) {
	if _, err := exec.LookPath("nix"); err != nil {
		b.Skip("nix not in PATH")
	}
	env := benchEnv(b)
	for b.Loop() {
		cmd := exec.Command("nix", "--extra-experimental-features", "nix-command", "show-config", "--json")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		for k, v := range env.Vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
