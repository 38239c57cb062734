package trust

import (
	"strings"
)

// A StoreMode says whose configuration decides what a store accepts.
type StoreMode string

// The store modes.
const (
	// ModeLocal: nix opens the store itself (root, single-user installs,
	// --store DIR): the user's whole configuration counts.
	ModeLocal StoreMode = "local"
	// ModeDaemon: nix asks the daemon, whose configuration counts; the
	// user's only for trusted users.
	ModeDaemon StoreMode = "daemon"
	// ModeRemote: a store on another machine (ssh://, https://...), whose
	// configuration the checker cannot see; it reports on this machine's.
	ModeRemote StoreMode = "remote"
)

// StoreInfo is the store the verdict is for.
type StoreInfo struct {
	Mode StoreMode `json:"mode"`
	// URI is the store as configured (the store setting, NIX_REMOTE, or
	// --store), "auto" by default.
	URI string `json:"uri"`
	// Socket is the daemon's socket (ModeDaemon).
	Socket string `json:"socket,omitempty"`
	// Why says how "auto" was resolved.
	Why string `json:"why,omitempty"`
	// Error is why the user's nix commands cannot use the store at all,
	// as nix says it: the daemon's socket cannot be examined or connected
	// to, commonly because its directory is closed to the user ("" when
	// nothing stops them). Fix is then how to let the user in.
	Error string `json:"error,omitempty"`
	Fix   *Fix   `json:"fix,omitempty"`
}

// stateDir returns Nix's state directory in env (NIX_STATE_DIR).
func stateDir(vars map[string]string) string {
	if d, ok := vars["NIX_STATE_DIR"]; ok && d != "" {
		return d
	}
	return "/nix/var/nix"
}

// socketPath returns the daemon socket a process with environment vars
// uses (settings.nixDaemonSocketFile).
func socketPath(vars map[string]string) string {
	if p, ok := vars["NIX_DAEMON_SOCKET_PATH"]; ok && p != "" {
		return p
	}
	return stateDir(vars) + "/daemon-socket/socket"
}

// resolveStore decides how nix opens the store uri (openStore in Nix
// 2.8.0): "auto" is the local store when the state directory is readable
// and writable, else the daemon when its socket exists, else the local
// store again. Whether the socket exists is Nix's pathExists: an error
// other than ENOENT or ENOTDIR (EACCES, when the user may not search the
// socket's directory) makes nix fail; the checker then goes on as if the
// socket existed (it commonly does), and says why nix fails.
func (c *checker) resolveStore(uri string) StoreInfo {
	si := StoreInfo{URI: uri}
	base, _, _ := strings.Cut(uri, "?")
	switch {
	case base == "" || base == "auto":
		si.URI = "auto"
		sd, sock := stateDir(c.vars), socketPath(c.vars)
		if c.writableDir(sd) {
			si.Mode, si.Why = ModeLocal, "auto: the state directory "+sd+" is writable"
			break
		}
		exists, err := c.pathExists(sock)
		switch {
		case err != nil:
			si.Mode, si.Socket, si.Why = ModeDaemon, sock, "auto: "+sd+" is not writable and the daemon socket cannot be examined"
			si.Error, si.Fix = c.socketError(sock, true)
		case exists:
			si.Mode, si.Socket, si.Why = ModeDaemon, sock, "auto: "+sd+" is not writable and the daemon socket exists"
			si.Error, si.Fix = c.socketError(sock, false)
		default:
			si.Mode, si.Why = ModeLocal, "auto: "+sd+" is not writable and there is no daemon socket"
		}
	case base == "daemon":
		si.Mode, si.Socket = ModeDaemon, socketPath(c.vars)
		si.Error, si.Fix = c.socketError(si.Socket, false)
	case strings.HasPrefix(base, "unix://"):
		si.Mode, si.Socket = ModeDaemon, strings.TrimPrefix(base, "unix://")
		si.Error, si.Fix = c.socketError(si.Socket, false)
	case base == "local" || strings.HasPrefix(base, "/") || strings.HasPrefix(base, "local://"):
		si.Mode = ModeLocal
	default:
		si.Mode = ModeRemote
	}
	return si
}
