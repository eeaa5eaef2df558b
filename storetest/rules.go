package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	sg "github.com/stripegate/stripegate"
)

// Access values, shortened for the rule tables.
const (
	grant = sg.AccessGrant
	revok = sg.AccessRevoke
	grace = sg.AccessRevokeAfterGrace
)

// Event types used by the rules.
const (
	subCreated    = "customer.subscription.created"
	subUpdated    = "customer.subscription.updated"
	subDeleted    = "customer.subscription.deleted"
	invoicePaid   = "invoice.paid"
	invoiceFailed = "invoice.payment_failed"
	checkoutDone  = "checkout.session.completed"
	piSucceeded   = "payment_intent.succeeded"
	piCanceled    = "payment_intent.canceled"
	chargeRefund  = "charge.refunded"
)

// graceDays is a typical grace period after a failed renewal.
const graceDays = 3 * 24 * time.Hour

// ---------------------------------------------------------------------------
// Basics

var basicRules = []rule{
	// A grant on a user's source makes the user entitled.
	{"GrantThenActive", func(t *testing.T, s store) {
		c := change("evt_1PkA0001", subCreated, sub1, at(0), grant, user1, cus1)
		res := expect(t, s, c, sg.OutcomeGranted)
		expectUser(t, c, res, user1)
		e := expectActive(t, s, user1, true, "after a grant")
		if e.SourceID != sub1 {
			t.Errorf("Entitlement(%q).SourceID = %q, want %q", user1, e.SourceID, sub1)
		}
	}},

	// A revoke of the only granting source ends the entitlement.
	{"RevokeThenInactive", func(t *testing.T, s store) {
		expect(t, s, change("evt_1PkA0001", subCreated, sub1, at(0), grant, user1, cus1), sg.OutcomeGranted)
		expect(t, s, change("evt_1PkA0002", subDeleted, sub1, at(10), revok, user1, cus1), sg.OutcomeRevoked)
		expectActive(t, s, user1, false, "after the only source was revoked")
	}},

	// A user the store has never seen is not an error: the zero
	// Entitlement with UserID set, even when other users exist.
	{"UnknownUserEntitlement", func(t *testing.T, s store) {
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{UserID: user1})
		apply(t, s, change("evt_1PkA0001", subCreated, sub1, at(0), grant, user2, cus2))
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{UserID: user1})
	}},

	// A user the store has never seen has an empty payment log and no
	// error.
	{"UnknownUserPaymentLog", func(t *testing.T, s store) {
		if log := paymentLog(t, s, user1, 10); len(log) != 0 {
			t.Errorf("PaymentLog(%q) of an empty store = %s, want empty", user1, eventIDs(log))
		}
		apply(t, s, change("evt_1PkA0001", subCreated, sub1, at(0), grant, user2, cus2))
		if log := paymentLog(t, s, user1, 0); len(log) != 0 {
			t.Errorf("PaymentLog(%q) of an unknown user = %s, want empty", user1, eventIDs(log))
		}
	}},
}

// ---------------------------------------------------------------------------
// Outcome

// step is one Apply on the source and the outcome it must return.
type step struct {
	access sg.Access
	want   sg.Outcome
}

// outcomeCases drive one source through a sequence of accesses; each step
// names the outcome store.go defines by comparing whether the source
// granted access before and after.
var outcomeCases = []struct {
	name  string
	steps []step
}{
	{"GrantOnNewSource", []step{{grant, sg.OutcomeGranted}}},
	{"GrantOnGranting", []step{{grant, sg.OutcomeGranted}, {grant, sg.OutcomeUnchanged}}},
	{"GrantOnRevoked", []step{{grant, sg.OutcomeGranted}, {revok, sg.OutcomeRevoked}, {grant, sg.OutcomeGranted}}},
	{"RevokeOnNewSource", []step{{revok, sg.OutcomeUnchanged}}},
	{"RevokeOnGranting", []step{{grant, sg.OutcomeGranted}, {revok, sg.OutcomeRevoked}}},
	{"RevokeOnRevoked", []step{{grant, sg.OutcomeGranted}, {revok, sg.OutcomeRevoked}, {revok, sg.OutcomeUnchanged}}},
	{"GraceOnGranting", []step{{grant, sg.OutcomeGranted}, {grace, sg.OutcomeGraceStarted}}},
	{"GraceInGrace", []step{{grant, sg.OutcomeGranted}, {grace, sg.OutcomeGraceStarted}, {grace, sg.OutcomeUnchanged}}},
	{"GraceOnNewSource", []step{{grace, sg.OutcomeUnchanged}}},
	{"GraceOnRevoked", []step{{grant, sg.OutcomeGranted}, {revok, sg.OutcomeRevoked}, {grace, sg.OutcomeUnchanged}}},
	// The source granted access during its grace period and still does.
	{"GrantInGrace", []step{{grant, sg.OutcomeGranted}, {grace, sg.OutcomeGraceStarted}, {grant, sg.OutcomeUnchanged}}},
	{"RevokeInGrace", []step{{grant, sg.OutcomeGranted}, {grace, sg.OutcomeGraceStarted}, {revok, sg.OutcomeRevoked}}},
}

var outcomeRules = func() []rule {
	types := map[sg.Access]string{grant: invoicePaid, revok: subDeleted, grace: invoiceFailed}
	var rules []rule
	for _, tc := range outcomeCases {
		rules = append(rules, rule{tc.name, func(t *testing.T, s store) {
			for i, st := range tc.steps {
				created := at(10 * i)
				c := change(evtID("evt_1PkB", i), types[st.access], sub1, created, st.access, user1, cus1)
				if st.access == grace {
					c = withGrace(c, created.Add(graceDays))
				}
				expect(t, s, c, st.want)
			}
		}})
	}
	return rules
}()

// evtID returns a realistic event ID made of prefix and n.
func evtID(prefix string, n int) string {
	const digits = "0123456789"
	b := []byte(prefix)
	b = append(b, digits[n/1000%10], digits[n/100%10], digits[n/10%10], digits[n%10])
	return string(b)
}

// ---------------------------------------------------------------------------
// Link

var linkRules = []rule{
	// An event naming both a user and a customer links them, so a later
	// event naming only the customer belongs to that user.
	{"EventLinksCustomer", func(t *testing.T, s store) {
		c1 := change("evt_1PkC0001", checkoutDone, cs1, at(0), grant, user1, cus1)
		expectUser(t, c1, expect(t, s, c1, sg.OutcomeGranted), user1)
		c2 := change("evt_1PkC0002", subCreated, sub1, at(1), grant, "", cus1)
		expectUser(t, c2, expect(t, s, c2, sg.OutcomeGranted), user1)
		expectActive(t, s, user1, true, "the customer's sources belong to the user")
		checkLog(t, user1, paymentLog(t, s, user1, 0), []sg.LogEntry{
			entry(c2, sg.OutcomeGranted, user1),
			entry(c1, sg.OutcomeGranted, user1),
		})
	}},

	// LinkCustomer on a customer the store has never seen links it, so
	// later events naming only the customer belong to the user.
	{"LinkCustomerThenEvent", func(t *testing.T, s store) {
		link(t, s, cus1, user1)
		c := change("evt_1PkC0001", subCreated, sub1, at(0), grant, "", cus1)
		expectUser(t, c, expect(t, s, c, sg.OutcomeGranted), user1)
		expectActive(t, s, user1, true, "the source's customer was linked to the user beforehand")
	}},

	// Sources and log entries stored for a customer before it has a user
	// become the user's once an event names both.
	{"PendingLinkedByEvent", func(t *testing.T, s store) {
		c1 := withPeriodEnd(change("evt_1PkC0001", subCreated, sub1, at(0), grant, "", cus1), at(0).AddDate(0, 1, 0))
		expectUser(t, c1, expect(t, s, c1, sg.OutcomeGranted), "")
		expectActive(t, s, user1, false, "the customer is not linked to the user yet")
		if log := paymentLog(t, s, user1, 0); len(log) != 0 {
			t.Errorf("PaymentLog(%q) before the link = %s, want empty", user1, eventIDs(log))
		}

		// A revoking event on another source: the user can only become
		// entitled through the pending sub_.
		c2 := change("evt_1PkC0002", piCanceled, pi1, at(5), revok, user1, cus1)
		expectUser(t, c2, expect(t, s, c2, sg.OutcomeUnchanged), user1)
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, Active: true, SourceID: sub1, CustomerID: cus1,
			PeriodEnd: c1.PeriodEnd, UpdatedAt: c2.Created,
		})
		checkLog(t, user1, paymentLog(t, s, user1, 0), []sg.LogEntry{
			entry(c2, sg.OutcomeUnchanged, user1),
			entry(c1, sg.OutcomeGranted, user1),
		})

		c3 := change("evt_1PkC0003", invoicePaid, sub1, at(10), grant, "", cus1)
		expectUser(t, c3, expect(t, s, c3, sg.OutcomeUnchanged), user1)
	}},

	// Sources and log entries stored for a customer before it has a user
	// become the user's once LinkCustomer links them.
	{"PendingLinkedByLinkCustomer", func(t *testing.T, s store) {
		c1 := change("evt_1PkC0001", subCreated, sub1, at(0), grant, "", cus1)
		expectUser(t, c1, expect(t, s, c1, sg.OutcomeGranted), "")
		c2 := change("evt_1PkC0002", piSucceeded, pi1, at(3), grant, "", cus1)
		expectUser(t, c2, expect(t, s, c2, sg.OutcomeGranted), "")
		expectActive(t, s, user1, false, "the customer is not linked to the user yet")

		link(t, s, cus1, user1)
		expectActive(t, s, user1, true, "LinkCustomer moved the customer's granting sources to the user")
		checkLog(t, user1, paymentLog(t, s, user1, 0), []sg.LogEntry{
			entry(c2, sg.OutcomeGranted, user1),
			entry(c1, sg.OutcomeGranted, user1),
		})

		c3 := change("evt_1PkC0003", subDeleted, sub1, at(10), revok, "", "")
		expectUser(t, c3, expect(t, s, c3, sg.OutcomeRevoked), user1)
		c4 := change("evt_1PkC0004", chargeRefund, pi1, at(11), revok, "", cus1)
		expectUser(t, c4, expect(t, s, c4, sg.OutcomeRevoked), user1)
		expectActive(t, s, user1, false, "both moved sources were revoked")
	}},

	// A source already stored with a user keeps it when a later event
	// names only a customer that is linked to no user.
	{"SourceKeepsUser", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkC0001", checkoutDone, cs1, at(0), grant, user1, ""))
		c := change("evt_1PkC0002", checkoutDone, cs1, at(1), revok, "", cus2)
		expectUser(t, c, expect(t, s, c, sg.OutcomeRevoked), user1)
		expectActive(t, s, user1, false, "the user's only source was revoked")
	}},

	// An event naming another user does not move an existing link.
	{"ExistingLinkKept", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkC0001", subCreated, sub1, at(0), grant, user1, cus1))
		c2 := change("evt_1PkC0002", subCreated, sub2, at(1), grant, user2, cus1)
		expectUser(t, c2, expect(t, s, c2, sg.OutcomeGranted), user2)
		c3 := change("evt_1PkC0003", piSucceeded, pi1, at(2), grant, "", cus1)
		expectUser(t, c3, expect(t, s, c3, sg.OutcomeGranted), user1)
		err := s.LinkCustomer(context.Background(), cus1, user2)
		if !errors.Is(err, sg.ErrCustomerLinked) {
			t.Errorf("LinkCustomer(%q, %q) after the customer was linked to %q: error %v, want one matching ErrCustomerLinked", cus1, user2, user1, err)
		}
	}},

	// Linking a linked customer to another user fails with
	// ErrCustomerLinked and changes nothing.
	{"LinkCustomerOtherUser", func(t *testing.T, s store) {
		link(t, s, cus1, user1)
		apply(t, s, change("evt_1PkC0001", subCreated, sub1, at(0), grant, "", cus1))
		err := s.LinkCustomer(context.Background(), cus1, user2)
		if !errors.Is(err, sg.ErrCustomerLinked) {
			t.Errorf("LinkCustomer(%q, %q) after linking it to %q: error %v, want one matching ErrCustomerLinked", cus1, user2, user1, err)
		}
		expectActive(t, s, user1, true, "the failed link must change nothing")
		expectActive(t, s, user2, false, "the failed link must change nothing")
		c := change("evt_1PkC0002", piSucceeded, pi1, at(1), grant, "", cus1)
		expectUser(t, c, expect(t, s, c, sg.OutcomeGranted), user1)
		if log := paymentLog(t, s, user2, 0); len(log) != 0 {
			t.Errorf("PaymentLog(%q) after a failed link = %s, want empty", user2, eventIDs(log))
		}
	}},

	// Linking a customer again to the same user is not an error, whether
	// the link came from LinkCustomer or from an event.
	{"RelinkSameUser", func(t *testing.T, s store) {
		link(t, s, cus1, user1)
		link(t, s, cus1, user1)
		apply(t, s, change("evt_1PkC0001", subCreated, sub1, at(0), grant, user2, cus2))
		link(t, s, cus2, user2)
		expectActive(t, s, user2, true, "relinking changes nothing")
	}},
}

// ---------------------------------------------------------------------------
// Idempotency

var idempotencyRules = []rule{
	// Stripe delivers an event again when it saw no 2xx; the second
	// application is a duplicate that stores nothing.
	{"SequentialDuplicate", func(t *testing.T, s store) {
		c := change("evt_1PkD0001", invoicePaid, sub1, at(0), grant, user1, cus1)
		expect(t, s, c, sg.OutcomeGranted)
		expect(t, s, c, sg.OutcomeDuplicate)
		checkLog(t, user1, paymentLog(t, s, user1, 0), []sg.LogEntry{entry(c, sg.OutcomeGranted, user1)})
	}},

	// The event ID alone decides: a duplicate carrying another Access (or
	// a later time) still changes nothing.
	{"DuplicateWithDifferentAccess", func(t *testing.T, s store) {
		c := change("evt_1PkD0001", invoicePaid, sub1, at(0), grant, user1, cus1)
		expect(t, s, c, sg.OutcomeGranted)
		dup := c
		dup.Access = revok
		dup.Created = at(30)
		dup.EventType = subDeleted
		expect(t, s, dup, sg.OutcomeDuplicate)
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, Active: true, SourceID: sub1, CustomerID: cus1, UpdatedAt: c.Created,
		})
		checkLog(t, user1, paymentLog(t, s, user1, 0), []sg.LogEntry{entry(c, sg.OutcomeGranted, user1)})
	}},

	// Concurrent deliveries of one event (two app instances, or a retry
	// racing the original) apply it exactly once.
	{"ConcurrentDuplicate", func(t *testing.T, s store) {
		c := change("evt_1PkD0001", invoicePaid, sub1, at(0), grant, user1, cus1)
		const n = 16
		outcomes := make([]sg.Outcome, n)
		errs := make([]error, n)
		runConcurrently(n, func(i int) {
			res, err := s.Apply(context.Background(), c)
			outcomes[i], errs[i] = res.Outcome, err
		})
		applied := 0
		for i := range n {
			switch {
			case errs[i] != nil:
				t.Errorf("concurrent %s #%d: unexpected error: %v", describe(c), i, errs[i])
			case outcomes[i] == sg.OutcomeDuplicate:
			case outcomes[i] == sg.OutcomeGranted:
				applied++
			default:
				t.Errorf("concurrent %s #%d: outcome %q, want %q or %q", describe(c), i, outcomes[i], sg.OutcomeGranted, sg.OutcomeDuplicate)
			}
		}
		if applied != 1 {
			t.Errorf("%d concurrent %s: %d applied, want exactly 1 (the rest %q)", n, describe(c), applied, sg.OutcomeDuplicate)
		}
		checkLog(t, user1, paymentLog(t, s, user1, 0), []sg.LogEntry{entry(c, sg.OutcomeGranted, user1)})
	}},
}

// ---------------------------------------------------------------------------
// Ordering

var orderingRules = []rule{
	// Stripe does not deliver in order: an event older than the one that
	// last set the source is stale. It is recorded (so its redelivery is a
	// duplicate) and logged, but the source keeps its state.
	{"OlderEventIsStale", func(t *testing.T, s store) {
		newer := withPeriodEnd(change("evt_1PkE0002", subUpdated, sub1, at(10), grant, user1, cus1), at(10).AddDate(0, 1, 0))
		expect(t, s, newer, sg.OutcomeGranted)
		older := withPeriodEnd(change("evt_1PkE0001", subDeleted, sub1, at(5), revok, user1, cus1), at(5).AddDate(0, 0, 7))
		res := expect(t, s, older, sg.OutcomeStale)
		expectUser(t, older, res, user1)
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, Active: true, SourceID: sub1, CustomerID: cus1,
			PeriodEnd: newer.PeriodEnd, UpdatedAt: newer.Created,
		})
		expect(t, s, older, sg.OutcomeDuplicate)
		checkLog(t, user1, paymentLog(t, s, user1, 0), []sg.LogEntry{
			entry(newer, sg.OutcomeGranted, user1),
			entry(older, sg.OutcomeStale, user1),
		})
	}},

	// Events created in the same second cannot be ordered by Stripe's
	// timestamps; the later arrival is applied.
	{"SameSecondApplied", func(t *testing.T, s store) {
		expect(t, s, change("evt_1PkE0001", invoicePaid, sub1, at(10), grant, user1, cus1), sg.OutcomeGranted)
		expect(t, s, change("evt_1PkE0002", subDeleted, sub1, at(10), revok, user1, cus1), sg.OutcomeRevoked)
		expect(t, s, change("evt_1PkE0003", subUpdated, sub1, at(10), grant, user1, cus1), sg.OutcomeGranted)
		expectActive(t, s, user1, true, "the last same-second event granted access")
	}},

	// Ordering is per source: an older event on another source is applied.
	{"PerSource", func(t *testing.T, s store) {
		expect(t, s, change("evt_1PkE0002", subCreated, sub1, at(10), revok, user1, cus1), sg.OutcomeUnchanged)
		expect(t, s, change("evt_1PkE0001", piSucceeded, pi1, at(0), grant, user1, cus1), sg.OutcomeGranted)
		e := expectActive(t, s, user1, true, "the older event on pi_ applies")
		if e.SourceID != pi1 {
			t.Errorf("Entitlement(%q).SourceID = %q, want %q (the only granting source)", user1, e.SourceID, pi1)
		}
	}},

	// A newer event after a stale one is still applied: the stale event
	// did not move the source's ordering key.
	{"StaleKeepsOrderingKey", func(t *testing.T, s store) {
		expect(t, s, change("evt_1PkE0002", subUpdated, sub1, at(10), grant, user1, cus1), sg.OutcomeGranted)
		expect(t, s, change("evt_1PkE0001", subUpdated, sub1, at(5), revok, user1, cus1), sg.OutcomeStale)
		expect(t, s, change("evt_1PkE0003", subDeleted, sub1, at(10), revok, user1, cus1), sg.OutcomeRevoked)
		expect(t, s, change("evt_1PkE0004", subUpdated, sub1, at(9), grant, user1, cus1), sg.OutcomeStale)
		expectActive(t, s, user1, false, "the last applied event revoked access")
	}},

	// A stale event that names another user does not move the source: its
	// owner, like its state, is what the newer event left.
	{"StaleKeepsOwner", func(t *testing.T, s store) {
		expect(t, s, change("evt_1PkE0002", subUpdated, sub1, at(10), grant, user1, cus1), sg.OutcomeGranted)
		res := expect(t, s, change("evt_1PkE0001", subCreated, sub1, at(5), grant, user2, ""), sg.OutcomeStale)
		expectUser(t, change("evt_1PkE0001", subCreated, sub1, at(5), grant, user2, ""), res, user1)
		expectActive(t, s, user1, true, "the stale event left the source with its owner")
		expectActive(t, s, user2, false, "a stale event grants its user nothing")
	}},
}

// ---------------------------------------------------------------------------
// Sources

var sourceRules = []rule{
	// A user is entitled while any of their sources grants access.
	{"AnySourceGrants", func(t *testing.T, s store) {
		expect(t, s, change("evt_1PkF0001", subCreated, sub1, at(0), revok, user1, cus1), sg.OutcomeUnchanged)
		expectActive(t, s, user1, false, "no source grants access")
		expect(t, s, change("evt_1PkF0002", piSucceeded, pi1, at(1), grant, user1, cus1), sg.OutcomeGranted)
		e := expectActive(t, s, user1, true, "pi_ grants access")
		if e.SourceID != pi1 {
			t.Errorf("Entitlement(%q).SourceID = %q, want the granting source %q", user1, e.SourceID, pi1)
		}
	}},

	// Revoking one source keeps the user entitled through another, and
	// SourceID names the one still granting.
	{"RevokeOneKeepsOther", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkF0001", piSucceeded, pi1, at(0), grant, user1, cus1))
		apply(t, s, change("evt_1PkF0002", subCreated, sub1, at(1), grant, user1, cus1))
		expect(t, s, change("evt_1PkF0003", subDeleted, sub1, at(2), revok, user1, cus1), sg.OutcomeRevoked)
		e := expectActive(t, s, user1, true, "pi_ still grants access")
		if e.SourceID != pi1 {
			t.Errorf("Entitlement(%q).SourceID = %q, want the granting source %q", user1, e.SourceID, pi1)
		}
		expect(t, s, change("evt_1PkF0004", chargeRefund, pi1, at(3), revok, user1, cus1), sg.OutcomeRevoked)
		expectActive(t, s, user1, false, "every source was revoked")
	}},

	// With several granting sources, SourceID names the one changed most
	// recently, and UpdatedAt is the latest event time over all sources.
	// NOTE: "most recently" and "last event" are read as latest Created (the contract's ordering key), not latest arrival.
	{"MostRecentGrantingSource", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkF0002", subCreated, sub1, at(10), grant, user1, cus1))
		apply(t, s, change("evt_1PkF0001", piSucceeded, pi1, at(0), grant, user1, ""))
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, Active: true, SourceID: sub1, CustomerID: cus1, UpdatedAt: at(10),
		})
		apply(t, s, change("evt_1PkF0003", piSucceeded, pi2, at(20), grant, user1, ""))
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, Active: true, SourceID: pi2, UpdatedAt: at(20),
		})
	}},

	// With no granting source, SourceID names the source changed most
	// recently.
	{"NoGrantingSource", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkF0001", subCreated, sub1, at(0), grant, user1, cus1))
		apply(t, s, change("evt_1PkF0002", chargeRefund, pi1, at(5), revok, user1, ""))
		apply(t, s, change("evt_1PkF0003", subDeleted, sub1, at(10), revok, user1, cus1))
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, SourceID: sub1, CustomerID: cus1, UpdatedAt: at(10),
		})
	}},

	// One user's sources do not entitle another user.
	{"UsersIsolated", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkF0001", subCreated, sub1, at(0), grant, user1, cus1))
		apply(t, s, change("evt_1PkF0002", subCreated, sub2, at(0), revok, user2, cus2))
		expectActive(t, s, user1, true, "sub_1 grants access")
		expectActive(t, s, user2, false, "user2's only source does not grant access")
	}},
}

// ---------------------------------------------------------------------------
// Grace

var graceRules = []rule{
	// A failed renewal on a granting source starts a grace period: still
	// Active, with the deadline in GraceUntil, after which Allows is false
	// without any further event.
	{"Started", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkG0001", invoicePaid, sub1, at(0), grant, user1, cus1))
		deadline := at(60).Add(graceDays)
		c := withGrace(change("evt_1PkG0002", invoiceFailed, sub1, at(60), grace, user1, cus1), deadline)
		expect(t, s, c, sg.OutcomeGraceStarted)
		e := entitlement(t, s, user1)
		checkEntitlement(t, e, sg.Entitlement{
			UserID: user1, Active: true, GraceUntil: deadline, SourceID: sub1, CustomerID: cus1, UpdatedAt: at(60),
		})
		if !e.Allows(deadline.Add(-time.Second)) {
			t.Errorf("Entitlement(%q).Allows(one second before the grace deadline) = false, want true", user1)
		}
		if e.Allows(deadline.Add(time.Hour)) {
			t.Errorf("Entitlement(%q).Allows(an hour after the grace deadline) = true, want false", user1)
		}
	}},

	// Repeated failures do not extend the grace period.
	{"KeepsFirstDeadline", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkG0001", invoicePaid, sub1, at(0), grant, user1, cus1))
		first := at(60).Add(graceDays)
		expect(t, s, withGrace(change("evt_1PkG0002", invoiceFailed, sub1, at(60), grace, user1, cus1), first), sg.OutcomeGraceStarted)
		expect(t, s, withGrace(change("evt_1PkG0003", invoiceFailed, sub1, at(24*60), grace, user1, cus1), at(24*60).Add(graceDays)), sg.OutcomeUnchanged)
		e := expectActive(t, s, user1, true, "still in the grace period")
		if !e.GraceUntil.Equal(first) {
			t.Errorf("Entitlement(%q).GraceUntil = %s after a second failure, want the first deadline %s", user1, fmtTime(e.GraceUntil), fmtTime(first))
		}
	}},

	// A later grant (the retried payment succeeded) ends the grace period;
	// a new failure afterwards starts a new one.
	{"GrantClears", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkG0001", invoicePaid, sub1, at(0), grant, user1, cus1))
		expect(t, s, withGrace(change("evt_1PkG0002", invoiceFailed, sub1, at(60), grace, user1, cus1), at(60).Add(graceDays)), sg.OutcomeGraceStarted)
		expect(t, s, change("evt_1PkG0003", invoicePaid, sub1, at(120), grant, user1, cus1), sg.OutcomeUnchanged)
		e := expectActive(t, s, user1, true, "the payment succeeded")
		if !e.GraceUntil.IsZero() {
			t.Errorf("Entitlement(%q).GraceUntil = %s after a grant, want zero", user1, fmtTime(e.GraceUntil))
		}
		second := at(180).Add(graceDays)
		expect(t, s, withGrace(change("evt_1PkG0004", invoiceFailed, sub1, at(180), grace, user1, cus1), second), sg.OutcomeGraceStarted)
		if e := entitlement(t, s, user1); !e.GraceUntil.Equal(second) {
			t.Errorf("Entitlement(%q).GraceUntil = %s after a new failure, want %s", user1, fmtTime(e.GraceUntil), fmtTime(second))
		}
	}},

	// A failure on a source that does not grant access gives no access.
	{"NotGrantingStaysRevoked", func(t *testing.T, s store) {
		expect(t, s, withGrace(change("evt_1PkG0001", invoiceFailed, sub1, at(0), grace, user1, cus1), at(0).Add(graceDays)), sg.OutcomeUnchanged)
		expectActive(t, s, user1, false, "a failure on a new source")
		apply(t, s, change("evt_1PkG0002", invoicePaid, sub2, at(10), grant, user1, cus1))
		apply(t, s, change("evt_1PkG0003", subDeleted, sub2, at(20), revok, user1, cus1))
		expect(t, s, withGrace(change("evt_1PkG0004", invoiceFailed, sub2, at(30), grace, user1, cus1), at(30).Add(graceDays)), sg.OutcomeUnchanged)
		e := expectActive(t, s, user1, false, "a failure on a revoked source")
		if !e.GraceUntil.IsZero() {
			t.Errorf("Entitlement(%q).GraceUntil = %s while not active, want zero", user1, fmtTime(e.GraceUntil))
		}
	}},

	// A revoke during the grace period ends access at once.
	{"RevokeEndsGrace", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkG0001", invoicePaid, sub1, at(0), grant, user1, cus1))
		apply(t, s, withGrace(change("evt_1PkG0002", invoiceFailed, sub1, at(60), grace, user1, cus1), at(60).Add(graceDays)))
		expect(t, s, change("evt_1PkG0003", subDeleted, sub1, at(120), revok, user1, cus1), sg.OutcomeRevoked)
		e := expectActive(t, s, user1, false, "the subscription was deleted")
		if !e.GraceUntil.IsZero() {
			t.Errorf("Entitlement(%q).GraceUntil = %s while not active, want zero", user1, fmtTime(e.GraceUntil))
		}
	}},

	// GraceUntil is zero when another source grants access without a
	// deadline.
	{"OtherSourceGrants", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkG0001", piSucceeded, pi1, at(0), grant, user1, cus1))
		apply(t, s, change("evt_1PkG0002", invoicePaid, sub1, at(1), grant, user1, cus1))
		apply(t, s, withGrace(change("evt_1PkG0003", invoiceFailed, sub1, at(60), grace, user1, cus1), at(60).Add(graceDays)))
		e := expectActive(t, s, user1, true, "pi_ grants access")
		if !e.GraceUntil.IsZero() {
			t.Errorf("Entitlement(%q).GraceUntil = %s while pi_ grants without a deadline, want zero", user1, fmtTime(e.GraceUntil))
		}
		if !e.Allows(at(60).Add(30 * 24 * time.Hour)) {
			t.Errorf("Entitlement(%q).Allows(after sub_'s grace deadline) = false, want true: pi_ grants access", user1)
		}
	}},

	// With only sources in grace, GraceUntil is the latest deadline.
	{"LatestDeadline", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkG0001", invoicePaid, sub1, at(0), grant, user1, cus1))
		apply(t, s, change("evt_1PkG0002", invoicePaid, sub2, at(1), grant, user1, cus1))
		late := at(10).Add(graceDays + time.Hour)
		apply(t, s, withGrace(change("evt_1PkG0003", invoiceFailed, sub1, at(10), grace, user1, cus1), late))
		apply(t, s, withGrace(change("evt_1PkG0004", invoiceFailed, sub2, at(20), grace, user1, cus1), at(20).Add(graceDays)))
		e := expectActive(t, s, user1, true, "both sources are in their grace period")
		if !e.GraceUntil.Equal(late) {
			t.Errorf("Entitlement(%q).GraceUntil = %s, want the latest deadline %s", user1, fmtTime(e.GraceUntil), fmtTime(late))
		}
	}},
}

// ---------------------------------------------------------------------------
// Fields

var fieldRules = []rule{
	// PeriodEnd and UpdatedAt follow the events applied to the source.
	{"PeriodEndAndUpdatedAt", func(t *testing.T, s store) {
		p1 := at(0).AddDate(0, 1, 0)
		apply(t, s, withPeriodEnd(change("evt_1PkH0001", subCreated, sub1, at(0), grant, user1, cus1), p1))
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, Active: true, SourceID: sub1, CustomerID: cus1, PeriodEnd: p1, UpdatedAt: at(0),
		})
		p2 := p1.AddDate(0, 1, 0)
		apply(t, s, withPeriodEnd(change("evt_1PkH0002", invoicePaid, sub1, p1, grant, user1, cus1), p2))
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, Active: true, SourceID: sub1, CustomerID: cus1, PeriodEnd: p2, UpdatedAt: p1,
		})
	}},

	// A stale event changes neither PeriodEnd nor UpdatedAt.
	{"StaleLeavesFields", func(t *testing.T, s store) {
		p := at(30).AddDate(0, 1, 0)
		apply(t, s, withPeriodEnd(change("evt_1PkH0002", subUpdated, sub1, at(30), grant, user1, cus1), p))
		expect(t, s, withPeriodEnd(change("evt_1PkH0001", subCreated, sub1, at(0), grant, user1, cus1), at(0).AddDate(0, 1, 0)), sg.OutcomeStale)
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, Active: true, SourceID: sub1, CustomerID: cus1, PeriodEnd: p, UpdatedAt: at(30),
		})
	}},

	// CustomerID and SourceID name the granting source, including one
	// that belongs to the user directly, without a customer.
	{"CustomerAndSource", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkH0001", checkoutDone, cs1, at(0), grant, user1, ""))
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, Active: true, SourceID: cs1, UpdatedAt: at(0),
		})
		apply(t, s, change("evt_1PkH0002", subCreated, sub2, at(5), grant, "", cus2))
		link(t, s, cus2, user1)
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, Active: true, SourceID: sub2, CustomerID: cus2, UpdatedAt: at(5),
		})
	}},
}

// ---------------------------------------------------------------------------
// PaymentLog

// fourEvents applies four events for user1 on distinct sources, created out
// of order, and returns them newest first with their log entries.
func fourEvents(t *testing.T, s store) []sg.LogEntry {
	t.Helper()
	cs := []sg.Change{
		change("evt_1PkI0001", invoicePaid, sub1, at(20), grant, user1, cus1),
		change("evt_1PkI0002", piSucceeded, pi1, at(5), grant, user1, cus1),
		change("evt_1PkI0003", subDeleted, sub2, at(40), revok, user1, cus1),
		change("evt_1PkI0004", chargeRefund, pi2, at(10), revok, user1, ""),
	}
	outcomes := []sg.Outcome{sg.OutcomeGranted, sg.OutcomeGranted, sg.OutcomeUnchanged, sg.OutcomeUnchanged}
	for i, c := range cs {
		expect(t, s, c, outcomes[i])
	}
	// A second user's event must not appear in user1's log.
	apply(t, s, change("evt_1PkI0005", invoicePaid, sub3, at(30), grant, user2, cus2))
	return []sg.LogEntry{
		entry(cs[2], outcomes[2], user1),
		entry(cs[0], outcomes[0], user1),
		entry(cs[3], outcomes[3], user1),
		entry(cs[1], outcomes[1], user1),
	}
}

var paymentLogRules = []rule{
	// Entries come newest event first, by the events' created time, not
	// by arrival.
	{"NewestFirst", func(t *testing.T, s store) {
		want := fourEvents(t, s)
		checkLog(t, user1, paymentLog(t, s, user1, 10), want)
	}},

	// A positive limit returns that many of the newest entries.
	{"Limit", func(t *testing.T, s store) {
		want := fourEvents(t, s)
		checkLog(t, user1, paymentLog(t, s, user1, 2), want[:2])
		checkLog(t, user1, paymentLog(t, s, user1, 1), want[:1])
		checkLog(t, user1, paymentLog(t, s, user1, 4), want)
	}},

	// A limit of zero or less means no limit.
	{"NoLimit", func(t *testing.T, s store) {
		want := fourEvents(t, s)
		checkLog(t, user1, paymentLog(t, s, user1, 0), want)
		checkLog(t, user1, paymentLog(t, s, user1, -1), want)
	}},

	// Every field of an entry is stored: event ID and type, outcome,
	// source, customer, user and created time. Duplicates add no entry.
	{"EntryFields", func(t *testing.T, s store) {
		c1 := withPeriodEnd(change("evt_1PkI0001", subCreated, sub1, at(0), grant, user1, cus1), at(0).AddDate(0, 1, 0))
		c2 := withGrace(change("evt_1PkI0002", invoiceFailed, sub1, at(30), grace, user1, cus1), at(30).Add(graceDays))
		c3 := change("evt_1PkI0003", subDeleted, sub1, at(60), revok, user1, cus1)
		for _, c := range []sg.Change{c1, c2, c3, c2} {
			apply(t, s, c)
		}
		checkLog(t, user1, paymentLog(t, s, user1, 0), []sg.LogEntry{
			entry(c3, sg.OutcomeRevoked, user1),
			entry(c2, sg.OutcomeGraceStarted, user1),
			entry(c1, sg.OutcomeGranted, user1),
		})
	}},
}

// ---------------------------------------------------------------------------
// Context

var contextRules = []rule{
	// Apply with a cancelled context fails and stores nothing: not the
	// event ID, not the source, not a log entry.
	{"Apply", func(t *testing.T, s store) {
		c := change("evt_1PkJ0001", invoicePaid, sub1, at(0), grant, user1, cus1)
		_, err := s.Apply(cancelled(), c)
		expectCanceled(t, "Apply", err)
		expectActive(t, s, user1, false, "the cancelled Apply must leave no change")
		if log := paymentLog(t, s, user1, 0); len(log) != 0 {
			t.Errorf("PaymentLog(%q) after a cancelled Apply = %s, want empty", user1, eventIDs(log))
		}
		expect(t, s, c, sg.OutcomeGranted)
	}},

	// Apply with an expired deadline fails with an error matching
	// context.DeadlineExceeded.
	{"ApplyDeadline", func(t *testing.T, s store) {
		ctx, cancel := context.WithDeadline(context.Background(), time.Unix(1, 0))
		defer cancel()
		c := change("evt_1PkJ0001", invoicePaid, sub1, at(0), grant, user1, cus1)
		_, err := s.Apply(ctx, c)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Apply with an expired deadline: error %v, want one matching context.DeadlineExceeded", err)
		}
		expect(t, s, c, sg.OutcomeGranted)
	}},

	// A cancelled Apply naming a user and a customer does not link them.
	{"ApplyLeavesNoLink", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkJ0001", subCreated, sub1, at(0), grant, "", cus1))
		c := change("evt_1PkJ0002", checkoutDone, cs1, at(1), revok, user1, cus1)
		_, err := s.Apply(cancelled(), c)
		expectCanceled(t, "Apply", err)
		expectActive(t, s, user1, false, "the cancelled Apply must not link the customer")
		link(t, s, cus1, user2)
		expectActive(t, s, user2, true, "the customer was still free to link")
		c2 := change("evt_1PkJ0002", checkoutDone, cs1, at(1), revok, user1, cus1)
		expect(t, s, c2, sg.OutcomeUnchanged)
	}},

	// LinkCustomer with a cancelled context fails and links nothing.
	{"LinkCustomer", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkJ0001", subCreated, sub1, at(0), grant, "", cus1))
		expectCanceled(t, "LinkCustomer", s.LinkCustomer(cancelled(), cus1, user1))
		expectActive(t, s, user1, false, "the cancelled LinkCustomer must leave no change")
		if err := s.LinkCustomer(context.Background(), cus1, user2); err != nil {
			t.Errorf("LinkCustomer(%q, %q) after a cancelled link to %q: %v, want nil", cus1, user2, user1, err)
		}
	}},

	// Entitlement with a cancelled context fails.
	{"Entitlement", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkJ0001", subCreated, sub1, at(0), grant, user1, cus1))
		_, err := s.Entitlement(cancelled(), user1)
		expectCanceled(t, "Entitlement", err)
	}},

	// PaymentLog with a cancelled context fails.
	{"PaymentLog", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkJ0001", subCreated, sub1, at(0), grant, user1, cus1))
		_, err := s.PaymentLog(cancelled(), user1, 10)
		expectCanceled(t, "PaymentLog", err)
	}},
}

// ---------------------------------------------------------------------------
// Concurrency

var concurrencyRules = []rule{
	// Many goroutines applying distinct events for distinct users all
	// land.
	{"DistinctUsers", func(t *testing.T, s store) {
		const workers, perWorker = 8, 50
		runConcurrently(workers, func(w int) {
			for i := range perWorker {
				c := concurrentChange(w, i)
				res, err := s.Apply(context.Background(), c)
				if err != nil {
					t.Errorf("%s: unexpected error: %v", describe(c), err)
					return
				}
				if res.Outcome != sg.OutcomeGranted || res.UserID != c.UserID {
					t.Errorf("%s: result %+v, want outcome %q for user %q", describe(c), res, sg.OutcomeGranted, c.UserID)
				}
			}
		})
		failures := 0
		for w := range workers {
			for i := range perWorker {
				c := concurrentChange(w, i)
				e := entitlement(t, s, c.UserID)
				log := paymentLog(t, s, c.UserID, 0)
				if (!e.Active || e.SourceID != c.SourceID || len(log) != 1) && failures < 5 {
					failures++
					t.Errorf("after concurrent applies, user %q: Active %v, SourceID %q, %d log entries; want true, %q, 1",
						c.UserID, e.Active, e.SourceID, len(log), c.SourceID)
				}
			}
		}
	}},

	// Many goroutines applying distinct events to one user's sources all
	// land in that user's entitlement and log.
	{"OneUser", func(t *testing.T, s store) {
		const workers, perWorker = 8, 8
		runConcurrently(workers, func(w int) {
			for i := range perWorker {
				n := w*perWorker + i
				c := change(evtID("evt_1PkK", n), piSucceeded, evtID("pi_3PkK", n), at(n), grant, user1, cus1)
				if _, err := s.Apply(context.Background(), c); err != nil {
					t.Errorf("%s: unexpected error: %v", describe(c), err)
					return
				}
			}
		})
		e := expectActive(t, s, user1, true, "every source grants access")
		if want := evtID("pi_3PkK", workers*perWorker-1); e.SourceID != want {
			t.Errorf("Entitlement(%q).SourceID = %q, want the most recently changed %q", user1, e.SourceID, want)
		}
		if log := paymentLog(t, s, user1, 0); len(log) != workers*perWorker {
			t.Errorf("PaymentLog(%q) has %d entries after %d concurrent events, want %d", user1, len(log), workers*perWorker, workers*perWorker)
		}
	}},

	// Concurrent links of one customer to different users: exactly one
	// wins, the others get ErrCustomerLinked.
	{"LinkCustomerRace", func(t *testing.T, s store) {
		const n = 16
		errs := make([]error, n)
		runConcurrently(n, func(i int) {
			errs[i] = s.LinkCustomer(context.Background(), cus1, evtID("user_", i))
		})
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, sg.ErrCustomerLinked):
				t.Errorf("concurrent LinkCustomer(%q, %q): error %v, want nil or one matching ErrCustomerLinked", cus1, evtID("user_", i), err)
			}
		}
		if won != 1 {
			t.Errorf("%d concurrent LinkCustomer calls for one customer and distinct users: %d succeeded, want 1", n, won)
		}
	}},
}

// concurrentChange is event i of worker w in DistinctUsers.
func concurrentChange(w, i int) sg.Change {
	n := w*1000 + i
	return change(evtID("evt_1PkL", n), invoicePaid, evtID("sub_1PkL", n), at(i), grant, evtID("user_", n), evtID("cus_PkL", n))
}

// runConcurrently runs fn(0) ... fn(n-1) in n goroutines released together,
// and waits for all of them.
func runConcurrently(n int, fn func(i int)) {
	start := make(chan struct{})
	done := make(chan struct{}, n)
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			<-start
			fn(i)
		}()
	}
	close(start)
	for range n {
		<-done
	}
}
