package stripegate

import (
	"context"
	"time"
)

// EntitlementStore persists what the webhook handler decides and answers the
// Gate's questions. Implementations must be safe for concurrent use by many
// goroutines and, for stores shared by several app instances, by many
// processes.
//
// Access is tracked per source: the Stripe object whose state decides access,
// such as a subscription (sub_...), a payment intent (pi_...) or a checkout
// session (cs_...). A user is entitled while at least one of their sources
// grants access. Sources belong to a user directly, or through the link
// between a Stripe customer and a user.
//
// Lookups of things that do not exist are not errors: they return zero
// values and a nil error. A non-nil error always means the store could not do
// its work (a system fault), and the caller treats it as retryable.
//
// Every method must honor ctx: once ctx is done, a method returns an error
// wrapping ctx.Err() and, for Apply and LinkCustomer, leaves no change behind.
//
// The storetest package checks an implementation against this contract.
type EntitlementStore interface {
	// Apply records one change atomically: the event ID, the customer link,
	// the source's new state and the payment log entry are all stored, or
	// none of them is. Apply does these steps, in order:
	//
	//  1. If c.EventID was applied before, Apply returns OutcomeDuplicate and
	//     changes nothing. Two concurrent calls with the same event ID must
	//     result in one application and one OutcomeDuplicate.
	//  2. The source is c.SourceID or, when c.SourceID is an alias, the
	//     source it stands for. Apply follows up to MaxAliasHops aliases
	//     from c.SourceID and takes the last ID that is a stored source, or
	//     the chain's last ID when none is. So a payment that granted access
	//     itself stays its own source even when its invoice is recorded
	//     later. Every step below, and the log entry, use that source's ID. Each of
	//     c.Aliases not known yet is recorded as standing for it; a known
	//     alias keeps its target. With AccessKeep, Apply stops here: it
	//     stores the event ID and the aliases, adds no log entry and
	//     returns OutcomeUnchanged.
	//  3. If c.UserID and c.CustomerID are both set and the customer has no
	//     user yet, Apply links them, and every source and payment log entry
	//     stored for that customer without a user now belongs to the user.
	//     An existing link is kept.
	//  4. The source's user is c.UserID, else the user already stored on the
	//     source, else the user linked to c.CustomerID, else none yet.
	//  5. If c.Final is set, the source ends for good: it stops granting
	//     access (a grace period included) and stays final. This holds even
	//     when c is older than the source's last change, because Stripe
	//     never revives a canceled or expired subscription: a later event
	//     that seems to grant (a late invoice payment) must not. Apply
	//     returns OutcomeRevoked or OutcomeUnchanged. A stale final change
	//     keeps the source's user, PeriodEnd and ordering key.
	//  6. Otherwise, if the source is final, Apply stores the event ID and a
	//     log entry, keeps the source as it is and returns OutcomeUnchanged.
	//  7. Otherwise, if the source last changed by an event created after
	//     c.Created, Apply returns OutcomeStale: the event ID and a log entry
	//     are stored but the source keeps its state and its user. An event
	//     created in the same second is applied.
	//  8. Otherwise it sets the source's state from c.Access (see Access for
	//     the grace rule) and returns OutcomeGranted, OutcomeRevoked,
	//     OutcomeGraceStarted or OutcomeUnchanged, comparing whether the
	//     source granted access before and after.
	//
	// Result.UserID is the user the source belongs to after the change, or
	// empty while its customer is not linked to a user.
	Apply(ctx context.Context, c Change) (Result, error)

	// LinkCustomer links a Stripe customer to a user, as Apply's step 3 does,
	// for apps that create customers themselves. Linking a customer that is
	// already linked to the same user is not an error. Linking it to another
	// user returns an error wrapping ErrCustomerLinked and changes nothing.
	LinkCustomer(ctx context.Context, customerID, userID string) error

	// Entitlement returns the user's combined access over all their sources.
	// A user the store has never seen gets the zero Entitlement (with UserID
	// set) and a nil error.
	Entitlement(ctx context.Context, userID string) (Entitlement, error)

	// PaymentLog returns up to limit entries for the user, newest event
	// first, including entries stored for a customer before it was linked to
	// the user. A limit of zero or less means no limit. An unknown user gets
	// an empty slice and a nil error.
	PaymentLog(ctx context.Context, userID string, limit int) ([]LogEntry, error)
}

// Access is the state a change gives its source.
type Access int

const (
	// AccessRevoke makes the source stop granting access at once.
	AccessRevoke Access = iota

	// AccessGrant makes the source grant access, and clears any grace
	// period.
	AccessGrant

	// AccessRevokeAfterGrace handles a failed renewal. A source that grants
	// access and has no grace period yet keeps granting it until
	// Change.GraceUntil. A source already in its grace period keeps its
	// first deadline, so repeated failures do not extend it. A source that
	// did not grant access stays revoked.
	AccessRevokeAfterGrace

	// AccessKeep records only the event and its aliases: it changes no
	// access and creates no source (see EntitlementStore.Apply, step 2).
	// It carries the link between a payment and its invoice, which
	// arrives in an event of its own from API version 2025-03-31 on.
	AccessKeep
)

// MaxAliasHops bounds how many aliases Apply follows to find a source, so
// that a cycle of aliases cannot make it loop.
const MaxAliasHops = 4

// String returns the access as a lowercase word for logs.
func (a Access) String() string {
	switch a {
	case AccessGrant:
		return "grant"
	case AccessRevoke:
		return "revoke"
	case AccessRevokeAfterGrace:
		return "revoke_after_grace"
	case AccessKeep:
		return "keep"
	default:
		return "unknown"
	}
}

// Change is one event's effect on one source, as decided by the access
// policy. The webhook handler builds it; stores apply it.
type Change struct {
	EventID   string    // Stripe event ID (evt_...), the idempotency key
	EventType string    // Stripe event type, such as "invoice.paid"
	Created   time.Time // the event's created time, the ordering key

	// SourceID is the Stripe object whose state decides access: a
	// subscription, payment intent or checkout session ID. Never empty.
	SourceID string

	// UserID is the app's user named by the event itself, and CustomerID
	// the Stripe customer. Either or both may be empty.
	UserID     string
	CustomerID string

	Access Access

	// Aliases are other Stripe IDs that stand for the source: a
	// subscription's invoices and the payment intents and charges that
	// paid them. A later change naming one of them as its SourceID, such
	// as a refund or a dispute of that payment, reaches the subscription.
	Aliases []string

	// Final marks the end of the source for good: a canceled subscription,
	// or one whose first payment never came (incomplete_expired). It comes
	// with AccessRevoke. See EntitlementStore.Apply for how it overrides
	// the ordering rule.
	Final bool

	// GraceUntil is the end of the grace period, set only with
	// AccessRevokeAfterGrace.
	GraceUntil time.Time

	// PeriodEnd is the end of the subscription's current billing period
	// when the event carries one; zero keeps the stored value. It is stored
	// for display and does not end access by itself: the subscription's
	// events do.
	PeriodEnd time.Time
}

// Result is the outcome of one Apply call.
type Result struct {
	Outcome Outcome
	UserID  string // the source's user after the change, or empty
}

// Entitlement is a user's combined access over all their sources.
type Entitlement struct {
	UserID string

	// Active reports whether at least one source grants access, counting a
	// source in its grace period even after GraceUntil has passed. Decide
	// access with Allows (or Gate), which also checks the deadline.
	Active bool

	// GraceUntil is set when Active holds only because of sources in their
	// grace period: the latest of their deadlines. It is zero when a source
	// grants access without a deadline, or when Active is false.
	GraceUntil time.Time

	// SourceID and CustomerID name the source that grants access (the one
	// changed most recently if several do), or the most recently changed
	// source when none does.
	SourceID   string
	CustomerID string

	// PeriodEnd is that source's billing period end, if known.
	PeriodEnd time.Time

	// UpdatedAt is the created time of the last event applied to any of
	// the user's sources; zero for a user the store has never seen.
	UpdatedAt time.Time
}

// Allows reports whether the entitlement grants access at the instant now.
// A grace period ends at GraceUntil even if no further event arrives.
func (e Entitlement) Allows(now time.Time) bool {
	if !e.Active {
		return false
	}
	return e.GraceUntil.IsZero() || now.Before(e.GraceUntil)
}

// LogEntry is one event in a user's payment log.
type LogEntry struct {
	EventID    string
	EventType  string
	Outcome    Outcome
	SourceID   string
	CustomerID string
	UserID     string    // empty while the customer is not linked
	Created    time.Time // the event's created time
}
