package stripegate

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// zeroReader returns no data and no error, as an io.Reader should not.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestReadLimited(t *testing.T) {
	errBroken := errors.New("connection reset")
	tests := []struct {
		name    string
		reader  io.Reader
		prefix  string
		limit   int64
		want    string
		wantErr error
	}{
		{"empty", strings.NewReader(""), "", 10, "", nil},
		{"below limit", strings.NewReader("abc"), "", 10, "abc", nil},
		{"at limit", strings.NewReader("0123456789"), "", 10, "0123456789", nil},
		{"one byte over", strings.NewReader("0123456789x"), "", 10, "0123456789x", errOverLimit},
		{"far over stops early", strings.NewReader(strings.Repeat("x", 10000)), "", 10, strings.Repeat("x", 11), errOverLimit},
		{"one byte at a time", iotest.OneByteReader(strings.NewReader("abcdef")), "", 10, "abcdef", nil},
		{"data with EOF", iotest.DataErrReader(strings.NewReader("abc")), "", 10, "abc", nil},
		{"keeps what buf held", strings.NewReader("def"), "abc", 10, "abcdef", nil},
		{"read error", io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(errBroken)), "", 10, "ab", errBroken},
		{"no progress", zeroReader{}, "", 10, "", io.ErrNoProgress},
		{"zero limit", strings.NewReader("a"), "", 0, "a", errOverLimit},
		{"larger than first growth", strings.NewReader(strings.Repeat("y", 5000)), "", 1 << 20, strings.Repeat("y", 5000), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readLimited(tt.reader, []byte(tt.prefix), tt.limit)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if string(got) != tt.want {
				t.Errorf("read %d bytes %.20q..., want %d bytes %.20q...", len(got), got, len(tt.want), tt.want)
			}
		})
	}
}

func TestBodyBufferPool(t *testing.T) {
	buf := getBodyBuffer()
	if len(*buf) != 0 {
		t.Fatalf("new buffer has %d bytes, want 0", len(*buf))
	}

	*buf = append(*buf, "a stale body"...)
	putBodyBuffer(buf)
	if again := getBodyBuffer(); len(*again) != 0 {
		t.Errorf("reused buffer has %d bytes, want 0", len(*again))
	}

	big := bytes.Repeat([]byte("x"), maxPooledBody+1)
	putBodyBuffer(&big) // dropped, not kept
	for range 4 {
		if got := getBodyBuffer(); cap(*got) > maxPooledBody {
			t.Errorf("pool returned a %d-byte buffer, above the %d-byte cap", cap(*got), maxPooledBody)
		}
	}
}
