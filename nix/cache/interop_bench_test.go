package cache

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixsign/nixsign/nix/nar"
	"github.com/nixsign/nixsign/nix/storepath"
)

// BenchmarkVsNixCopy copies one large path (the NAR of BenchmarkAdd,
// added to the store with nix-store --add) to a new cache, with
// `nix copy --to file://...?compression=C` and with Add fed by nar.Dump,
// in turns, so that the two are measured under the same load. It reports
// the time of each, the speedup, CPU time and peak RSS. It needs Nix,
// root and /usr/bin/time.
func BenchmarkVsNixCopy(b *testing.B) {
	if _, err := exec.LookPath("nix"); err != nil || os.Geteuid() != 0 {
		b.Skip("needs nix and root")
	}
	file, e := mixedNAR(b, *benchMB)
	tree := filepath.Join(b.TempDir(), "mixed")
	f, _ := os.Open(file)
	if err := nar.Restore(tree, f); err != nil {
		b.Fatal(err)
	}
	f.Close()
	env := append(os.Environ(), "NIX_CONFIG=experimental-features = nix-command\nsubstituters =")
	cmd := exec.Command("nix-store", "--add", tree)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		b.Fatal(err)
	}
	os.RemoveAll(tree)
	path := strings.TrimSpace(string(out))
	sp, _ := storepath.Parse(storepath.DefaultDir, path)
	e.Info.Path = sp
	for _, comp := range []Compression{Zstd, None} {
		// The two run in turns, so that both see the same load.
		b.Run(string(comp), func(b *testing.B) {
			b.SetBytes(int64(e.Info.NarSize))
			var nixTime, ourTime, nixCPU, ourCPU time.Duration
			var nixRSS int64
			resetPeakRSS()
			for range b.N {
				dir := b.TempDir()
				rssFile := filepath.Join(dir, "rss")
				cmd := exec.Command("/usr/bin/time", "-f", "%M", "-o", rssFile,
					"nix", "copy", "--to", "file://"+dir+"/cache?compression="+string(comp), path)
				cmd.Env = env
				start := time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("nix copy: %v\n%s", err, out)
				}
				nixTime += time.Since(start)
				nixCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				kb, _ := os.ReadFile(rssFile)
				rss, _ := strconv.ParseInt(strings.TrimSpace(string(kb)), 10, 64)
				nixRSS = max(nixRSS, rss<<10)

				c := newCache(b)
				start, cpu0 := time.Now(), cpuTime()
				pr, pw := io.Pipe()
				go func() {
					_, err := nar.Dump(pw, path)
					pw.CloseWithError(err)
				}()
				if err := c.Add(ctx, e, pr, comp); err != nil {
					b.Fatal(err)
				}
				ourTime += time.Since(start)
				ourCPU += cpuTime() - cpu0
			}
			n := float64(b.N)
			b.ReportMetric(nixTime.Seconds()/n, "nix-s/op")
			b.ReportMetric(ourTime.Seconds()/n, "Add-s/op")
			b.ReportMetric(nixTime.Seconds()/ourTime.Seconds(), "speedup")
			b.ReportMetric(nixCPU.Seconds()/n, "nix-cpu-s/op")
			b.ReportMetric(ourCPU.Seconds()/n, "Add-cpu-s/op")
			b.ReportMetric(float64(nixRSS)/(1<<20), "nix-peak-RSS-MiB")
			b.ReportMetric(float64(peakRSS())/(1<<20), "Add-peak-RSS-MiB")
		})
	}
}

// cpuTime returns the user and system time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
