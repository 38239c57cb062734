package trust

import (
	"time"
)

// A Process is a running process, as much of it as the checker needs.
type Process struct {
	PID, PPID int
	UID       int
	Name      string    // the command name (comm), at most 15 bytes on Linux
	Args      []string  // the command line; nil when it cannot be read
	Start     time.Time // when the process started
	// Env is the process's environment; nil when it cannot be read (another
	// user's process, unless the checker runs as root).
	Env map[string]string
	Cwd string // its working directory; "" when unknown
}

// A ProcessTable lists the running processes that might be Nix daemons:
// those whose command name is "nix-daemon" or "nix".
type ProcessTable interface {
	Daemons() ([]Process, error)
}

// isDaemonName reports whether a command name can be a Nix daemon's:
// nix-daemon, or nix (run as `nix daemon`).
func isDaemonName(comm string) bool { return comm == "nix-daemon" || comm == "nix" }

// isDaemon reports whether p runs the daemon loop: "nix-daemon" (with any
// arguments but --stdio) or "nix daemon".
func isDaemon(p Process) bool {
	switch p.Name {
	case "nix-daemon":
		for _, a := range p.Args {
			if a == "--stdio" {
				return false
			}
		}
		return true
	case "nix":
		return len(p.Args) >= 2 && p.Args[1] == "daemon"
	}
	return false
}
