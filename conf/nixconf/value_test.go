package nixconf

import (
	"runtime"
	"strconv"
	"testing"
	"testing/fstest"
)

// loadText loads a machine whose only configuration is /etc/nix/nix.conf.
func loadText(t *testing.T, conf string) (*Config, error) {
	t.Helper()
	return Load(Env{
		Vars: map[string]string{"NIX_USER_CONF_FILES": ""},
		FS:   fstest.MapFS{"etc/nix/nix.conf": {Data: []byte(conf)}},
	})
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		k    kind
		want string // "" for an error
	}{
		{"0", kindUint32, "0"},
		{"+5", kindUint32, "5"},
		{"007", kindUint32, "7"},
		{"-0", kindUint32, ""},
		{"-1", kindUint32, ""},
		{"+", kindUint32, ""},
		{"", kindUint32, ""},
		{"+-5", kindInt64, ""},
		{"5x", kindUint64, ""},
		{"0x10", kindUint64, ""},
		{"1e3", kindInt64, ""},
		{" 5", kindInt64, ""},
		{"4294967295", kindUint32, "4294967295"},
		{"4294967296", kindUint32, ""},
		{"18446744073709551615", kindUint64, "18446744073709551615"},
		{"+18446744073709551615", kindUint64, "18446744073709551615"},
		{"18446744073709551616", kindUint64, ""},
		{"99999999999999999999999", kindUint64, ""},
		{"9223372036854775807", kindInt64, "9223372036854775807"},
		{"9223372036854775808", kindInt64, ""},
		{"-9223372036854775808", kindInt64, "-9223372036854775808"},
		{"-9223372036854775809", kindInt64, ""},
		{"-0", kindInt64, "0"},
		{"-00", kindInt64, "0"},
		{"-5", kindInt64, "-5"},
		{"2147483647", kindInt32, "2147483647"},
		{"2147483648", kindInt32, ""},
		{"-2147483648", kindInt32, "-2147483648"},
	}
	for _, tt := range tests {
		got, ok := parseInt(tt.in, tt.k)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("parseInt(%q, %d) = %q, %v; want %q", tt.in, tt.k, got, ok, tt.want)
		}
	}
}

func TestValues(t *testing.T) {
	tests := []struct {
		conf, name, want string
	}{
		{"", "require-sigs", "true"},
		{"require-sigs = no", "require-sigs", "false"},
		{"build-use-chroot = relaxed", "sandbox", "relaxed"},
		{"max-jobs = auto", "max-jobs", strconv.Itoa(runtime.NumCPU())},
		{"build-max-jobs = +3", "max-jobs", "3"},
		{"diff-hook = /a//b/../c/", "diff-hook", "/a/c"},
		{"diff-hook =", "diff-hook", ""},
		{"post-build-hook = a  b", "post-build-hook", "a b"},
		{"trusted-substituters = b a b", "trusted-substituters", "a b"},
		{"extra-trusted-substituters = b a b", "trusted-substituters", "a b"},
		{"trusted-substituters = http://x?a=1 http://x", "trusted-substituters", "http://x http://x?a=1"},
		{"sandbox-paths = /b /a=/c", "sandbox-paths", "/a=/c /b"},
		{"access-tokens = a=1 a-b=2", "access-tokens", "a=1 a-b=2"},
		{"access-tokens = a=1\nextra-access-tokens = a=2 b=3", "access-tokens", "a=1 b=3"},
		{"access-tokens = a=1\naccess-tokens = b=3", "access-tokens", "b=3"},
		{"experimental-features = flakes nix-command flakes", "experimental-features", "flakes nix-command"},
		{"extra-experimental-features = flakes", "experimental-features", "flakes"},
		{"extra-extra-platforms = zz", "extra-platforms", settings["extra-platforms"].def + " zz"},
		{"extra-platforms = zz", "extra-platforms", "zz"},
		{"extra-build-chroot-dirs = /x", "build-sandbox-paths", "/x"},
		{"", "netrc-file", "/etc/nix/netrc"},
		{"", "builders", "@/etc/nix/machines"},
		{"", "store", "auto"},
	}
	for _, tt := range tests {
		cfg, err := loadText(t, tt.conf)
		if err != nil {
			t.Errorf("%q: %v", tt.conf, err)
			continue
		}
		v, ok := cfg.Get(tt.name)
		if !ok || v.Text != tt.want {
			t.Errorf("%q: %s = %q, %v; want %q", tt.conf, tt.name, v.Text, ok, tt.want)
		}
	}
}

func TestValueErrors(t *testing.T) {
	tests := []struct{ conf, err string }{
		{"require-sigs = TRUE", "/etc/nix/nix.conf:1: Boolean setting 'require-sigs' has invalid value 'TRUE'"},
		{"\nbinary-caches = x\nrequire-sigs =", "/etc/nix/nix.conf:3: Boolean setting 'require-sigs' has invalid value ''"},
		{"sandbox = yes", "/etc/nix/nix.conf:1: option 'sandbox' has invalid value 'yes'"},
		{"cores = -1", "/etc/nix/nix.conf:1: setting 'cores' has invalid value '-1'"},
		{"build-cores = 1 2", "/etc/nix/nix.conf:1: setting 'cores' has invalid value '1 2'"},
		{"max-jobs = -1", "/etc/nix/nix.conf:1: configuration setting 'max-jobs' should be 'auto' or an integer"},
		{"build-hook = x y", "/etc/nix/nix.conf:1: not an absolute path: 'x y'"},
	}
	for _, tt := range tests {
		cfg, err := loadText(t, tt.conf)
		if cfg != nil || err == nil || err.Error() != tt.err {
			t.Errorf("%q: %v, want %q", tt.conf, err, tt.err)
		}
	}
}

func TestUnknownAndExtra(t *testing.T) {
	cfg, err := loadText(t, "extra-require-sigs = false\nfoo = 1\nfoo = 2\nextra-binary-cache-public-keys = k:x\n")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := cfg.Get("require-sigs"); v.Text != "true" || v.Origin.Layer != LayerDefault {
		t.Errorf("require-sigs = %+v", v)
	}
	if _, ok := cfg.Get("foo"); ok {
		t.Error("Get(foo) reports a setting")
	}
	w := cfg.Warnings()
	if len(w) != 2 || w[0].String() != "/etc/nix/nix.conf:1: unknown setting 'extra-require-sigs'" ||
		w[1].String() != "/etc/nix/nix.conf:2: unknown setting 'foo'" {
		t.Errorf("Warnings() = %v", w)
	}
	a := cfg.Assignments("binary-cache-public-keys")
	if len(a) != 1 || a[0].Name != "extra-binary-cache-public-keys" || !a[0].Append || a[0].Origin.Line != 4 {
		t.Errorf("Assignments = %+v", a)
	}
	if n, ok := Canonical("binary-caches"); !ok || n != "substituters" {
		t.Errorf("Canonical(binary-caches) = %q, %v", n, ok)
	}
	if _, ok := Canonical("extra-substituters"); ok {
		t.Error("Canonical resolves an extra- form")
	}
}
