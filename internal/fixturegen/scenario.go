package main

import (
	"fmt"
	"time"
)

const (
	userID        = "user_42"
	customerEmail = "jenny.rosen@example.com"
	customerName  = "Jenny Rosen"
	currency      = "usd"
	// priceAmount is the amount in cents of the one-time purchase and of one
	// month of the subscription. It equals the unit_amount of the
	// subscription price in both stripe-mock releases.
	priceAmount = 2000
	// partialRefund is the amount in cents of the first, partial refund.
	partialRefund = 500
)

// scenario holds the ids and times of one customer's purchases in one era.
// The ids of the main objects come from the stripe-mock fixtures, and the
// ids of the extra objects that the story needs are derived with objectID.
//
// The events cover branches of one story that cannot all happen together:
// the asynchronous payment either succeeds or fails, and the subscription
// starts either paid or with a trial. All branches share the same ids.
type scenario struct {
	era    era
	fx     fixtures
	idStem string

	customerID      string
	paymentMethodID string

	// One-time card purchase: a declined attempt, then a paid one.
	cardSessionID           string
	paymentIntentID         string
	chargeID                string
	disputeID               string
	declinedChargeID        string
	declinedPaymentMethodID string

	// One-time purchase paid by US bank account debit.
	bankSessionID       string
	bankPaymentIntentID string

	// Monthly subscription.
	subscriptionSessionID string
	trialSessionID        string
	subscriptionID        string
	itemID                string
	priceID               string
	productID             string
	invoicePrefix         string
	firstInvoiceID        string
	trialInvoiceID        string
	resumeInvoiceID       string
	paidInvoice           invoiceState
	failedInvoice         invoiceState

	times scenarioTimes
}

// scenarioTimes are the moments of the story, in the order they happen.
type scenarioTimes struct {
	customerCreated time.Time
	cardCheckout    time.Time // card Checkout Session created
	cardDeclined    time.Time
	cardPaid        time.Time
	bankCheckout    time.Time // bank debit Checkout Session completed, payment pending
	bankSettled     time.Time // bank debit succeeded or failed
	subscribed      time.Time // subscription created
	trialEnd        time.Time
	resumed         time.Time
	partialRefund   time.Time
	fullRefund      time.Time
	disputed        time.Time
	firstRenewal    time.Time
	secondRenewal   time.Time // renewal whose payment fails
	canceled        time.Time // subscription canceled after the failed retries
}

func newScenario(e era, fx fixtures) *scenario {
	s := &scenario{era: e, fx: fx}
	s.takeFixtureIDs()
	s.deriveIDs()
	s.times = newScenarioTimes(e.start)
	s.paidInvoice, s.failedInvoice = s.renewalInvoices()
	return s
}

// takeFixtureIDs reads the ids of the main objects from the fixtures.
func (s *scenario) takeFixtureIDs() {
	event := s.fx.resource("event")
	s.idStem = fmt.Sprint(event["id"])[len("evt_"):][:16]

	customer := s.fx.resource("customer")
	s.customerID = fmt.Sprint(customer["id"])
	s.invoicePrefix = fmt.Sprint(customer["invoice_prefix"])
	s.paymentMethodID = fmt.Sprint(s.fx.resource("payment_method")["id"])
	s.cardSessionID = fmt.Sprint(s.fx.resource("checkout.session")["id"])
	s.paymentIntentID = fmt.Sprint(s.fx.resource("payment_intent")["id"])
	s.chargeID = fmt.Sprint(s.fx.resource("charge")["id"])
	s.disputeID = fmt.Sprint(s.fx.resource("dispute")["id"])

	sub := s.fx.resource("subscription")
	s.subscriptionID = fmt.Sprint(sub["id"])
	item := firstItem(sub, "items")
	price := child(item, "price")
	s.itemID = fmt.Sprint(item["id"])
	s.priceID = fmt.Sprint(price["id"])
	s.productID = fmt.Sprint(price["product"])
}

// deriveIDs creates the ids of objects that the fixtures have only once but
// the story needs more than once, such as a second Checkout Session.
func (s *scenario) deriveIDs() {
	s.declinedChargeID = s.objectID("ch_", "declined charge")
	s.declinedPaymentMethodID = s.objectID("pm_", "declined card")
	s.bankSessionID = s.sessionID("bank debit session")
	s.bankPaymentIntentID = s.objectID("pi_", "bank debit payment intent")
	s.subscriptionSessionID = s.sessionID("subscription session")
	s.trialSessionID = s.sessionID("trial session")
	s.firstInvoiceID = s.objectID("in_", "first invoice")
	s.trialInvoiceID = s.objectID("in_", "trial invoice")
	s.resumeInvoiceID = s.objectID("in_", "resume invoice")
}

// renewalInvoices returns the invoice of the first renewal, which is paid
// and keeps the fixture invoice's ids, and of the second renewal, whose
// payment fails.
func (s *scenario) renewalInvoices() (paid, failed invoiceState) {
	invoice := s.fx.resource("invoice")
	paid = invoiceState{
		id:              fmt.Sprint(invoice["id"]),
		lineID:          fmt.Sprint(firstItem(invoice, "lines")["id"]),
		sequence:        2,
		renewal:         s.times.firstRenewal,
		paid:            true,
		chargeID:        s.objectID("ch_", "first renewal charge"),
		paymentIntentID: s.objectID("pi_", "first renewal payment intent"),
	}
	failed = invoiceState{
		id:              s.objectID("in_", "second renewal invoice"),
		lineID:          s.objectID("il_", "second renewal invoice line"),
		sequence:        3,
		renewal:         s.times.secondRenewal,
		paid:            false,
		chargeID:        s.objectID("ch_", "second renewal charge"),
		paymentIntentID: s.objectID("pi_", "second renewal payment intent"),
	}
	return paid, failed
}

func newScenarioTimes(start time.Time) scenarioTimes {
	subscribed := start.Add(time.Hour)
	trialEnd := subscribed.AddDate(0, 0, 14)
	bankCheckout := start.Add(30 * time.Minute)
	secondRenewal := subscribed.AddDate(0, 2, 0)
	return scenarioTimes{
		customerCreated: start,
		cardCheckout:    start.Add(2 * time.Minute),
		cardDeclined:    start.Add(4 * time.Minute),
		cardPaid:        start.Add(5 * time.Minute),
		bankCheckout:    bankCheckout,
		// ACH debits take a few business days to succeed or fail. Four days
		// is an estimate.
		bankSettled:   bankCheckout.AddDate(0, 0, 4),
		subscribed:    subscribed,
		trialEnd:      trialEnd,
		resumed:       trialEnd.Add(26 * time.Hour),
		partialRefund: start.AddDate(0, 0, 7),
		fullRefund:    start.AddDate(0, 0, 8),
		disputed:      start.AddDate(0, 0, 20),
		firstRenewal:  subscribed.AddDate(0, 1, 0),
		secondRenewal: secondRenewal,
		canceled:      secondRenewal.AddDate(0, 0, 15),
	}
}
