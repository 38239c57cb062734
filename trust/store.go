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
// store again.
func resolveStore(m machineFS, vars map[string]string, uri string) StoreInfo {
	si := StoreInfo{URI: uri}
	base, _, _ := strings.Cut(uri, "?")
	switch {
	case base == "" || base == "auto":
		si.URI = "auto"
		sd, sock := stateDir(vars), socketPath(vars)
		switch {
		case writable(m.host(sd)):
			si.Mode, si.Why = ModeLocal, "auto: the state directory "+sd+" is writable"
		case m.exists(sock):
			si.Mode, si.Socket, si.Why = ModeDaemon, sock, "auto: "+sd+" is not writable and the daemon socket exists"
		default:
			si.Mode, si.Why = ModeLocal, "auto: "+sd+" is not writable and there is no daemon socket"
		}
	case base == "daemon":
		si.Mode, si.Socket = ModeDaemon, socketPath(vars)
	case strings.HasPrefix(base, "unix://"):
		si.Mode, si.Socket = ModeDaemon, strings.TrimPrefix(base, "unix://")
	case base == "local" || strings.HasPrefix(base, "/") || strings.HasPrefix(base, "local://"):
		si.Mode = ModeLocal
	default:
		si.Mode = ModeRemote
	}
	return si
}
