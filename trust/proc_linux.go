package trust

import "time"

func defaultProcessTable(m machineFS, now func() time.Time) ProcessTable {
	return ProcFS(m.host("/proc"), now)
}
