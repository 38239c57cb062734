package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress shows how far a long run is on one terminal line, rewritten in
// place at most ten times a second: "verifying 12/40 paths, 1.2/3.4 GiB".
// When stderr is not a terminal it shows nothing at all.
type progress struct {
	w     io.Writer // nil: not a terminal
	verb  string
	mu    sync.Mutex
	last  time.Time
	shown bool
}

// newProgress returns a progress line on w if w is a terminal.
func newProgress(w io.Writer, verb string, total int) *progress {
	p := &progress{verb: verb}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) && total > 0 {
		p.w = w
	}
	return p
}

// update shows done of total paths and bytes of totalBytes (0: unknown).
func (p *progress) update(done, total int, bytes, totalBytes int64) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "\r\x1b[K%s", progressLine(p.verb, done, total, bytes, totalBytes))
	p.shown = true
}

// finish erases the line.
func (p *progress) finish() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

func progressLine(verb string, done, total int, bytes, totalBytes int64) string {
	s := fmt.Sprintf("%s %d/%d paths", verb, done, total)
	switch {
	case totalBytes > 0:
		s += fmt.Sprintf(", %s/%s", humanBytes(bytes), humanBytes(totalBytes))
	case bytes > 0:
		s += ", " + humanBytes(bytes)
	}
	return s
}

// humanBytes formats n in binary units with one decimal: "512 B", "1.5 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
