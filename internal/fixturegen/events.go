package main

import "time"

// eventSpec is one webhook event file.
type eventSpec struct {
	name     string // file name without ".json", starting with the event type
	typ      string
	at       time.Time
	object   object
	previous object // data.previous_attributes, or nil when the event has none
	// requested marks events that an API request caused, such as a refund or
	// a Checkout confirmation. Stripe fills request.id only for those and
	// sends null for automatic events such as a subscription renewal.
	requested bool
}

// events returns the events of the scenario in the order they happen.
func (s *scenario) events() []eventSpec {
	t := s.times
	second := time.Second
	return []eventSpec{
		{name: "customer.created", typ: "customer.created", at: t.customerCreated, object: s.customer(), requested: true},
		{name: "payment_intent.payment_failed", typ: "payment_intent.payment_failed", at: t.cardDeclined, object: s.paymentIntent(false), requested: true},
		{name: "payment_intent.succeeded", typ: "payment_intent.succeeded", at: t.cardPaid, object: s.paymentIntent(true), requested: true},
		{name: "checkout.session.completed", typ: "checkout.session.completed", at: t.cardPaid.Add(2 * second), object: s.cardSession(), requested: true},
		{name: "checkout.session.completed.unpaid", typ: "checkout.session.completed", at: t.bankCheckout, object: s.bankDebitSession("unpaid"), requested: true},
		{name: "checkout.session.completed.subscription", typ: "checkout.session.completed", at: t.subscribed.Add(second), object: s.subscriptionSession(), requested: true},
		{name: "customer.subscription.created", typ: "customer.subscription.created", at: t.subscribed.Add(2 * second), object: s.subscription(s.activeSubscription()), requested: true},
		{name: "checkout.session.completed.no_payment_required", typ: "checkout.session.completed", at: t.subscribed.Add(3 * second), object: s.trialSession(), requested: true},
		{name: "checkout.session.async_payment_succeeded", typ: "checkout.session.async_payment_succeeded", at: t.bankSettled, object: s.bankDebitSession("paid")},
		{name: "checkout.session.async_payment_failed", typ: "checkout.session.async_payment_failed", at: t.bankSettled.Add(time.Hour), object: s.bankDebitSession("unpaid")},
		{name: "charge.refunded.partial", typ: "charge.refunded", at: t.partialRefund, object: s.charge(partialRefund), requested: true},
		{name: "charge.refunded", typ: "charge.refunded", at: t.fullRefund, object: s.charge(priceAmount), requested: true},
		{name: "customer.subscription.paused", typ: "customer.subscription.paused", at: t.trialEnd, object: s.subscription(s.pausedSubscription())},
		{name: "customer.subscription.resumed", typ: "customer.subscription.resumed", at: t.resumed, object: s.subscription(s.resumedSubscription()), requested: true},
		{name: "charge.dispute.created", typ: "charge.dispute.created", at: t.disputed, object: s.dispute()},
		{name: "invoice.paid", typ: "invoice.paid", at: s.paidInvoice.finalized(), object: s.invoice(s.paidInvoice)},
		{name: "invoice.payment_succeeded", typ: "invoice.payment_succeeded", at: s.paidInvoice.finalized().Add(second), object: s.invoice(s.paidInvoice)},
		{name: "invoice.payment_failed", typ: "invoice.payment_failed", at: s.failedInvoice.finalized(), object: s.invoice(s.failedInvoice)},
		{
			name: "customer.subscription.updated", typ: "customer.subscription.updated",
			at:       s.failedInvoice.finalized().Add(second),
			object:   s.subscription(s.pastDueSubscription()),
			previous: object{"status": "active"},
		},
		{name: "customer.subscription.deleted", typ: "customer.subscription.deleted", at: t.canceled, object: s.subscription(s.canceledSubscription())},
	}
}

func (s *scenario) activeSubscription() subscriptionState {
	start := s.times.subscribed
	return subscriptionState{
		status:        "active",
		periodStart:   start,
		periodEnd:     start.AddDate(0, 1, 0),
		anchor:        start,
		latestInvoice: s.firstInvoiceID,
		paymentMethod: s.paymentMethodID,
	}
}

// pastDueSubscription is the subscription after the payment of the second
// renewal failed.
func (s *scenario) pastDueSubscription() subscriptionState {
	st := s.activeSubscription()
	st.status = "past_due"
	st.periodStart = s.failedInvoice.renewal
	st.periodEnd = s.failedInvoice.renewal.AddDate(0, 1, 0)
	st.latestInvoice = s.failedInvoice.id
	return st
}

// canceledSubscription is the subscription that Stripe canceled after the
// retries of the failed renewal ran out.
func (s *scenario) canceledSubscription() subscriptionState {
	st := s.pastDueSubscription()
	st.status = "canceled"
	st.canceled = s.times.canceled
	return st
}

// pausedSubscription is the subscription of the trial branch: the trial
// ended without a payment method, so Stripe paused it.
//
// NOTE: the period after the trial end is a guess. Stripe's API reference
// does not say which period a paused subscription reports.
func (s *scenario) pausedSubscription() subscriptionState {
	end := s.times.trialEnd
	return subscriptionState{
		status:        "paused",
		periodStart:   end,
		periodEnd:     end.AddDate(0, 1, 0),
		anchor:        end,
		latestInvoice: s.trialInvoiceID,
		paymentMethod: nil,
		trial:         true,
	}
}

// resumedSubscription is the paused subscription after the customer added
// a card and the integration resumed it, which starts a new billing period
// at once.
func (s *scenario) resumedSubscription() subscriptionState {
	resumed := s.times.resumed
	return subscriptionState{
		status:        "active",
		periodStart:   resumed,
		periodEnd:     resumed.AddDate(0, 1, 0),
		anchor:        resumed,
		latestInvoice: s.resumeInvoiceID,
		paymentMethod: s.paymentMethodID,
		trial:         true,
	}
}

// envelope wraps the event's object in the event fields that Stripe sends.
func (s *scenario) envelope(ev eventSpec) object {
	e := s.fx.resource("event")
	e["id"] = s.objectID("evt_", ev.name)
	e["object"] = "event"
	e["api_version"] = s.era.apiVersion
	e["created"] = unix(ev.at)
	e["livemode"] = false
	e["pending_webhooks"] = 1
	e["type"] = ev.typ

	data := object{"object": ev.object}
	if ev.previous != nil {
		data["previous_attributes"] = ev.previous
	}
	e["data"] = data

	e["request"] = object{"id": nil, "idempotency_key": nil}
	if ev.requested {
		e["request"] = object{"id": s.requestID(ev.name), "idempotency_key": s.idempotencyKey(ev.name)}
	}
	return e
}
