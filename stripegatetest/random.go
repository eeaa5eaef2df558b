package stripegatetest

import (
	"crypto/rand"
	"encoding/hex"
)

const alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// maxUnbiasedByte is the largest multiple of len(alphanumeric) that fits in a
// byte. Random bytes at or above it are skipped, so that every character is
// equally likely.
const maxUnbiasedByte = 256 / len(alphanumeric) * len(alphanumeric)

// randomString returns n characters drawn uniformly from alphanumeric.
func randomString(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	for len(out) < n {
		readRandom(buf)

		for _, b := range buf {
			if int(b) >= maxUnbiasedByte {
				continue
			}
			out = append(out, alphanumeric[int(b)%len(alphanumeric)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}

// randomID returns a random Stripe-style ID such as "evt_" followed by 24
// alphanumeric characters.
func randomID(prefix string) string {
	return prefix + randomString(24)
}

// randomUUID returns a random version 4 UUID in its 36-character text form.
func randomUUID() string {
	var b [16]byte
	readRandom(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant

	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// readRandom fills buf from crypto/rand. From Go 1.24 on, crypto/rand.Read
// never returns an error, so the panic can only happen with older Go.
func readRandom(buf []byte) {
	if _, err := rand.Read(buf); err != nil {
		panic("stripegatetest: read random bytes: " + err.Error())
	}
}
