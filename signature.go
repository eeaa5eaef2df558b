package stripegate

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// signatureHeader is the parsed Stripe-Signature header.
type signatureHeader struct {
	timestamp  int64
	signatures [][]byte // decoded v1 values; other schemes are dropped
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
			if len(value) != 2*sha256.Size || len(parsed.signatures) == maxSignatures {
				continue
			}
			sig, err := hex.DecodeString(value)
			if err != nil {
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

// verifier checks signatures against a fixed set of secrets.
type verifier struct {
	secrets   [][]byte
	tolerance time.Duration
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
	switch {
	case age > v.tolerance:
		return fmt.Errorf("%w: signed at %d, %s ago", ErrTimestampOutOfTolerance, parsed.timestamp, age.Round(time.Second))
	case age < -v.tolerance:
		return fmt.Errorf("%w: signed at %d, %s in the future", ErrTimestampOutOfTolerance, parsed.timestamp, signedAt.Sub(now).Round(time.Second))
	}

	var expected [sha256.Size]byte
	for _, secret := range v.secrets {
		computeSignature(expected[:0], secret, parsed.timestamp, body)
		for _, sig := range parsed.signatures {
			if hmac.Equal(expected[:], sig) {
				return nil
			}
		}
	}
	return ErrNoMatchingSignature
}

// computeSignature appends HMAC-SHA256(secret, "<timestamp>.<body>") to dst.
func computeSignature(dst, secret []byte, timestamp int64, body []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	var prefix [24]byte
	mac.Write(strconv.AppendInt(prefix[:0], timestamp, 10))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(dst)
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
