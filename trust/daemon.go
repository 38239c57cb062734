package trust

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"time"

	"github.com/nixsign/nixsign/conf/nixconf"
)

// staleMargin is how much later than a daemon's start a file must have
// changed for the daemon to need a restart: the start time is known to a
// clock tick (10ms), and a daemon started in the same instant as an edit
// has likely read it.
const staleMargin = 50 * time.Millisecond

// DaemonInfo is what the checker found out about the daemon.
type DaemonInfo struct {
	// Processes are the running daemons that serve the socket (the
	// listening processes, not those forked per connection). Empty when
	// none runs: the next connection starts one (socket activation) or
	// fails.
	Processes []DaemonProcess `json:"processes"`
	// EnvKnown says whether the daemon's environment was read. When it was
	// not, the checker assumes NIX_CONF_DIR is the user's and the rest of
	// the environment unset (HOME from the user database).
	EnvKnown bool `json:"env_known"`
	// ConfFile is the system nix.conf the daemon reads, the file that
	// `nixsign trust add` edits.
	ConfFile string `json:"conf_file"`
	// Files are the configuration files the daemon reads, in the order it
	// applies them, includes and missing files too.
	Files []ConfFile `json:"files"`
	// Stale says whether a daemon started before one of Files last changed.
	Stale bool `json:"stale"`
}

// A DaemonProcess is one running daemon.
type DaemonProcess struct {
	PID        int       `json:"pid"`
	Start      time.Time `json:"start"`
	EnvVisible bool      `json:"env_visible"`
}

// A ConfFile is a configuration file and when it last changed.
type ConfFile struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	// MTime is the latest modification time of the file and of the
	// symbolic links leading to it (NixOS switches configurations by
	// replacing links, and store files all have mtime 1).
	MTime time.Time `json:"mtime,omitzero"`
	// Changed says whether the file changed after a running daemon
	// started.
	Changed bool `json:"changed"`
}

// findDaemons returns the listening daemons that serve socket: with a
// known environment, those whose socket it is; with none, all whose
// environment is unreadable; with pid != 0, that process only.
func findDaemons(procs []Process, socket string, pid int) ([]Process, error) {
	daemons := map[int]bool{}
	for _, p := range procs {
		daemons[p.PID] = isDaemon(p)
	}
	isChild := func(p Process) bool { return daemons[p.PPID] }
	var known, unknown []Process
	for _, p := range procs {
		if pid != 0 {
			if p.PID == pid {
				return []Process{p}, nil
			}
			continue
		}
		if !isDaemon(p) || isChild(p) {
			continue
		}
		switch {
		case p.Env == nil:
			unknown = append(unknown, p)
		case daemonSocket(p.Env) == socket:
			known = append(known, p)
		}
	}
	if pid != 0 {
		return nil, fmt.Errorf("no nix-daemon process %d", pid)
	}
	if len(known) > 0 {
		// The last one to start bound the socket.
		sort.Slice(known, func(i, j int) bool { return known[i].Start.After(known[j].Start) })
		return known[:1], nil
	}
	return unknown, nil
}

// daemonSocket returns the socket a daemon with environment env listens
// on. Under systemd socket activation (LISTEN_FDS) it is systemd's, the
// default one.
func daemonSocket(env map[string]string) string {
	if _, ok := env["LISTEN_FDS"]; ok {
		return "/nix/var/nix/daemon-socket/socket"
	}
	return socketPath(env)
}

// daemonEnv returns the environment the daemon read its configuration in:
// the first daemon's own when it is known, else an assumed one, with the
// client's NIX_CONF_DIR.
func daemonEnv(m machineFS, daemons []Process, client map[string]string) (nixconf.Env, bool) {
	env := nixconf.Env{Vars: map[string]string{}, FS: m.nixFS()}
	uid := 0
	if len(daemons) > 0 && daemons[0].UID >= 0 {
		uid = daemons[0].UID
	}
	if len(daemons) > 0 && daemons[0].Env != nil {
		d := daemons[0]
		for _, k := range []string{"NIX_CONF_DIR", "NIX_USER_CONF_FILES", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "HOME", "NIX_CONFIG", "NIX_REMOTE"} {
			if v, ok := d.Env[k]; ok {
				env.Vars[k] = v
			}
		}
		if _, ok := env.Vars["HOME"]; !ok {
			env.Home = homeOf(m, uid)
		}
		if d.Cwd != "" && path.IsAbs(d.Cwd) {
			env.Dir = d.Cwd
		}
		return env, true
	}
	if v, ok := client["NIX_CONF_DIR"]; ok {
		env.Vars["NIX_CONF_DIR"] = v
	}
	env.Home = homeOf(m, uid)
	return env, false
}

// confFiles returns the files a configuration was read from, with their
// times, and marks those changed after start (when not zero).
func confFiles(m machineFS, cfg *nixconf.Config, start time.Time) (files []ConfFile, stale bool) {
	seen := map[string]bool{}
	for _, f := range cfg.Files() {
		if f.Path == "NIX_CONFIG" || seen[f.Path] {
			continue
		}
		seen[f.Path] = true
		cf := ConfFile{Path: f.Path}
		p := f.Path
		if !path.IsAbs(p) {
			files = append(files, cf)
			continue
		}
		if fi, err := m.stat(p); err == nil {
			cf.Exists, cf.MTime = true, fi.ModTime()
			_, links, _ := m.resolve(p, true)
			for _, l := range links {
				if l.MTime.After(cf.MTime) {
					cf.MTime = l.MTime
				}
			}
		}
		if cf.Exists && !start.IsZero() && cf.MTime.After(start.Add(staleMargin)) {
			cf.Changed, stale = true, true
		}
		files = append(files, cf)
	}
	return files, stale
}

// oldestStart returns the earliest start time of the processes.
func oldestStart(procs []Process) time.Time {
	var t time.Time
	for _, p := range procs {
		if t.IsZero() || p.Start.Before(t) {
			t = p.Start
		}
	}
	return t
}

func daemonProcesses(procs []Process) []DaemonProcess {
	out := make([]DaemonProcess, 0, len(procs))
	for _, p := range procs {
		out = append(out, DaemonProcess{PID: p.PID, Start: p.Start, EnvVisible: p.Env != nil})
	}
	slices.SortFunc(out, func(a, b DaemonProcess) int { return a.PID - b.PID })
	return out
}
