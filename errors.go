package stripegate

import "errors"

// Errors a webhook request can fail with. The handler logs them with the
// "error" key and picks the HTTP status from them; WebhookConfig.OnEvent receives
// them too. Match them with errors.Is.
var (
	// ErrMethodNotAllowed is returned when the request is not a POST.
	ErrMethodNotAllowed = errors.New("stripegate: method not allowed, webhooks are POST requests")

	// ErrBodyTooLarge is returned when the body exceeds the configured
	// MaxBodyBytes.
	ErrBodyTooLarge = errors.New("stripegate: request body too large")

	// ErrReadBody is returned when reading the request body failed, for
	// example because the client went away.
	ErrReadBody = errors.New("stripegate: failed to read request body")

	// ErrMissingSignature is returned when the Stripe-Signature header is
	// absent or empty.
	ErrMissingSignature = errors.New("stripegate: missing Stripe-Signature header")

	// ErrInvalidSignatureHeader is returned when the Stripe-Signature header
	// has no valid timestamp or no v1 signature.
	ErrInvalidSignatureHeader = errors.New("stripegate: invalid Stripe-Signature header")

	// ErrTimestampOutOfTolerance is returned when the signed timestamp is
	// further in the past or the future than the configured tolerance.
	ErrTimestampOutOfTolerance = errors.New("stripegate: signature timestamp outside tolerance")

	// ErrNoMatchingSignature is returned when no v1 signature matches any
	// configured secret: a wrong secret, or a body changed after signing.
	ErrNoMatchingSignature = errors.New("stripegate: no signature matches the configured secrets")

	// ErrInvalidEvent is returned when a correctly signed body is not a
	// Stripe event: invalid JSON, a missing id or type, or a field the
	// policy reads having the wrong JSON type.
	ErrInvalidEvent = errors.New("stripegate: invalid event payload")

	// ErrStore is returned when the EntitlementStore failed or panicked.
	ErrStore = errors.New("stripegate: entitlement store failed")

	// ErrProcessingTimeout is returned when the store did not finish within
	// the configured ProcessingTimeout.
	ErrProcessingTimeout = errors.New("stripegate: processing deadline exceeded")

	// ErrCustomerLinked is returned by EntitlementStore.LinkCustomer when
	// the customer is already linked to a different user.
	ErrCustomerLinked = errors.New("stripegate: customer already linked to another user")
)
