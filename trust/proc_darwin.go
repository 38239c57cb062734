package trust

import (
	"time"

	"golang.org/x/sys/unix"
)

// sysctlProcs lists processes with sysctl kern.proc.all. It cannot see
// their environment.
type sysctlProcs struct{}

func defaultProcessTable(machineFS, func() time.Time) ProcessTable { return sysctlProcs{} }

func (sysctlProcs) Daemons() ([]Process, error) {
	kps, err := unix.SysctlKinfoProcSlice("kern.proc.all")
	if err != nil {
		return nil, err
	}
	var procs []Process
	for _, kp := range kps {
		comm := kp.Proc.P_comm[:]
		for i, c := range comm {
			if c == 0 {
				comm = comm[:i]
				break
			}
		}
		name := string(comm)
		if !isDaemonName(name) {
			continue
		}
		st := kp.Proc.P_starttime
		procs = append(procs, Process{
			PID:   int(kp.Proc.P_pid),
			PPID:  int(kp.Eproc.Ppid),
			UID:   int(kp.Eproc.Ucred.Uid),
			Name:  name,
			Args:  []string{name},
			Start: time.Unix(int64(st.Sec), int64(st.Usec)*1000),
		})
	}
	return procs, nil
}
