package storetest

import (
	"testing"

	sg "github.com/stripegate/stripegate"
)

// withFinal returns c as the change that ends its source for good.
func withFinal(c sg.Change) sg.Change {
	c.Final = true
	return c
}

// finalRules check Change.Final: a canceled or expired subscription never
// grants access again, whatever arrives after it and in whatever order.
var finalRules = []rule{
	// Ending a granting source revokes it.
	{"Revokes", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkF0001", invoicePaid, sub1, at(0), grant, user1, cus1))
		expect(t, s, withFinal(change("evt_1PkF0002", subDeleted, sub1, at(10), revok, user1, cus1)), sg.OutcomeRevoked)
		expectActive(t, s, user1, false, "the subscription ended")
	}},

	// A newer event that would grant (a late payment of an old invoice)
	// does not revive an ended source; it is recorded as unchanged.
	{"BlocksLaterGrant", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkF0001", invoicePaid, sub1, at(0), grant, user1, cus1))
		final := withFinal(change("evt_1PkF0002", subDeleted, sub1, at(10), revok, user1, cus1))
		apply(t, s, final)
		late := change("evt_1PkF0003", invoicePaid, sub1, at(60), grant, user1, cus1)
		expect(t, s, late, sg.OutcomeUnchanged)
		expectActive(t, s, user1, false, "a payment after the end does not revive the subscription")
		expect(t, s, late, sg.OutcomeDuplicate)
		checkLog(t, user1, paymentLog(t, s, user1, 0), []sg.LogEntry{
			entry(late, sg.OutcomeUnchanged, user1),
			entry(final, sg.OutcomeRevoked, user1),
			entry(change("evt_1PkF0001", invoicePaid, sub1, at(0), grant, user1, cus1), sg.OutcomeGranted, user1),
		})
	}},

	// The end applies even when it arrives after a newer grant, because no
	// order of delivery can revive an ended subscription.
	{"AppliesWhenStale", func(t *testing.T, s store) {
		newer := withPeriodEnd(change("evt_1PkF0003", invoicePaid, sub1, at(60), grant, user1, cus1), at(60).AddDate(0, 1, 0))
		apply(t, s, newer)
		expect(t, s, withFinal(change("evt_1PkF0002", subDeleted, sub1, at(10), revok, user1, cus1)), sg.OutcomeRevoked)
		checkEntitlement(t, entitlement(t, s, user1), sg.Entitlement{
			UserID: user1, SourceID: sub1, CustomerID: cus1, PeriodEnd: newer.PeriodEnd, UpdatedAt: newer.Created,
		})
		expect(t, s, change("evt_1PkF0004", subUpdated, sub1, at(90), grant, user1, cus1), sg.OutcomeUnchanged)
		expectActive(t, s, user1, false, "the stale end still ended the subscription")
	}},

	// Ending a source in its grace period ends the grace period too.
	{"EndsGrace", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkF0001", invoicePaid, sub1, at(0), grant, user1, cus1))
		apply(t, s, withGrace(change("evt_1PkF0002", invoiceFailed, sub1, at(10), grace, user1, cus1), at(10).Add(graceDays)))
		expect(t, s, withFinal(change("evt_1PkF0003", subDeleted, sub1, at(20), revok, user1, cus1)), sg.OutcomeRevoked)
		e := entitlement(t, s, user1)
		if e.Active || !e.GraceUntil.IsZero() {
			t.Errorf("Entitlement(%q) = Active %v, GraceUntil %s; want inactive with no deadline", user1, e.Active, e.GraceUntil)
		}
	}},

	// An end on a source never seen before is recorded, and the source
	// never grants afterwards.
	{"OnNewSource", func(t *testing.T, s store) {
		expect(t, s, withFinal(change("evt_1PkF0001", subDeleted, sub1, at(10), revok, user1, cus1)), sg.OutcomeUnchanged)
		expect(t, s, change("evt_1PkF0002", invoicePaid, sub1, at(20), grant, user1, cus1), sg.OutcomeUnchanged)
		expectActive(t, s, user1, false, "an ended subscription never grants")
	}},

	// Ending one source leaves the user's other sources alone.
	{"OtherSourcesKeepAccess", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkF0001", invoicePaid, sub1, at(0), grant, user1, cus1))
		apply(t, s, change("evt_1PkF0002", piSucceeded, pi1, at(5), grant, user1, cus1))
		apply(t, s, withFinal(change("evt_1PkF0003", subDeleted, sub1, at(10), revok, user1, cus1)))
		e := expectActive(t, s, user1, true, "the one-time purchase still grants")
		if e.SourceID != pi1 {
			t.Errorf("Entitlement(%q).SourceID = %q, want %q", user1, e.SourceID, pi1)
		}
	}},
}
