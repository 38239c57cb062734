//go:build unix

package trust

import (
	"testing"
	"time"
)

// FuzzReadStat checks that the /proc/PID/stat parser never panics and, on
// success, returns the name between the first '(' and the last ')'.
func FuzzReadStat(f *testing.F) {
	f.Add("4242 (nix-daemon) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 10000 0 0")
	f.Add("1 (a) b) c) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20")
	f.Add("1 (x) S")
	f.Fuzz(func(t *testing.T, stat string) {
		pr, ok := readStat(7, stat, time.Unix(0, 0))
		if !ok {
			if pr.PID != 0 || pr.Name != "" {
				t.Fatalf("failed parse returned %+v", pr)
			}
			return
		}
		if pr.PID != 7 || len(pr.Name) > len(stat) {
			t.Fatalf("%+v", pr)
		}
	})
}
