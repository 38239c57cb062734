package nixconf_test

import (
	"fmt"
	"testing/fstest"

	"github.com/nixsign/nixsign/conf/nixconf"
)

func Example() {
	env := nixconf.Env{
		Vars: map[string]string{"HOME": "/home/alice"},
		FS: fstest.MapFS{
			"etc/nix/nix.conf": {Data: []byte(
				"substituters = https://cache.example.org/   # the comment is dropped\n" +
					"extra-trusted-public-keys = test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=\n" +
					"require-sigs = yes\n")},
			"home/alice/.config/nix/nix.conf": {Data: []byte(
				"extra-trusted-public-keys = test-key-1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" +
					"signing-key = oops\n")},
		},
	}
	cfg, err := nixconf.Load(env)
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := cfg.Get("require-sigs")
	fmt.Printf("require-sigs = %s (%v)\n", v.Text, v.Origin)
	pk := cfg.DefaultPublicKeys()
	for _, k := range pk.Keys {
		fmt.Printf("trusted: %s from %v (%v)\n", k.Name, k.Origin, k.Origin.Layer)
	}
	for _, k := range pk.Shadowed {
		fmt.Printf("ignored: %s from %v\n", k.Name, k.Origin)
	}
	for _, w := range cfg.Warnings() {
		fmt.Println("warning:", w)
	}

	sys, _ := nixconf.LoadSystem(env)
	v, _ = sys.Get("trusted-public-keys")
	fmt.Println("daemon's system file:", len(v.Items), "keys")
	// Output:
	// require-sigs = true (/etc/nix/nix.conf:3)
	// trusted: cache.nixos.org-1 from default (default)
	// trusted: test-key-1 from /etc/nix/nix.conf:2 (system)
	// ignored: test-key-1 from /home/alice/.config/nix/nix.conf:1
	// warning: /home/alice/.config/nix/nix.conf:2: unknown setting 'signing-key'
	// daemon's system file: 2 keys
}

func ExampleParse() {
	f, err := nixconf.Parse("/etc/nix/nix.conf", []byte("trusted-users = root\nrequire-sigs=false\n"))
	fmt.Println(f, err)
	var e *nixconf.Error = err.(*nixconf.Error)
	fmt.Println(e.Nix)
	// Output:
	// <nil> /etc/nix/nix.conf:2: illegal configuration line 'require-sigs=false'
	// illegal configuration line 'require-sigs=false' in '/etc/nix/nix.conf'
}
