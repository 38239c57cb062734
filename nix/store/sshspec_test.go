package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseSSHSpec(t *testing.T) {
	for _, tt := range []struct {
		spec, sshOpts string
		name          string   // String()
		args          []string // after "ssh"
	}{
		{"ssh-ng://builder", "", "ssh-ng://builder",
			[]string{"builder", "-x", "-a", "nix-daemon --stdio"}},
		{"ssh-ng://alice@builder.example.org", "", "ssh-ng://alice@builder.example.org",
			[]string{"alice@builder.example.org", "-x", "-a", "nix-daemon --stdio"}},
		{"ssh-ng://builder?ssh-key=/k%20ey&compress=true", " -o  ConnectTimeout=5\t-v\n", "ssh-ng://builder",
			[]string{"builder", "-x", "-a", "-o", "ConnectTimeout=5", "-v", "-i", "/k ey", "-C", "nix-daemon --stdio"}},
		{"ssh-ng://builder?remote-program=/run/current-system/sw/bin/nix-daemon&remote-store=/data/it's%20here", "", "ssh-ng://builder",
			[]string{"builder", "-x", "-a", `/run/current-system/sw/bin/nix-daemon --stdio --store '/data/it'\''s here'`}},
		{"ssh-ng://builder?ssh-key=&compress=no&", "", "ssh-ng://builder",
			[]string{"builder", "-x", "-a", "nix-daemon --stdio"}},
		{"ssh-ng://root@builder:2222", "", "ssh-ng://root@builder:2222",
			[]string{"root@builder", "-x", "-a", "-p2222", "nix-daemon --stdio"}},
		{"ssh-ng://[fe80::1]:22?compress=1", "", "ssh-ng://[fe80::1]:22",
			[]string{"fe80::1", "-x", "-a", "-C", "-p22", "nix-daemon --stdio"}},
		{"ssh-ng://fe80::1", "", "ssh-ng://fe80::1",
			[]string{"fe80::1", "-x", "-a", "nix-daemon --stdio"}},
		{"ssh-ng://[fe80::1]", "", "ssh-ng://fe80::1",
			[]string{"fe80::1", "-x", "-a", "nix-daemon --stdio"}},
	} {
		sp, err := parseSSHSpec(tt.spec)
		if err != nil {
			t.Errorf("%s: %v", tt.spec, err)
			continue
		}
		if got := sp.String(); got != tt.name {
			t.Errorf("%s: String() = %q, want %q", tt.spec, got, tt.name)
		}
		if got := sp.args(tt.sshOpts, ""); !slices.Equal(got, tt.args) {
			t.Errorf("%s: args\n got %q\nwant %q", tt.spec, got, tt.args)
		}
	}
}

func TestParseSSHSpecErrors(t *testing.T) {
	for _, tt := range []struct{ spec, want string }{
		{"ssh-ng://", `invalid SSH host name ""`},
		{"ssh-ng://?ssh-key=x", `invalid SSH host name ""`},
		{"ssh-ng://-oProxyCommand=evil", `invalid SSH host name "-oProxyCommand=evil"`},
		{"ssh-ng://alice@-x", `invalid SSH host name "-x"`},
		{"ssh-ng://-l@host", `invalid SSH user name "-l"`},
		{"ssh-ng://@host", `invalid SSH user name ""`},
		{"ssh-ng://host:0", `invalid port "0"`},
		{"ssh-ng://host:65536", `invalid port "65536"`},
		{"ssh-ng://host:ssh", `invalid port "ssh"`},
		{"ssh-ng://host:", `invalid port ""`},
		{"ssh-ng://[::1", `invalid SSH host "[::1"`},
		{"ssh-ng://[::1]x", `invalid SSH host "[::1]x"`},
		{"ssh-ng://host/path", "no path"},
		{"ssh-ng://host?max-connections=2", `unsupported parameter "max-connections" (want ssh-key, remote-program, remote-store, compress or base64-ssh-public-host-key)`},
		{"ssh-ng://host?store=/x", `unsupported parameter "store"`},
		{"ssh-ng://host?ssh-key", `parameter "ssh-key" has no value`},
		{"ssh-ng://host?compress=maybe", "compress=maybe: want true or false"},
		{"ssh-ng://host?remote-program=", "remote-program is empty"},
		{"ssh-ng://host?remote-program=-oProxyCommand=touch%20/tmp/x%20%23", `remote-program "-oProxyCommand=touch /tmp/x #" starts with '-'`},
		{"ssh-ng://me:secret@host", "the user part must not hold a password (ssh authenticates with keys or its own prompt)"},
		{"ssh-ng://host?ssh-key=%zz", "parameter ssh-key: invalid URL escape"},
		{"ssh-ng://host?base64-ssh-public-host-key=!!", "base64-ssh-public-host-key is not base64"},
	} {
		_, err := parseSSHSpec(tt.spec)
		if err == nil || !errors.Is(err, ErrUnknownStore) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.spec, err, tt.want)
		}
		// Open refuses it before it looks for ssh.
		_, err = Open(context.Background(), tt.spec, &Options{lookPath: func(string) (string, error) {
			t.Fatal("looked for ssh")
			return "", nil
		}})
		if !errors.Is(err, ErrUnknownStore) {
			t.Errorf("Open(%s): %v", tt.spec, err)
		}
	}
}

// FuzzParseSSHSpec: parsing never panics; what it accepts never hands ssh
// an option as its host, and its name parses back to the same place.
func FuzzParseSSHSpec(f *testing.F) {
	f.Add("ssh-ng://alice@builder:2222?ssh-key=/k&compress=true&remote-store=%27x%27")
	f.Add("ssh-ng://[::1]:22?base64-ssh-public-host-key=eA==")
	f.Add("ssh-ng://-x@y?z")
	f.Fuzz(func(t *testing.T, spec string) {
		sp, err := parseSSHSpec(spec)
		if err != nil {
			if sp != nil {
				t.Fatal("failed parse returned a spec")
			}
			return
		}
		args := sp.args("", "")
		if strings.HasPrefix(args[0], "-") || args[len(args)-1] != sp.command() {
			t.Fatalf("args %q", args)
		}
		back, err := parseSSHSpec(sp.String())
		if err != nil || back.user != sp.user || back.host != sp.host || back.port != sp.port {
			t.Fatalf("%q: String() = %q parses to %+v, %v", spec, sp.String(), back, err)
		}
	})
}

// A password in the spec never reaches a message.
func TestParseSSHSpecRedactsPassword(t *testing.T) {
	for _, spec := range []string{"ssh-ng://me:s3cret@host", "ssh-ng://me:s3cret@host?nosuch=1", "ssh-ng://me:s3cret@host:0"} {
		_, err := parseSSHSpec(spec)
		if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "me:xxxxx@host") {
			t.Errorf("%s: %v", spec, err)
		}
	}
}
