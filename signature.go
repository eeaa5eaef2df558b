package stripegate

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"
)

// signatureHeader is the parsed Stripe-Signature header.
type signatureHeader struct {
	timestamp  int64
	signatures [][sha256.Size]byte // decoded v1 values; other schemes are dropped
}

// maxSignatures bounds how many v1 values one header may carry, so a huge
// header cannot make the handler compute one comparison per byte. Stripe
// sends one per active secret, two during a rotation.
const maxSignatures = 16

// parseSignatureHeader parses "t=<unix>,v1=<hex>[,v1=<hex>...]". Values of
// other schemes (v0 and unknown ones) and v1 values that are not hex of the
// SHA-256 size are skipped. A second t= is rejected: a signer never sends
// one, and accepting either would make the header ambiguous.
func parseSignatureHeader(header string) (signatureHeader, error) {
	var parsed signatureHeader
	if header == "" {
		return parsed, ErrMissingSignature
	}

	seenTimestamp := false
	for len(header) > 0 {
		var item string
		item, header, _ = strings.Cut(header, ",")
		key, value, ok := strings.Cut(item, "=")
		if !ok {
			continue
		}

		switch key {
		case "t":
			if seenTimestamp {
				return parsed, fmt.Errorf("%w: more than one timestamp", ErrInvalidSignatureHeader)
			}
			seenTimestamp = true
			t, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return parsed, fmt.Errorf("%w: timestamp is not a unix time", ErrInvalidSignatureHeader)
			}
			parsed.timestamp = t
		case "v1":
			var sig [sha256.Size]byte
			if len(parsed.signatures) == maxSignatures || !decodeHex(sig[:], value) {
				continue
			}
			parsed.signatures = append(parsed.signatures, sig)
		}
	}

	if !seenTimestamp {
		return parsed, fmt.Errorf("%w: no timestamp", ErrInvalidSignatureHeader)
	}
	if len(parsed.signatures) == 0 {
		return parsed, fmt.Errorf("%w: no v1 signature", ErrInvalidSignatureHeader)
	}
	return parsed, nil
}

// decodeHex decodes src, which must be exactly 2*len(dst) hex digits of
// either case, into dst. Unlike encoding/hex it takes a string, so a header
// value needs no copy.
func decodeHex(dst []byte, src string) bool {
	if len(src) != 2*len(dst) {
		return false
	}
	for i := range dst {
		high, okHigh := hexDigit(src[2*i])
		low, okLow := hexDigit(src[2*i+1])
		if !okHigh || !okLow {
			return false
		}
		dst[i] = high<<4 | low
	}
	return true
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	default:
		return 0, false
	}
}

// verifier checks signatures against a fixed set of secrets.
type verifier struct {
	secrets   [][]byte
	tolerance time.Duration

	// macs holds, for each secret, HMAC states keyed with it for reuse
	// across requests. A verifier built without them (in tests) keys a new
	// state on each request.
	macs []*sync.Pool
}

// newVerifier returns a verifier of the secrets with a pool of keyed HMAC
// states for each.
func newVerifier(secrets []string, tolerance time.Duration) verifier {
	v := verifier{tolerance: tolerance}
	for _, s := range secrets {
		key := []byte(s)
		v.secrets = append(v.secrets, key)
		v.macs = append(v.macs, &sync.Pool{New: func() any { return newMAC(key) }})
	}
	return v
}

// verify checks the header against the raw body. The timestamp must be
// within tolerance of now in both directions, and at least one v1 value must
// match the HMAC of one secret. Every comparison takes constant time.
func (v *verifier) verify(body []byte, header string, now time.Time) error {
	parsed, err := parseSignatureHeader(header)
	if err != nil {
		return err
	}

	signedAt := time.Unix(parsed.timestamp, 0)
	age := now.Sub(signedAt)
	if age > v.tolerance || age < -v.tolerance {
		return fmt.Errorf("%w: signed at %d, %s from now", ErrTimestampOutOfTolerance, parsed.timestamp, age.Round(time.Second))
	}

	for i := range v.secrets {
		if v.matches(i, parsed, body) {
			return nil
		}
	}
	return ErrNoMatchingSignature
}

// matches reports whether one of the header's signatures is the body's
// signature under secret i. It takes a pooled HMAC state when the verifier
// has them.
func (v *verifier) matches(i int, parsed signatureHeader, body []byte) bool {
	var m *mac
	if i < len(v.macs) {
		m = v.macs[i].Get().(*mac)
		defer v.macs[i].Put(m)
	} else {
		m = newMAC(v.secrets[i])
	}

	expected := m.sum(parsed.timestamp, body)
	for _, sig := range parsed.signatures {
		if hmac.Equal(expected, sig[:]) {
			return true
		}
	}
	return false
}

// mac is an HMAC-SHA256 state keyed with one secret, with room for the
// signed prefix and the result, so that signing allocates nothing.
type mac struct {
	hash   hash.Hash
	prefix [24]byte // "<timestamp>.": up to 19 digits, a sign and the dot
	out    [sha256.Size]byte
}

func newMAC(secret []byte) *mac {
	return &mac{hash: hmac.New(sha256.New, secret)}
}

// sum returns HMAC-SHA256(secret, "<timestamp>.<body>"), valid until the
// next call. Reset first brings the state back to just after the key, so a
// state can sign again.
func (m *mac) sum(timestamp int64, body []byte) []byte {
	m.hash.Reset()
	prefix := strconv.AppendInt(m.prefix[:0], timestamp, 10)
	prefix = append(prefix, '.')
	m.hash.Write(prefix)
	m.hash.Write(body)
	return m.hash.Sum(m.out[:0])
}

// computeSignature appends HMAC-SHA256(secret, "<timestamp>.<body>") to dst.
func computeSignature(dst, secret []byte, timestamp int64, body []byte) []byte {
	return append(dst, newMAC(secret).sum(timestamp, body)...)
}

// checkSecret rejects a value that cannot be a webhook signing secret.
func checkSecret(secret string) error {
	switch {
	case secret == "":
		return errors.New("empty webhook secret: set the endpoint's signing secret (whsec_...) from the Stripe dashboard or `stripe listen`")
	case strings.HasPrefix(secret, "sk_") || strings.HasPrefix(secret, "rk_") || strings.HasPrefix(secret, "pk_"):
		return fmt.Errorf("webhook secret is an API key (%s...): use the endpoint's signing secret, which starts with whsec_", secret[:3])
	case !strings.HasPrefix(secret, "whsec_"):
		return errors.New("webhook secret does not start with whsec_: use the endpoint's signing secret from the Stripe dashboard or `stripe listen`")
	case strings.ContainsAny(secret, ", \t\r\n"):
		return errors.New("webhook secret contains spaces or commas: pass each secret as its own list element")
	}
	return nil
}
