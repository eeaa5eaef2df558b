package main

import "time"

func (s *scenario) customer() object {
	c := s.fx.resource("customer")
	c["created"] = unix(s.times.customerCreated)
	c["email"] = customerEmail
	c["name"] = customerName
	c["metadata"] = object{}
	setExisting(c, object{"discount": nil, "shipping": nil})
	return c
}

// paymentIntent returns the payment intent of the one-time card purchase,
// either after a declined card or after the successful retry.
func (s *scenario) paymentIntent(succeeded bool) object {
	pi := s.fx.resource("payment_intent")
	pi["created"] = unix(s.times.cardCheckout)
	pi["amount"] = priceAmount
	pi["currency"] = currency
	pi["customer"] = s.customerID
	pi["metadata"] = object{"user_id": userID}
	pi["description"] = nil
	pi["canceled_at"] = nil
	pi["payment_method_types"] = []any{"card"}

	pi["status"] = "requires_payment_method"
	pi["amount_received"] = 0
	pi["latest_charge"] = s.declinedChargeID
	pi["payment_method"] = nil
	pi["last_payment_error"] = s.cardDeclinedError()
	if succeeded {
		pi["status"] = "succeeded"
		pi["amount_received"] = priceAmount
		pi["latest_charge"] = s.chargeID
		pi["payment_method"] = s.paymentMethodID
		pi["last_payment_error"] = nil
	}

	setExisting(pi, object{
		"managed_payments":                     object{"enabled": false},
		"next_action":                          nil,
		"payment_method_configuration_details": nil,
		"processing":                           nil,
		"shipping":                             nil,
		"transfer_data":                        nil,
	})
	// The newer fixture has a source field that its own OpenAPI spec no
	// longer defines for payment intents.
	delete(pi, "source")
	return pi
}

// cardDeclinedError returns the last_payment_error that Stripe sets for test
// card 4000 0000 0000 0002.
func (s *scenario) cardDeclinedError() object {
	docURL := "https://stripe.com/docs/error-codes/card-declined"
	if s.era.basil {
		docURL = "https://docs.stripe.com/error-codes/card-declined"
	}
	return object{
		"charge":         s.declinedChargeID,
		"code":           "card_declined",
		"decline_code":   "generic_decline",
		"doc_url":        docURL,
		"message":        "Your card was declined.",
		"payment_method": s.declinedCard(),
		"type":           "card_error",
	}
}

func (s *scenario) declinedCard() object {
	pm := s.fx.resource("payment_method")
	pm["id"] = s.declinedPaymentMethodID
	pm["created"] = unix(s.times.cardDeclined)
	pm["customer"] = nil
	pm["metadata"] = object{}
	overlay(pm, "billing_details", object{"email": customerEmail, "name": customerName})
	overlay(pm, "card", object{
		"exp_month":   12,
		"exp_year":    s.times.cardDeclined.Year() + 3,
		"fingerprint": hashChars(s.era.apiVersion+"/declined card fingerprint", 16),
		"last4":       "0002",
	})
	setExisting(child(pm, "card"), object{"generated_from": nil, "wallet": nil})
	return pm
}

// charge returns the successful charge of the one-time card purchase after
// the given amount in cents was refunded.
func (s *scenario) charge(refunded int) object {
	ch := s.fx.resource("charge")
	ch["created"] = unix(s.times.cardPaid)
	ch["amount"] = priceAmount
	ch["amount_captured"] = priceAmount
	ch["captured"] = true
	ch["amount_refunded"] = refunded
	ch["refunded"] = refunded == priceAmount
	ch["currency"] = currency
	ch["customer"] = s.customerID
	ch["payment_intent"] = s.paymentIntentID
	ch["payment_method"] = s.paymentMethodID

	ch["description"] = nil
	ch["paid"] = true
	ch["status"] = "succeeded"

	overlay(ch, "billing_details", object{"email": customerEmail, "name": customerName})
	overlay(ch, "outcome", object{
		"network_status": "approved_by_network",
		"reason":         nil,
		"risk_level":     "normal",
		"risk_score":     32,
		"seller_message": "Payment complete.",
		"type":           "authorized",
	})

	s.setChargeCard(ch)
	setExisting(ch, object{"shipping": nil, "transfer_data": nil})
	// The OpenAPI spec of both stripe-mock releases marks refunds as an
	// expandable field, so webhook bodies, which expand nothing, leave it
	// out. The newer fixture also has a source field that its spec no longer
	// defines for charges.
	delete(ch, "refunds")
	delete(ch, "source")
	return ch
}

// setChargeCard clears the placeholder card details of the newer fixture,
// which describe a Link wallet and installments that a plain card payment
// does not have.
func (s *scenario) setChargeCard(ch object) {
	card := child(child(ch, "payment_method_details"), "card")
	setExisting(card, object{
		"amount_authorized": priceAmount,
		"installments":      nil,
		"three_d_secure":    nil,
		"wallet":            nil,
	})
	if _, ok := card["overcapture"].(object); ok {
		overlay(card, "overcapture", object{"maximum_amount_capturable": priceAmount})
	}
}

func (s *scenario) dispute() object {
	dp := s.fx.resource("dispute")
	dp["created"] = unix(s.times.disputed)
	dp["amount"] = priceAmount
	dp["currency"] = currency
	dp["charge"] = s.chargeID
	dp["payment_intent"] = s.paymentIntentID
	dp["reason"] = "fraudulent"
	dp["status"] = "needs_response"
	dp["is_charge_refundable"] = false
	overlay(dp, "evidence_details", object{"due_by": unix(endOfDay(s.times.disputed.AddDate(0, 0, 9)))})
	// Visa reason code 10.4 is card-absent fraud, which matches the reason.
	if details, ok := dp["payment_method_details"].(object); ok {
		overlay(details, "card", object{"case_type": "chargeback", "network_reason_code": "10.4"})
	}
	return dp
}

// endOfDay returns the last second of t's UTC day, the form of a dispute's
// evidence due_by in the fixtures.
func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 23, 59, 59, 0, time.UTC)
}
