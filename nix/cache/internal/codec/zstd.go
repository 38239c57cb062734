package codec

import (
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// The zstd compressor writes a sequence of independent frames of frameSize
// NAR bytes each, which every zstd reader decodes as one stream: Nix 2.8.0
// reads them through libarchive (TestInterop in package cache), and newer
// Nix writes 16 MiB frames itself (ZstdMultiFrameCompressionSink). Frames
// are compressed concurrently: one cache.Add keeps every core busy on a
// large NAR, while all Adds share one encoder of GOMAXPROCS workers, so that
// callers adding several paths at once do not oversubscribe the machine.
// Each Add holds at most maxInFlight frames being compressed or written and
// one being filled, about 20 MB of buffers whatever the size of the NAR.
// 4 MiB frames cost 0.1% in size against one stream (0.4497 against 0.4493
// of the mixed NAR of package cache's BenchmarkAdd).
//
// The level is SpeedDefault, klauspost's match for libzstd's level 3 (the
// level Nix 2.8.0 gets from libarchive; its sizes are within 0.3%), and
// like Nix we write no content checksum: the NAR hash covers the contents,
// and a flipped byte then reads as a modified path in `nix store verify`
// (exit 1) rather than as a decompression error (exit 4).
const (
	frameSize   = 4 << 20
	maxInFlight = 2
)

var zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
	e, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithEncoderCRC(false),
		zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)))
	if err != nil {
		panic(err) // the options are constant
	}
	return e
})

// frameBufs holds buffers of frameBufCap bytes, for frames before and after
// compression (zstd's bound for incompressible input is below it).
var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, frameBufCap); return &b }}

const frameBufCap = frameSize + frameSize/64 + 4096

// frameWriter compresses what is written to it into zstd frames written
// to w in order.
type frameWriter struct {
	w     io.Writer
	size  int           // NAR bytes per frame
	buf   *[]byte       // the frame being filled; nil when none
	queue chan *frame   // frames in order, to writeLoop
	done  chan struct{} // closed when writeLoop returns
	mu    sync.Mutex
	err   error // w's first error
}

type frame struct {
	src, dst *[]byte
	ready    chan struct{} // closed when dst holds the compressed frame
}

// NewZstdWriter returns a writer compressing to w, in frames, a NAR of
// about narSize bytes (a small NAR gets one frame of its own size). Close
// writes what is left and waits for every frame to be written; it does not
// close w.
func NewZstdWriter(w io.Writer, narSize uint64) (io.WriteCloser, error) {
	return newFrameWriter(w, narSize), nil
}

func newFrameWriter(w io.Writer, narSize uint64) *frameWriter {
	fw := &frameWriter{
		w:     w,
		size:  int(max(min(narSize, frameSize), 1)),
		queue: make(chan *frame, maxInFlight-1),
		done:  make(chan struct{}),
	}
	go fw.writeLoop()
	return fw
}

func (fw *frameWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if err := fw.error(); err != nil {
			return n, err
		}
		if fw.buf == nil {
			fw.buf = getFrameBuf(fw.size)
		}
		k := min(len(p), fw.size-len(*fw.buf))
		*fw.buf = append(*fw.buf, p[:k]...)
		n, p = n+k, p[k:]
		if len(*fw.buf) == fw.size {
			fw.flush()
		}
	}
	return n, nil
}

// flush starts compressing the frame being filled.
func (fw *frameWriter) flush() {
	f := &frame{src: fw.buf, ready: make(chan struct{})}
	fw.buf = nil
	go func() {
		f.dst = getFrameBuf(len(*f.src) + len(*f.src)/64 + 4096)
		*f.dst = zstdEncoder().EncodeAll(*f.src, *f.dst)
		close(f.ready)
	}()
	fw.queue <- f // waits while maxInFlight frames are in flight
}

func (fw *frameWriter) writeLoop() {
	defer close(fw.done)
	for f := range fw.queue {
		<-f.ready
		if fw.error() == nil {
			if _, err := fw.w.Write(*f.dst); err != nil {
				fw.mu.Lock()
				fw.err = err
				fw.mu.Unlock()
			}
		}
		putFrameBuf(f.src)
		putFrameBuf(f.dst)
	}
}

func (fw *frameWriter) error() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.err
}

// Close compresses and writes what is left and waits for every frame to be
// written.
func (fw *frameWriter) Close() error {
	if fw.buf != nil {
		fw.flush()
	}
	close(fw.queue)
	<-fw.done
	return fw.error()
}

// getFrameBuf returns an empty buffer of capacity at least n: pooled when
// n fits a pooled buffer, else new.
func getFrameBuf(n int) *[]byte {
	if n > frameBufCap {
		b := make([]byte, 0, n)
		return &b
	}
	if n < frameBufCap/8 {
		b := make([]byte, 0, n) // a small NAR: do not hold a large buffer
		return &b
	}
	b := frameBufs.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

func putFrameBuf(b *[]byte) {
	if cap(*b) == frameBufCap {
		frameBufs.Put(b)
	}
}

var zstdReaders = sync.Pool{New: func() any {
	d, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(2),
		// libzstd, which Nix uses, refuses windows over 128 MiB by default.
		zstd.WithDecoderMaxWindow(128<<20),
		zstd.WithDecoderLowmem(true))
	if err != nil {
		panic(err)
	}
	return d
}}

// NewZstdReader returns a reader of the decompressed r, from a pool of
// decoders; Close returns it to the pool (and does not close r).
func NewZstdReader(r io.Reader) (io.ReadCloser, error) {
	d := zstdReaders.Get().(*zstd.Decoder)
	if err := d.Reset(r); err != nil {
		zstdReaders.Put(d)
		return nil, err
	}
	return zstdReader{d}, nil
}

// zstdReader is a pooled decoder. It keeps the decoder's WriteTo, which
// io.Copy uses, and replaces its Close, which would end it.
type zstdReader struct{ *zstd.Decoder }

func (r zstdReader) Close() error {
	r.Decoder.Reset(nil)
	zstdReaders.Put(r.Decoder)
	return nil
}
