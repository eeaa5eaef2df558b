package storetest

import (
	"testing"

	sg "github.com/stripegate/stripegate"
)

// Stripe IDs of one renewal: its invoice, and the payment intent and charge
// that paid it.
const (
	in1 = "in_1PkV2hK7mNp3Ty6f"
	pi3 = "pi_3PkV5jL9oQr4Uz7g"
	ch3 = "ch_3PkV5jL9oQr4Uz7h"
)

// withAliases returns c with the given aliases for its source.
func withAliases(c sg.Change, aliases ...string) sg.Change {
	c.Aliases = aliases
	return c
}

// aliasRules check Change.Aliases and AccessKeep: a refund or dispute of a
// subscription's payment reaches the subscription, whichever of the events
// that tie them together arrives first.
var aliasRules = []rule{
	// A change naming an alias applies to the source it stands for, and is
	// logged under that source.
	{"ResolvesToSource", func(t *testing.T, s store) {
		apply(t, s, withAliases(change("evt_1PkA0001", invoicePaid, sub1, at(0), grant, user1, cus1), in1, pi3, ch3))
		dispute := change("evt_1PkA0002", "charge.dispute.created", pi3, at(10), revok, "", "")
		res := expect(t, s, dispute, sg.OutcomeRevoked)
		expectUser(t, dispute, res, user1)
		expectActive(t, s, user1, false, "the dispute of the renewal payment revoked the subscription")

		res = expect(t, s, dispute, sg.OutcomeDuplicate)
		expectUser(t, dispute, res, user1)

		log := paymentLog(t, s, user1, 1)
		if len(log) != 1 || log[0].SourceID != sub1 {
			t.Errorf("PaymentLog(%q)[0] = %+v, want the dispute logged under %s", user1, log, sub1)
		}
	}},

	// AccessKeep records aliases without touching access, and a chain of
	// aliases is followed: payment -> invoice -> subscription, with the
	// link from the payment to its invoice arriving first.
	{"KeepThenChain", func(t *testing.T, s store) {
		keep := withAliases(change("evt_1PkA0001", "invoice_payment.paid", in1, at(0), sg.AccessKeep, "", ""), pi3)
		expect(t, s, keep, sg.OutcomeUnchanged)
		expect(t, s, keep, sg.OutcomeDuplicate)
		if log := paymentLog(t, s, user1, 0); len(log) != 0 {
			t.Errorf("PaymentLog(%q) = %+v after AccessKeep, want it empty", user1, log)
		}

		apply(t, s, withAliases(change("evt_1PkA0002", invoicePaid, sub1, at(1), grant, user1, cus1), in1))
		expectActive(t, s, user1, true, "the invoice was paid")
		expect(t, s, change("evt_1PkA0003", "charge.refunded", pi3, at(10), revok, "", cus1), sg.OutcomeRevoked)
		expectActive(t, s, user1, false, "the refund reached the subscription through two aliases")
	}},

	// AccessKeep on a known source changes nothing about it.
	{"KeepChangesNothing", func(t *testing.T, s store) {
		apply(t, s, withAliases(change("evt_1PkA0001", invoicePaid, sub1, at(0), grant, user1, cus1), in1))
		before := entitlement(t, s, user1)
		expect(t, s, withAliases(change("evt_1PkA0002", "invoice_payment.paid", in1, at(60), sg.AccessKeep, "", ""), pi3), sg.OutcomeUnchanged)
		checkEntitlement(t, entitlement(t, s, user1), before)
		if n := len(paymentLog(t, s, user1, 0)); n != 1 {
			t.Errorf("PaymentLog(%q) has %d entries after AccessKeep, want 1", user1, n)
		}
	}},

	// A payment that is a source itself stays its own source when a later
	// event records it as an alias of its invoice: a one-time purchase
	// whose invoice belongs to no subscription. Its refund revokes it.
	{"StoredSourceWins", func(t *testing.T, s store) {
		apply(t, s, change("evt_1PkA0001", "checkout.session.completed", pi3, at(0), grant, user1, cus1))
		expect(t, s, withAliases(change("evt_1PkA0002", "invoice_payment.paid", in1, at(1), sg.AccessKeep, "", ""), pi3), sg.OutcomeUnchanged)
		expect(t, s, change("evt_1PkA0003", "charge.refunded", pi3, at(10), revok, "", cus1), sg.OutcomeRevoked)
		expectActive(t, s, user1, false, "the refund revoked the purchase")
	}},

	// An alias keeps its first target: a later change cannot move it to
	// another source.
	{"FirstTargetKept", func(t *testing.T, s store) {
		apply(t, s, withAliases(change("evt_1PkA0001", invoicePaid, sub1, at(0), grant, user1, cus1), pi3))
		apply(t, s, withAliases(change("evt_1PkA0002", invoicePaid, sub2, at(1), grant, user2, cus2), pi3))
		apply(t, s, change("evt_1PkA0003", "charge.dispute.created", pi3, at(10), revok, "", ""))
		expectActive(t, s, user1, false, "the alias still stands for the first subscription")
		expectActive(t, s, user2, true, "the second subscription was not disputed")
	}},
}
