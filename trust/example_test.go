package trust_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/trust"
)

// daemons is a process table given in full.
type daemons []trust.Process

func (d daemons) Daemons() ([]trust.Process, error) { return d, nil }

// The example of the package documentation: the key is only in alice's own
// nix.conf, which the daemon ignores because alice is not a trusted user.
func Example() {
	root, _ := os.MkdirTemp("", "trust-example")
	defer os.RemoveAll(root)
	write := func(name, data string) {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
		os.Chtimes(p, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	write("etc/nix/nix.conf", "trusted-users = root\n")
	write("home/alice/.config/nix/nix.conf", "extra-trusted-public-keys = test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=\n")
	write("etc/passwd", "root:x:0:0::/root:/bin/sh\nalice:x:1000:100::/home/alice:/bin/sh\n")
	write("run/systemd/system/.keep", "")

	key, _ := sign.ParsePublicKey("test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=")
	r, err := trust.Check(context.Background(), trust.Options{
		Store: "daemon",
		Machine: trust.Machine{
			Root: root,
			Vars: map[string]string{"HOME": "/home/alice"},
			User: &trust.User{UID: 1000, GID: 100, Name: "alice", Group: "users"},
			GOOS: "linux",
			Procs: daemons{{PID: 42, PPID: 1, UID: 0, Name: "nix-daemon", Args: []string{"nix-daemon"},
				Start: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC), Env: map[string]string{}}},
		},
	}, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	r.WriteText(os.Stdout)
	fmt.Println("problem:", r.Problem)
	// Output:
	// store: the nix-daemon at /nix/var/nix/daemon-socket/socket
	// daemon: pid 42 started 2024-06-01 12:00:00.000 UTC
	// daemon reads: /etc/nix/nix.conf, /etc/xdg/nix/nix.conf (missing), /root/.config/nix/nix.conf (missing)
	// user: alice, not trusted by the daemon (trusted-users = root, /etc/nix/nix.conf:1)
	//
	// test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=: NOT trusted: only your user configuration trusts it, and the daemon ignores that
	//   because: the daemon's trusted-public-keys does not list it (it has cache.nixos.org-1)
	//   because: only your user configuration trusts it (/home/alice/.config/nix/nix.conf:1); the daemon ignores trusted-public-keys from users it does not trust
	//   because: user alice is not trusted by the daemon (trusted-users = root, /etc/nix/nix.conf:1)
	//   fix: trust the key in /etc/nix/nix.conf
	//     $ sudo nixsign trust add test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=
	//   fix: restart the daemon so that it reads its configuration again
	//     $ sudo systemctl restart nix-daemon
	//   fix: or make user alice a trusted user (trusted-users in /etc/nix/nix.conf): this gives it the power of root over the store
	// problem: user-only
}
