package codec

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// Every writer's output reads back through the reader of its method: a
// NAR smaller than a zstd frame, an empty one, and for zstd one of several
// frames.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	big := make([]byte, frameSize+12345)
	for i := range big {
		big[i] = "abcdefgh"[rng.IntN(8)]
	}
	for method, newWriter := range Writers {
		for _, data := range [][]byte{big, big[:1000], nil} {
			if len(data) > frameSize && method != "zstd" {
				continue // xz takes a second
			}
			var file bytes.Buffer
			w, err := newWriter(&file, uint64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if n, err := w.Write(data); n != len(data) || err != nil {
				t.Fatalf("%s: Write = %d, %v", method, n, err)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("%s: Close: %v", method, err)
			}
			r, err := Readers[method](&file)
			if err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s, %d bytes: read back %d bytes, %v", method, len(data), len(got), err)
			}
		}
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

// The zstd writer returns the first error of w, from a later Write or from
// Close.
func TestZstdWriterError(t *testing.T) {
	want := errors.New("disk full")
	w, _ := NewZstdWriter(errWriter{want}, 3*frameSize)
	var err error
	for i := 0; i < 8 && err == nil; i++ {
		_, err = w.Write(make([]byte, frameSize))
	}
	if cerr := w.Close(); !errors.Is(err, want) || !errors.Is(cerr, want) {
		t.Errorf("Write: %v, Close: %v", err, cerr)
	}
}

func TestReaderErrors(t *testing.T) {
	for _, method := range []string{"xz", "gzip"} {
		if _, err := Readers[method](bytes.NewReader([]byte("garbage"))); err == nil {
			t.Errorf("%s: no error", method)
		}
	}
	for _, method := range []string{"zstd", "bzip2"} {
		r, err := Readers[method](bytes.NewReader([]byte("garbage")))
		if err == nil {
			_, err = io.ReadAll(r)
			r.Close()
		}
		if err == nil {
			t.Errorf("%s: no error", method)
		}
	}
}
