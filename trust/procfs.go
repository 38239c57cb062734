//go:build unix

package trust

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// procFS reads processes from a proc file system mounted at dir.
type procFS struct {
	dir string
	now func() time.Time
}

// ProcFS returns the process table of the Linux proc file system mounted
// at dir (normally /proc); now (nil for time.Now) is the clock that start
// times are computed from, with dir's uptime.
func ProcFS(dir string, now func() time.Time) ProcessTable {
	if now == nil {
		now = time.Now
	}
	return procFS{dir: dir, now: now}
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's start time: 100 on
// every Linux architecture Nix runs on.
const clockTicks = 100

func (p procFS) Daemons() ([]Process, error) {
	ents, err := os.ReadDir(p.dir)
	if err != nil {
		return nil, err
	}
	boot, err := p.bootTime()
	if err != nil {
		return nil, err
	}
	// Most processes are not daemons: read only their name, the cheapest
	// file. A busy daemon has a child per connection, with its name: read
	// the parent of each, and the rest only of those whose parent is not
	// one of them.
	var cands []Process
	names := map[int]bool{}
	buf := make([]byte, 512)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := p.dir + "/" + e.Name()
		if !isDaemonName(readSmall(dir+"/comm", buf)) {
			continue
		}
		if pr, ok := readStat(pid, readSmall(dir+"/stat", buf), boot); ok {
			cands = append(cands, pr)
			names[pid] = true
		}
	}
	var procs []Process
	for _, pr := range cands {
		if !names[pr.PPID] {
			procs = append(procs, p.details(pr))
		}
	}
	return procs, nil
}

// bootTime returns when the clock that /proc/PID/stat counts start times in
// started: now less /proc/uptime, accurate to a tick (btime in /proc/stat
// is only accurate to a second).
func (p procFS) bootTime() (time.Time, error) {
	now := p.now()
	data, err := os.ReadFile(p.dir + "/uptime")
	if err != nil {
		return time.Time{}, err
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return time.Time{}, &os.PathError{Op: "parse", Path: p.dir + "/uptime", Err: os.ErrInvalid}
	}
	up, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return time.Time{}, err
	}
	return now.Add(-time.Duration(up * float64(time.Second))), nil
}

// readStat parses /proc/PID/stat: "pid (comm) state ppid ...", field 22
// the start time in clock ticks since boot; comm may hold ')'.
func readStat(pid int, stat string, boot time.Time) (Process, bool) {
	open, close := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if open < 0 || close < open {
		return Process{}, false
	}
	pr := Process{PID: pid, Name: stat[open+1 : close], UID: -1}
	f := strings.Fields(stat[close+1:])
	if len(f) < 20 {
		return Process{}, false
	}
	pr.PPID, _ = strconv.Atoi(f[1])
	ticks, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return Process{}, false
	}
	pr.Start = boot.Add(time.Duration(ticks) * (time.Second / clockTicks))
	return pr, true
}

// details reads the owner, command line, environment and working directory
// of a process.
func (p procFS) details(pr Process) Process {
	dir := p.dir + "/" + strconv.Itoa(pr.PID)
	if fi, err := os.Stat(dir); err == nil {
		pr.UID, _ = owner(fi)
	}
	if data, err := os.ReadFile(dir + "/cmdline"); err == nil {
		pr.Args = splitNul(data)
	}
	if data, err := os.ReadFile(dir + "/environ"); err == nil {
		pr.Env = make(map[string]string)
		for _, kv := range splitNul(data) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				if _, dup := pr.Env[k]; !dup {
					pr.Env[k] = v
				}
			}
		}
	}
	pr.Cwd, _ = os.Readlink(dir + "/cwd")
	return pr
}

// readSmall returns the first line of a small file, "" on error.
func readSmall(name string, buf []byte) string {
	fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return ""
	}
	n, _ := syscall.Read(fd, buf)
	syscall.Close(fd)
	if n <= 0 {
		return ""
	}
	return strings.TrimSuffix(string(buf[:n]), "\n")
}

func splitNul(data []byte) []string {
	data = bytes.TrimSuffix(data, []byte{0})
	if len(data) == 0 {
		return nil
	}
	return strings.Split(string(data), "\x00")
}

var _ ProcessTable = procFS{}
