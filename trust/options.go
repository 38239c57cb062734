package trust

import (
	"context"
	"time"
)

// Machine is everything the checker reads besides its options. The zero
// Machine is the one the checker runs on; tests describe another one.
type Machine struct {
	// Vars is the environment of the user's nix commands; nil for the
	// checker's own.
	Vars map[string]string
	// Home is the user's home directory in the user database, used when
	// HOME is unset; "" to look it up.
	Home string
	// Root is a directory standing for the root directory: every absolute
	// path the checker reads (nix.conf and the files it includes,
	// /etc/passwd, /etc/NIXOS, /proc...) is read under it, symbolic links
	// resolved inside it. "" is the real root.
	Root string
	// Procs lists the running processes; nil reads /proc (under Root) on
	// Linux and sysctl kern.proc on macOS.
	Procs ProcessTable
	// User is the user the verdict is for; nil for the one running the
	// checker (its effective UID and GID).
	User *User
	// GOOS is the operating system; "" for runtime.GOOS.
	GOOS string
	// Now returns the current time; nil for time.Now.
	Now func() time.Time
	// RunNix runs nix with the arguments in the environment env (KEY=VALUE
	// strings) and returns its standard output, for Options.CrossCheck; nil
	// runs the nix found in PATH.
	RunNix func(ctx context.Context, env []string, args ...string) ([]byte, error)
}

// Options says what to check.
type Options struct {
	Machine Machine
	// Store is the store the verdict is for, as nix's --store option takes
	// it ("daemon", "local", "unix://PATH", a directory...); "" for the
	// configured one (the store setting, NIX_REMOTE, else "auto").
	Store string
	// DaemonPID is the daemon process to check; 0 to find the one that
	// serves the store's socket.
	DaemonPID int
	// Cache is a binary cache URL to check: is it a substituter this user
	// may use?
	Cache string
	// CrossCheck compares the configuration with `nix show-config --json`
	// (`nix config show --json` from Nix 2.20 on). It is the only option
	// that starts a Nix process.
	CrossCheck bool
}
