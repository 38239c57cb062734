package main

import (
	"bytes"
	"testing"
)

func TestProgressLine(t *testing.T) {
	for _, tt := range []struct {
		done, total     int
		bytes, totBytes int64
		want            string
	}{
		{0, 40, 0, 0, "verifying 0/40 paths"},
		{12, 40, 1536, 0, "verifying 12/40 paths, 1.5 KiB"},
		{3, 5, 100 << 20, 500 << 20, "verifying 3/5 paths, 100.0 MiB/500.0 MiB"},
		{1, 1, 512, 3 << 30, "verifying 1/1 paths, 512 B/3.0 GiB"},
	} {
		if got := progressLine("verifying", tt.done, tt.total, tt.bytes, tt.totBytes); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// Nothing is shown when the output is not a terminal.
func TestProgressNotTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, "pushing", 10)
	p.update(1, 10, 100, 1000)
	p.update(10, 10, 1000, 1000)
	p.finish()
	if buf.Len() != 0 {
		t.Errorf("wrote %q", buf.String())
	}
	var nilP *progress
	nilP.update(1, 1, 1, 1)
	nilP.finish()
}

// On a terminal the line is rewritten in place and erased at the end.
func TestProgressTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, verb: "pushing"}
	p.update(1, 2, 10, 20)
	p.update(2, 2, 20, 20) // the last update is always shown
	p.finish()
	want := "\r\x1b[Kpushing 1/2 paths, 10 B/20 B\r\x1b[Kpushing 2/2 paths, 20 B/20 B\r\x1b[K"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}
