package daemon

import (
	"strings"
)

// Messages the daemon sends while it works on a request (2.8.0
// worker-protocol.hh). Each is a u64 tag followed by its fields.
const (
	stderrNext          = 0x6f6c6d67 // str(line)
	stderrRead          = 0x64617461 // u64(max): the daemon wants data
	stderrWrite         = 0x64617416 // str(data) for a sink
	stderrLast          = 0x616c7473 // the reply follows
	stderrError         = 0x63787470 // the request failed, see readError
	stderrStartActivity = 0x53545254 // id, level, type, str(text), fields, parent
	stderrStopActivity  = 0x53544f50 // id
	stderrResult        = 0x52534c54 // id, type, fields
)

// RemoteError is a failure reported by the daemon (STDERR_ERROR), such as
// "you are not privileged to add signatures". The connection stays usable.
type RemoteError struct {
	// Message is the error text as the daemon sent it. Nix highlights
	// quoted values with ANSI escape sequences; Error strips them.
	Message string
	// Level is the Nix verbosity of the error (0 = error).
	Level int
	// Status is the exit status the daemon suggests; it is only sent by
	// daemons older than protocol 1.26, and is 0 otherwise.
	Status int
	// Traces are the "while ..." context lines of a structured error.
	Traces []string
}

// Error returns "nix-daemon: " followed by the message, without escape
// sequences.
func (e *RemoteError) Error() string { return "nix-daemon: " + stripANSI(e.Message) }

// processStderr reads daemon messages until STDERR_LAST or STDERR_ERROR.
// Log lines go to the logger; activities and results are read and dropped.
// A STDERR_ERROR is returned as a *RemoteError; any other error means the
// stream can no longer be trusted.
func (c *Client) processStderr() error {
	d := &c.dec
	for {
		msg := d.u64()
		if d.err != nil {
			return d.err
		}
		switch msg {
		case stderrLast:
			return nil
		case stderrNext:
			line := d.str()
			if d.err == nil && c.opts.Log != nil {
				c.opts.Log(strings.TrimRight(line, " \n\r\t"))
			}
		case stderrStartActivity:
			d.u64() // id
			d.u64() // level
			d.u64() // type
			d.str() // text
			readFields(d)
			d.u64() // parent
		case stderrStopActivity:
			d.u64() // id
		case stderrResult:
			d.u64() // id
			d.u64() // type
			readFields(d)
		case stderrError:
			re := c.readError()
			if d.err != nil {
				return d.err
			}
			return re
		case stderrWrite:
			return protoErrorf("unexpected STDERR_WRITE (the daemon sends data this client never asked for)")
		case stderrRead:
			return protoErrorf("unexpected STDERR_READ (the daemon asks for data this client never offered)")
		default:
			return protoErrorf("unknown message type 0x%x", msg)
		}
		if d.err != nil {
			return d.err
		}
	}
}

// readFields reads the fields of an activity or result: a count, then for each
// a type (0 = u64, 1 = string) and the value.
func readFields(d *decoder) {
	n := d.int("field count", maxFields)
	for range n {
		switch t := d.u64(); t {
		case 0:
			d.u64()
		case 1:
			d.str()
		default:
			if d.err == nil {
				d.fail(protoErrorf("unknown field type %d", t))
			}
		}
		if d.err != nil {
			return
		}
	}
}

// readError reads the body of STDERR_ERROR. From protocol 1.26 it is
// str("Error") u64(level) str(name) str(message) u64(havePos=0)
// u64(nTraces) {u64(havePos=0) str(trace)}; before, str(message) u64(status).
func (c *Client) readError() *RemoteError {
	d := &c.dec
	re := &RemoteError{}
	if minor(c.version) < 26 {
		re.Message = d.str()
		re.Status = d.int("exit status", 1<<31-1)
		return re
	}
	if typ := d.str(); d.err == nil && typ != "Error" {
		d.fail(protoErrorf("error of type %q, want \"Error\"", typ))
	}
	re.Level = d.int("error level", 1<<31-1)
	d.str() // name, always "Error"
	re.Message = d.str()
	if havePos := d.u64(); d.err == nil && havePos != 0 {
		d.fail(protoErrorf("error with a position (havePos %d)", havePos))
	}
	n := d.int("trace count", maxTraces)
	for range n {
		if havePos := d.u64(); d.err == nil && havePos != 0 {
			d.fail(protoErrorf("trace with a position (havePos %d)", havePos))
		}
		t := d.str()
		if d.err != nil {
			break
		}
		re.Traces = append(re.Traces, t)
	}
	return re
}

// stripANSI removes ANSI escape sequences (ESC [ ... final byte), which Nix
// uses to highlight values in messages.
func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && !(s[j] >= 0x40 && s[j] <= 0x7e) {
				j++
			}
			i = j // skip the final byte too
		}
	}
	return b.String()
}
