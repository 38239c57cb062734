package nar

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// writeFile writes size bytes of pseudo-random data (a repeated 1 MiB
// block: sha256 runs at the same speed on any data), and syncs them so
// that writeback does not compete with the benchmark.
func writeFile(tb testing.TB, p string, size int64) {
	tb.Helper()
	block := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{}).Read(block)
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	for size > 0 {
		n := min(size, int64(len(block)))
		if _, err := f.Write(block[:n]); err != nil {
			tb.Fatal(err)
		}
		size -= n
	}
	if err := f.Sync(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

func narSize(tb testing.TB, p string) int64 {
	n, err := Dump(io.Discard, p)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func benchHash(b *testing.B, p string) {
	b.SetBytes(narSize(b, p)) // also warms the page cache
	for b.Loop() {
		if _, _, err := Hash(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNARHash measures Hash on one large file (Nix 2.8.0 does about
// 1.28 GB/s here) and on a tree of 10,000 small files; "no-readahead"
// turns off the writer goroutine to show what overlapping I/O gains.
func BenchmarkNARHash(b *testing.B) {
	large := filepath.Join(b.TempDir(), "large")
	writeFile(b, large, 256<<20)
	b.Run("large-256MB", func(b *testing.B) {
		benchHash(b, large)
	})
	b.Run("large-256MB-no-readahead", func(b *testing.B) {
		readAhead = false
		defer func() { readAhead = true }()
		benchHash(b, large)
	})
	b.Run("large-256MB-multiwriter", func(b *testing.B) {
		// What observing the stream costs on top of the hash (here an
		// observer that only counts).
		b.SetBytes(narSize(b, large))
		for b.Loop() {
			var c counter
			if _, err := Dump(io.MultiWriter(sha256.New(), &c), large); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("small-10k", func(b *testing.B) {
		benchHash(b, manyFiles(b, b.TempDir(), 10000))
	})
}

type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

// BenchmarkValidate checks and hashes a 64 MB NAR from memory, as verifying
// a binary cache does after decompression.
func BenchmarkValidate(b *testing.B) {
	p := filepath.Join(b.TempDir(), "f")
	writeFile(b, p, 64<<20)
	var buf bytes.Buffer
	if _, err := Dump(&buf, p); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, _, err := Validate(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHashAll hashes a batch of 50 paths of mixed sizes (10 of 16 MB,
// 20 of 1 MB, 20 trees of 100 small files) on one worker and on all cores.
func BenchmarkHashAll(b *testing.B) {
	dir := b.TempDir()
	var paths []string
	for i := range 50 {
		p := filepath.Join(dir, fmt.Sprintf("p%02d", i))
		switch {
		case i%5 == 0:
			writeFile(b, p, 16<<20)
		case i%5 < 3:
			writeFile(b, p, 1<<20)
		default:
			p = manyFiles(b, p, 100)
		}
		paths = append(paths, p)
	}
	var total int64
	for _, p := range paths {
		total += narSize(b, p)
	}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers-%d", workers), func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				for _, r := range HashAll(paths, workers) {
					if r.Err != nil {
						b.Fatal(r.Err)
					}
				}
			}
		})
	}
}
