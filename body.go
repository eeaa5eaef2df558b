package stripegate

import (
	"errors"
	"io"
	"slices"
	"sync"
)

// errOverLimit is returned by readLimited when the body exceeds the limit.
var errOverLimit = errors.New("body exceeds the limit")

// readLimited appends the contents of r to buf until io.EOF and returns the
// result. It reads at most limit+1 bytes and returns errOverLimit once it
// has read more than limit. A reader that returns no data and no error 100
// times in a row gets io.ErrNoProgress.
func readLimited(r io.Reader, buf []byte, limit int64) ([]byte, error) {
	const maxEmptyReads = 100
	emptyReads := 0
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(512, len(buf)))
		}
		room := buf[len(buf):cap(buf)]
		if left := limit + 1 - int64(len(buf)); int64(len(room)) > left {
			room = room[:left]
		}

		n, err := r.Read(room)
		buf = buf[:len(buf)+n]
		switch {
		case int64(len(buf)) > limit:
			return buf, errOverLimit
		case err == io.EOF:
			return buf, nil
		case err != nil:
			return buf, err
		}

		if n > 0 {
			emptyReads = 0
			continue
		}
		emptyReads++
		if emptyReads == maxEmptyReads {
			return buf, io.ErrNoProgress
		}
	}
}

// maxPooledBody is the largest body buffer kept for reuse. The events in
// testdata are 1 to 6 KB; a rare large body should not keep its memory
// held in the pool.
const maxPooledBody = 64 << 10

// bodyPool holds *[]byte buffers for request bodies.
var bodyPool = sync.Pool{New: func() any { return new([]byte) }}

// getBodyBuffer returns an empty buffer for a request body.
func getBodyBuffer() *[]byte {
	buf := bodyPool.Get().(*[]byte)
	*buf = (*buf)[:0]
	return buf
}

// putBodyBuffer returns a buffer to the pool. Nothing may refer to its
// contents afterwards.
func putBodyBuffer(buf *[]byte) {
	if cap(*buf) > maxPooledBody {
		return
	}
	bodyPool.Put(buf)
}
