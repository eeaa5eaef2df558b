package main

import "time"

// checkoutSession returns a completed Checkout Session of the scenario
// customer, linked to the app user through client_reference_id and metadata.
func (s *scenario) checkoutSession(id string, created time.Time, amount int) object {
	cs := s.fx.resource("checkout.session")
	cs["id"] = id
	cs["created"] = unix(created)
	cs["expires_at"] = unix(created.Add(24 * time.Hour))
	cs["status"] = "complete"
	// Stripe clears the URL once the session is complete.
	cs["url"] = nil
	cs["customer"] = s.customerID
	cs["client_reference_id"] = userID
	cs["metadata"] = object{"user_id": userID}
	cs["currency"] = currency
	cs["amount_subtotal"] = amount
	cs["amount_total"] = amount
	cs["total_details"] = object{"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0}
	cs["payment_method_types"] = []any{"card"}
	overlay(cs, "customer_details", object{"email": customerEmail, "name": customerName})
	nullMembers(cs, "custom_text")
	setExisting(cs, object{
		"after_expiration":                     nil,
		"collected_information":                nil,
		"currency_conversion":                  nil,
		"managed_payments":                     object{"enabled": false},
		"payment_method_configuration_details": nil,
		"shipping_address_collection":          nil,
		"shipping_cost":                        nil,
		"ui_mode":                              "hosted",
	})
	return cs
}

// setPaymentMode makes cs a one-time payment of the given payment intent.
func setPaymentMode(cs object, paymentIntentID string) {
	cs["mode"] = "payment"
	cs["payment_intent"] = paymentIntentID
	cs["subscription"] = nil
	cs["invoice"] = nil
	if _, ok := cs["invoice_creation"].(object); ok {
		overlay(cs, "invoice_creation", object{"enabled": false})
	}
}

// setSubscriptionMode makes cs the start of the scenario subscription.
// collection is the session's payment_method_collection: "always", or
// "if_required" to let a trial start without a payment method.
func (s *scenario) setSubscriptionMode(cs object, invoiceID, collection string) {
	cs["mode"] = "subscription"
	cs["payment_intent"] = nil
	cs["subscription"] = s.subscriptionID
	cs["invoice"] = invoiceID
	cs["invoice_creation"] = nil
	cs["payment_method_collection"] = collection
}

func (s *scenario) cardSession() object {
	cs := s.checkoutSession(s.cardSessionID, s.times.cardCheckout, priceAmount)
	setPaymentMode(cs, s.paymentIntentID)
	cs["payment_status"] = "paid"
	return cs
}

// bankDebitSession returns the session of the purchase paid by US bank
// account debit. It completes with payment_status "unpaid" and changes to
// "paid" only if the debit succeeds days later.
func (s *scenario) bankDebitSession(paymentStatus string) object {
	created := s.times.bankCheckout.Add(-3 * time.Minute)
	cs := s.checkoutSession(s.bankSessionID, created, priceAmount)
	setPaymentMode(cs, s.bankPaymentIntentID)
	cs["payment_status"] = paymentStatus
	cs["payment_method_types"] = []any{"us_bank_account"}
	cs["payment_method_options"] = object{
		"us_bank_account": object{
			"financial_connections": object{"permissions": []any{"payment_method"}, "prefetch": []any{}},
			"verification_method":   "automatic",
		},
	}
	return cs
}

func (s *scenario) subscriptionSession() object {
	created := s.times.subscribed.Add(-3 * time.Minute)
	cs := s.checkoutSession(s.subscriptionSessionID, created, priceAmount)
	s.setSubscriptionMode(cs, s.firstInvoiceID, "always")
	cs["payment_status"] = "paid"
	return cs
}

// trialSession returns the session that starts the subscription with a
// 14-day trial and collects no payment method, so nothing is charged today.
func (s *scenario) trialSession() object {
	created := s.times.subscribed.Add(-3 * time.Minute)
	cs := s.checkoutSession(s.trialSessionID, created, 0)
	s.setSubscriptionMode(cs, s.trialInvoiceID, "if_required")
	cs["payment_status"] = "no_payment_required"
	return cs
}
