package stripegatetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the name of the HTTP header that carries the webhook
// signature.
const SignatureHeader = "Stripe-Signature"

// Sign returns the Stripe-Signature header value for payload signed with
// secret at time t, in the form "t=<unix seconds>,v1=<hex HMAC-SHA256>".
//
// The HMAC key is the whole secret, "whsec_" prefix included, and the signed
// message is the unix seconds of t, a dot, and the payload bytes unchanged.
// The fraction of a second in t is dropped. A handler that checks the
// timestamp rejects the header once t is further from its clock than its
// tolerance, so pass a past t to test that rejection.
func Sign(payload []byte, secret string, t time.Time) string {
	return SignAll(payload, []string{secret}, t)
}

// SignAll returns a Stripe-Signature header value with one v1 signature per
// secret, in the order given, as during a rotation of the signing secret.
// With no secrets the value is only "t=<unix seconds>", which a verifier
// rejects for having no signature.
func SignAll(payload []byte, secrets []string, t time.Time) string {
	timestamp := strconv.FormatInt(t.Unix(), 10)

	var header strings.Builder
	header.WriteString("t=" + timestamp)
	for _, secret := range secrets {
		header.WriteString(",v1=" + signature(payload, secret, timestamp))
	}
	return header.String()
}

// signature returns the hex HMAC-SHA256 of timestamp + "." + payload.
func signature(payload []byte, secret, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(payload)
	return hex.EncodeToString(mac.Sum(nil))
}
