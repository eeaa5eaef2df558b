package stripegate

// Outcome is the result of one webhook event. It appears in log lines under
// the "outcome" key, in payment log entries and in the Report
// that WebhookConfig.OnEvent receives.
type Outcome string

// Outcomes that a store's Apply returns.
const (
	// OutcomeGranted: the source now grants access and did not before.
	OutcomeGranted Outcome = "granted"

	// OutcomeRevoked: the source no longer grants access and did before.
	OutcomeRevoked Outcome = "revoked"

	// OutcomeGraceStarted: a renewal failed and the source keeps granting
	// access until the grace deadline.
	OutcomeGraceStarted Outcome = "grace_started"

	// OutcomeUnchanged: the event was applied and the source grants access
	// exactly as before (or still does not).
	OutcomeUnchanged Outcome = "unchanged"

	// OutcomeDuplicate: the event ID was applied before; nothing changed.
	OutcomeDuplicate Outcome = "duplicate"

	// OutcomeStale: a newer event already set the source's state; the event
	// is recorded but changes nothing.
	OutcomeStale Outcome = "stale"
)

// Outcomes that only the webhook handler produces; they never reach a store.
const (
	// OutcomeIgnored: the event was verified and acknowledged, but the
	// policy names no access change for it (an unhandled type, a livemode
	// mismatch, a partial refund, a setup-mode checkout, ...).
	OutcomeIgnored Outcome = "ignored"

	// OutcomeRejected: the request was refused before any decoding or
	// storing, with a 4xx status.
	OutcomeRejected Outcome = "rejected"

	// OutcomeFailed: the event could not be stored and got a 5xx status, so
	// Stripe delivers it again later.
	OutcomeFailed Outcome = "failed"
)
