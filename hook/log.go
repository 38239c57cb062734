package hook

import (
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/nix/store"
)

// LogEntry is one line of the hook's log file (log_file in nixsign's
// config): one JSON object per path and run, such as
//
//	{"time":"2025-01-02T03:04:05.678Z","drv":"/nix/store/509v…-sigtest-a.drv","path":"/nix/store/qyg4…-sigtest-a",
//	 "status":"signed","key":"test-key-1","key_source":"key_file in /etc/nixsign/config.toml:1",
//	 "store":"daemon","outputs_from":"drv"}
//
// (one line in the file), or, when the run failed before it knew the paths
// (the outputs could not be found, or only the store knows them and the
// run failed before it asked), one line for the derivation, without path
// and with status "unsigned". It never holds key material.
type LogEntry struct {
	Time        string `json:"time"` // RFC 3339, UTC, milliseconds
	Drv         string `json:"drv,omitempty"`
	Path        string `json:"path,omitempty"`
	Status      string `json:"status"` // StatusSigned, StatusAlreadySigned, StatusUnsigned
	Key         string `json:"key,omitempty"`
	KeySource   string `json:"key_source,omitempty"`
	Store       string `json:"store,omitempty"`
	OutputsFrom string `json:"outputs_from,omitempty"`
	PushedTo    string `json:"pushed_to,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Values of LogEntry.Status.
const (
	StatusSigned        = "signed"         // the hook added its signature
	StatusAlreadySigned = "already-signed" // the path had the signature already
	StatusUnsigned      = "unsigned"       // the hook failed to sign the path
)

// appendLog appends entries to the log file at path, creating it with mode
// 0644. All lines go out in one write to a file opened with O_APPEND, so
// hooks that run at the same time (one per build) never interleave lines.
func appendLog(path string, entries []LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	var buf []byte
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		buf = append(append(buf, b...), '\n')
	}
	// O_NOFOLLOW: the hook runs as root, and a link planted where the log
	// goes must not make it append to another file.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o644)
	if err != nil {
		return err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%s: not a regular file", path)
		}
		return err
	}
	_, err = f.Write(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// logTime formats t as log entries do.
func logTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// log appends the run's entries to log_file.
func (r *run) log(runErr error) {
	if r.logPath == "" {
		return
	}
	if r.res.Outputs == nil {
		// The outputs are unknown: one line for the derivation.
		e := LogEntry{Time: logTime(r.opts.now()), Drv: r.opts.getenv("DRV_PATH"), Status: StatusUnsigned}
		if runErr != nil {
			e.Error = runErr.Error()
		}
		r.appendLog([]LogEntry{e})
		return
	}
	base := LogEntry{Time: logTime(r.opts.now()), Drv: r.res.Outputs.Drv, Key: r.res.Key, Store: r.res.Store,
		OutputsFrom: r.res.Outputs.From}
	if r.ref != nil {
		base.KeySource = r.ref.Source.String()
	}
	if r.cfg != nil && len(r.res.Pushed) > 0 {
		base.PushedTo = r.cfg.PushTo
	}
	status := make(map[string]string)
	for i, info := range r.infos {
		if i < len(r.already) && r.already[i] {
			status[info.Path.Abs(r.dir)] = StatusAlreadySigned
		}
	}
	for _, p := range r.res.Signed {
		if status[p] == "" {
			status[p] = StatusSigned
		}
	}
	paths := r.res.Outputs.Paths
	if len(r.infos) > 0 {
		paths = store.Paths(r.dir, r.infos)
	}
	if len(paths) == 0 {
		// Outputs whose paths only the store knows, and the run failed
		// before it asked: one line for the derivation.
		e := base
		e.Status = StatusUnsigned
		if runErr != nil {
			e.Error = runErr.Error()
		}
		r.appendLog([]LogEntry{e})
		return
	}
	entries := make([]LogEntry, 0, len(paths))
	for _, p := range paths {
		e := base
		e.Path, e.Status = p, status[p]
		if e.Status == "" {
			e.Status = StatusUnsigned
			if runErr != nil {
				e.Error = runErr.Error()
			}
		}
		entries = append(entries, e)
	}
	r.appendLog(entries)
}

func (r *run) appendLog(entries []LogEntry) {
	if err := appendLog(r.logPath, entries); err != nil {
		src, _ := r.cfg.Source(config.LogFile)
		r.opts.warn("%s: %v", src, err)
	}
}
