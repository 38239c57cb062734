package cache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nixsign/nixsign/nix/nar"
)

var benchMB = flag.Int("bench-mb", 256, "size in MiB of the NAR of BenchmarkAdd and BenchmarkNAR")

// mixedNAR writes, once per process, a NAR of about mb MiB to a file: a
// directory of 1 MiB files that are, in turn, random bytes (incompressible,
// like compressed assets), text made of random words (compresses about
// 3:1, like sources and docs) and sparse binary (mostly zeros, like object
// files). It returns the file's name and the Entry for it.
func mixedNAR(b *testing.B, mb int) (string, Entry) {
	mixedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nixsign-bench-")
		if err != nil {
			b.Fatal(err)
		}
		mixedFile = filepath.Join(dir, "mixed.nar")
		f, err := os.Create(mixedFile)
		if err != nil {
			b.Fatal(err)
		}
		h := sha256.New()
		bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
		w := nar.NewWriter(bw)
		w.WriteHeader(&nar.Header{Path: "/", Type: nar.TypeDirectory})
		rng := rand.New(rand.NewPCG(1, 2))
		words := strings.Fields("the of and to in is that for it as with was on be by this are or from at which an have not but all were when there can more if no out so said what up its about into than them only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three")
		buf := make([]byte, 1<<20)
		for i := range mb {
			switch i % 3 {
			case 0:
				for j := 0; j < len(buf); j += 8 {
					v := rng.Uint64()
					for k := range 8 {
						buf[j+k] = byte(v >> (8 * k))
					}
				}
			case 1:
				t := buf[:0]
				for len(t) < len(buf)-20 {
					t = append(t, words[rng.IntN(len(words))]...)
					t = append(t, " \n"[rng.IntN(12)/11])
				}
				for len(t) < len(buf) {
					t = append(t, '\n')
				}
			case 2:
				clear(buf)
				for range 4096 {
					buf[rng.IntN(len(buf))] = byte(rng.Uint32())
				}
			}
			name := "f" + strconv.Itoa(100000+i)
			w.WriteHeader(&nar.Header{Path: "/" + name, Type: nar.TypeRegular, Size: int64(len(buf))})
			w.Write(buf)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		bw.Flush()
		fi, _ := f.Stat()
		f.Close()
		mixedEntry = entryFor(b, "00000000000000000000000000000000-mixed", nil)
		mixedEntry.Info.NarHash.Digest = h.Sum(nil)
		mixedEntry.Info.NarSize = uint64(fi.Size())
	})
	return mixedFile, mixedEntry
}

var (
	mixedOnce  sync.Once
	mixedFile  string
	mixedEntry Entry
)

func TestMain(m *testing.M) {
	code := m.Run()
	if mixedFile != "" {
		os.RemoveAll(filepath.Dir(mixedFile))
	}
	os.Exit(code)
}

// BenchmarkAdd adds a large NAR, read from a file, per compression. It
// reports the compressed size and the process's peak RSS during the run.
func BenchmarkAdd(b *testing.B) {
	file, e := mixedNAR(b, *benchMB)
	for _, comp := range compressions {
		b.Run(string(comp), func(b *testing.B) {
			b.SetBytes(int64(e.Info.NarSize))
			b.ReportAllocs()
			var size int64
			resetPeakRSS()
			for range b.N {
				b.StopTimer()
				c := newCache(b)
				f, err := os.Open(file)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := c.Add(ctx, e, f, comp); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				f.Close()
				ni, _ := c.NarInfo(ctx, e.Info.Path.Abs(c.storeDir))
				size = int64(ni.FileSize)
				os.RemoveAll(c.dir)
				b.StartTimer()
			}
			b.ReportMetric(float64(size)/float64(e.Info.NarSize), "ratio")
			b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
		})
	}
}

// BenchmarkNAR reads the large NAR back, checking every hash, per
// compression.
func BenchmarkNAR(b *testing.B) {
	file, e := mixedNAR(b, *benchMB)
	for _, comp := range compressions {
		b.Run(string(comp), func(b *testing.B) {
			c := newCache(b)
			f, _ := os.Open(file)
			if err := c.Add(ctx, e, f, comp); err != nil {
				b.Fatal(err)
			}
			f.Close()
			path := e.Info.Path.Abs(c.storeDir)
			b.SetBytes(int64(e.Info.NarSize))
			b.ReportAllocs()
			resetPeakRSS()
			b.ResetTimer()
			for range b.N {
				if err := c.NAR(ctx, path, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
		})
	}
}

// BenchmarkAddSmall adds 1,000 small paths (the common case of a closure).
func BenchmarkAddSmall(b *testing.B) {
	data := narFile(b, bytes.Repeat([]byte("small file\n"), 400))
	e := entryFor(b, "00000000000000000000000000000000-small", data)
	for _, comp := range compressions {
		b.Run(string(comp), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				b.StopTimer()
				c := newCache(b)
				b.StartTimer()
				for i := range 1000 {
					e.Info.Path.Digest = strconv.Itoa(10000000+i) + e.Info.Path.Digest[8:]
					if err := c.Add(ctx, e, bytes.NewReader(data), comp); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// resetPeakRSS resets the kernel's record of the peak RSS (Linux).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns the peak RSS in bytes since resetPeakRSS (Linux; 0
// elsewhere).
func peakRSS() int64 {
	data, _ := os.ReadFile("/proc/self/status")
	for l := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
