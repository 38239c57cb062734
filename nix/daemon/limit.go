package daemon

import (
	"sync"
	"time"
)

// limiter enforces the time limit of the operation in progress. With a
// connection that has SetDeadline (a socket, the pipes of a child), the
// limit is the read and write deadline; otherwise a watchdog timer closes
// the connection when it passes.
//
// A pipelined operation extends the limit each time a reply arrives, so
// that the limit bounds the wait for each reply rather than the whole
// batch. Once the operation's context is done, the limit is no longer
// extended: the past deadline set by cancel (or the closed connection)
// stays.
type limiter struct {
	c        *Client
	limit    time.Duration
	watchdog *time.Timer // nil when c.deadline is set

	mu       sync.Mutex
	canceled bool
}

// startLimit starts the time limit of an operation.
func (c *Client) startLimit(limit time.Duration) *limiter {
	l := &limiter{c: c, limit: limit}
	if c.deadline != nil {
		c.deadline.SetDeadline(time.Now().Add(limit))
	} else {
		l.watchdog = time.AfterFunc(limit, func() {
			c.expired.Store(true)
			c.closeConn()
		})
	}
	return l
}

// extend restarts the limit from now, unless it has passed or the
// operation was canceled.
func (l *limiter) extend() {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.canceled:
	case l.watchdog == nil:
		l.c.deadline.SetDeadline(time.Now().Add(l.limit))
	case l.watchdog.Stop():
		l.watchdog.Reset(l.limit)
	}
	// A watchdog that already fired has closed the connection.
}

// cancel interrupts the operation: blocked reads and writes fail at once.
func (l *limiter) cancel() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.canceled = true
	if l.watchdog == nil {
		l.c.deadline.SetDeadline(time.Unix(1, 0))
	} else {
		l.c.closeConn()
	}
}

func (l *limiter) wasCanceled() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.canceled
}

// stop ends the limit and reports whether the watchdog fired (the
// connection is then closed).
func (l *limiter) stop() (fired bool) {
	return l.watchdog != nil && !l.watchdog.Stop()
}
