package main

import (
	"fmt"
	"time"
)

// lineDescription is the text Stripe writes on a subscription invoice line.
const lineDescription = "1 × Pro plan (at $20.00 / month)"

// subscriptionState contains the fields that differ between the subscription
// events.
type subscriptionState struct {
	status        string
	periodStart   time.Time
	periodEnd     time.Time
	anchor        time.Time // billing_cycle_anchor
	latestInvoice string
	paymentMethod any       // default payment method id, or nil
	trial         bool      // the subscription started with the 14-day trial
	canceled      time.Time // zero unless the status is canceled
}

// invoiceState describes one renewal invoice of the subscription. Stripe
// creates it when the new period starts and finalizes and charges it an hour
// later.
type invoiceState struct {
	id       string
	lineID   string
	sequence int // per-customer invoice number
	renewal  time.Time
	paid     bool
	// chargeID and paymentIntentID are only written in API versions before
	// basil, which moved invoice payments to a separate list.
	chargeID        string
	paymentIntentID string
}

func (inv invoiceState) finalized() time.Time { return inv.renewal.Add(time.Hour) }

func (s *scenario) subscription(st subscriptionState) object {
	sub := s.fx.resource("subscription")
	sub["customer"] = s.customerID
	sub["status"] = st.status
	sub["metadata"] = object{}

	sub["created"] = unix(s.times.subscribed)
	sub["start_date"] = unix(s.times.subscribed)
	sub["billing_cycle_anchor"] = unix(st.anchor)
	sub["latest_invoice"] = st.latestInvoice
	sub["default_payment_method"] = st.paymentMethod
	sub["cancel_at"] = nil
	sub["cancel_at_period_end"] = false
	sub["canceled_at"] = nil
	sub["ended_at"] = nil
	sub["trial_start"] = nil
	sub["trial_end"] = nil
	sub["next_pending_invoice_item_invoice"] = nil

	if st.trial {
		sub["trial_start"] = unix(s.times.subscribed)
		sub["trial_end"] = unix(s.times.trialEnd)
		// Pausing, rather than the fixture's "create_invoice", is what
		// turns a trial without a payment method into a paused subscription.
		sub["trial_settings"] = object{"end_behavior": object{"missing_payment_method": "pause"}}
	}
	if !st.canceled.IsZero() {
		sub["canceled_at"] = unix(st.canceled)
		sub["ended_at"] = unix(st.canceled)
		overlay(sub, "cancellation_details", object{"reason": "payment_failed"})
	}

	setExisting(sub, object{
		"billing_cycle_anchor_config":   nil,
		"billing_schedules":             []any{},
		"billing_thresholds":            nil,
		"managed_payments":              object{"enabled": false},
		"pause_collection":              nil,
		"pending_invoice_item_interval": nil,
		"pending_update":                nil,
		"transfer_data":                 nil,
	})

	s.setSubscriptionItem(sub)
	s.setSubscriptionPeriod(sub, st)
	return sub
}

func (s *scenario) setSubscriptionItem(sub object) {
	item := firstItem(sub, "items")
	item["subscription"] = s.subscriptionID
	item["created"] = unix(s.times.subscribed)
	item["price"] = s.subscriptionPrice()
	setExisting(item, object{"billing_thresholds": nil})

	// The newer fixture carries a placeholder plan, but a real subscription
	// item repeats its price as a legacy plan object.
	if _, ok := item["plan"].(object); ok {
		overlay(item, "plan", s.legacyPlan())
	}
}

// setSubscriptionPeriod writes the current billing period. Basil moved it
// from the subscription to each subscription item.
func (s *scenario) setSubscriptionPeriod(sub object, st subscriptionState) {
	if !s.era.basil {
		sub["current_period_start"] = unix(st.periodStart)
		sub["current_period_end"] = unix(st.periodEnd)
		return
	}
	delete(sub, "current_period_start")
	delete(sub, "current_period_end")
	item := firstItem(sub, "items")
	item["current_period_start"] = unix(st.periodStart)
	item["current_period_end"] = unix(st.periodEnd)
}

// subscriptionPrice returns the monthly price of the fixture subscription,
// without the placeholder values of the newer fixture.
func (s *scenario) subscriptionPrice() object {
	price := child(firstItem(s.fx.resource("subscription"), "items"), "price")
	setExisting(price, object{"custom_unit_amount": nil, "transform_quantity": nil})
	return price
}

func (s *scenario) legacyPlan() object {
	price := s.subscriptionPrice()
	return object{
		"id":                price["id"],
		"active":            true,
		"amount":            priceAmount,
		"amount_decimal":    fmt.Sprint(priceAmount),
		"billing_scheme":    "per_unit",
		"created":           price["created"],
		"currency":          currency,
		"interval":          "month",
		"interval_count":    1,
		"livemode":          false,
		"metadata":          object{},
		"product":           s.productID,
		"transform_usage":   nil,
		"trial_period_days": nil,
		"usage_type":        "licensed",
	}
}

func (s *scenario) invoice(inv invoiceState) object {
	in := s.fx.resource("invoice")
	in["id"] = inv.id
	in["number"] = fmt.Sprintf("%s-%04d", s.invoicePrefix, inv.sequence)
	in["customer"] = s.customerID
	in["customer_email"] = customerEmail
	in["customer_name"] = customerName
	in["billing_reason"] = "subscription_cycle"
	in["collection_method"] = "charge_automatically"
	in["metadata"] = object{}

	in["created"] = unix(inv.renewal)
	in["webhooks_delivered_at"] = unix(inv.renewal.Add(5 * time.Second))
	// A renewal invoice's own period is the month that just ended, while its
	// line bills the month that starts.
	in["period_start"] = unix(inv.renewal.AddDate(0, -1, 0))
	in["period_end"] = unix(inv.renewal)
	in["due_date"] = nil

	setExisting(in, object{
		"amount_overpaid":             0,
		"customer_shipping":           nil,
		"effective_at":                unix(inv.finalized()),
		"from_invoice":                nil,
		"last_finalization_error":     nil,
		"shipping_cost":               nil,
		"shipping_details":            nil,
		"total_pretax_credit_amounts": []any{},
		"total_taxes":                 []any{},
	})

	s.setInvoicePayment(in, inv)
	s.setInvoiceLine(in, inv)
	if s.era.basil {
		s.linkInvoiceBasil(in)
	} else {
		s.linkInvoiceLegacy(in, inv)
	}
	return in
}

// setInvoicePayment writes the amounts and the outcome of the single
// automatic payment attempt.
func (s *scenario) setInvoicePayment(in object, inv invoiceState) {
	status := "open"
	paidAmount := 0
	var paidAt any
	// The retry schedule is an account setting, and this scenario retries
	// three days after the failed attempt.
	var nextAttempt any = unix(inv.finalized().AddDate(0, 0, 3))
	if inv.paid {
		status = "paid"
		paidAmount = priceAmount
		paidAt = unix(inv.finalized())
		nextAttempt = nil
	}
	in["status"] = status
	in["amount_due"] = priceAmount
	in["amount_paid"] = paidAmount
	in["amount_remaining"] = priceAmount - paidAmount
	in["subtotal"] = priceAmount
	in["subtotal_excluding_tax"] = priceAmount
	in["total"] = priceAmount
	in["total_excluding_tax"] = priceAmount
	in["attempt_count"] = 1
	in["attempted"] = true
	in["auto_advance"] = !inv.paid
	in["next_payment_attempt"] = nextAttempt
	overlay(in, "status_transitions", object{"finalized_at": unix(inv.finalized()), "paid_at": paidAt})
}

func (s *scenario) setInvoiceLine(in object, inv invoiceState) {
	line := firstItem(in, "lines")
	line["id"] = inv.lineID
	line["amount"] = priceAmount
	line["currency"] = currency
	line["description"] = lineDescription
	line["discountable"] = true
	line["discount_amounts"] = []any{}
	line["discounts"] = []any{}
	line["metadata"] = object{}
	line["period"] = object{"start": unix(inv.renewal), "end": unix(inv.renewal.AddDate(0, 1, 0))}
	line["quantity"] = 1
	line["subscription"] = s.subscriptionID
	if s.era.basil {
		s.setLineBasil(line, inv)
	} else {
		s.setLineLegacy(line)
	}
	overlay(in, "lines", object{"data": []any{line}, "url": "/v1/invoices/" + inv.id + "/lines"})
}

// setLineLegacy writes the line fields that basil removed: the price, the
// subscription item and the line type.
func (s *scenario) setLineLegacy(line object) {
	line["amount_excluding_tax"] = priceAmount
	line["unit_amount_excluding_tax"] = fmt.Sprint(priceAmount)
	line["invoice_item"] = nil
	line["price"] = s.subscriptionPrice()
	line["proration"] = false
	line["proration_details"] = object{"credited_items": nil}
	line["subscription_item"] = s.itemID
	line["tax_amounts"] = []any{}
	line["tax_rates"] = []any{}
	line["type"] = "subscription"
}

// setLineBasil links the line to its subscription item through parent and
// names the price in pricing, which replaced the line's price object.
func (s *scenario) setLineBasil(line object, inv invoiceState) {
	line["invoice"] = inv.id
	line["subtotal"] = priceAmount
	line["taxes"] = []any{}
	line["pretax_credit_amounts"] = []any{}
	line["pricing"] = object{
		"type":                "price_details",
		"price_details":       object{"price": s.priceID, "product": s.productID},
		"unit_amount_decimal": fmt.Sprint(priceAmount),
	}
	line["parent"] = object{
		"type":                 "subscription_item_details",
		"invoice_item_details": nil,
		"subscription_item_details": object{
			"invoice_item":      nil,
			"proration":         false,
			"proration_details": object{"credited_items": nil},
			"subscription":      s.subscriptionID,
			"subscription_item": s.itemID,
		},
	}
}

func (s *scenario) linkInvoiceLegacy(in object, inv invoiceState) {
	in["subscription"] = s.subscriptionID
	in["paid"] = inv.paid
	in["charge"] = inv.chargeID
	in["payment_intent"] = inv.paymentIntentID
}

// linkInvoiceBasil links the invoice to its subscription through parent.
// Basil removed the top-level subscription, paid, charge and payment_intent
// fields, but the newer stripe-mock fixture still has "subscription": null.
func (s *scenario) linkInvoiceBasil(in object) {
	for _, key := range []string{"subscription", "paid", "charge", "payment_intent"} {
		delete(in, key)
	}
	in["parent"] = object{
		"type": "subscription_details",
		"subscription_details": object{
			"metadata":     object{},
			"subscription": s.subscriptionID,
		},
		"quote_details": nil,
	}
}

func unix(t time.Time) int64 { return t.Unix() }
