package trust

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCheck measures a check of one key on a machine with an include,
// a user file and a running daemon (the work of nixsign-check, less process
// start-up).
func BenchmarkCheck(b *testing.B) {
	m := newMachine(b)
	m.write("/etc/nix/nix.conf", "include keys.conf\ntrusted-users = root @wheel\n")
	m.write("/etc/nix/keys.conf", "extra-trusted-public-keys = "+key1+"\n")
	m.write("/home/alice/.config/nix/nix.conf", "extra-substituters = https://c.example\n")
	m.daemon(42, time.Now().Add(time.Hour), map[string]string{})
	opts := m.options("daemon")
	k := mustKey(b, key1)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Check(context.Background(), opts, k)
		if err != nil || r.Keys[0].Verdict != Trusted {
			b.Fatal(err, r.Keys[0].Verdict)
		}
	}
}

// BenchmarkProcFS measures reading this machine's process table.
func BenchmarkProcFS(b *testing.B) {
	p := ProcFS("/proc", nil)
	for b.Loop() {
		if _, err := p.Daemons(); err != nil {
			b.Fatal(err)
		}
	}
}
