package stripegatetest

// SecretPrefix is the prefix of Stripe webhook signing secrets. It is part of
// the HMAC key, so a secret must be used whole, prefix included.
const SecretPrefix = "whsec_"

// NewSecret returns a random signing secret of the form "whsec_" followed by
// 32 alphanumeric characters, drawn from crypto/rand. Use it in tests and
// demos in place of a secret from a Stripe account.
func NewSecret() string {
	return SecretPrefix + randomString(32)
}
