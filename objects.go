package stripegate

// The structs below hold only the fields the access policy reads. Each one
// reads both the pre-2025 shapes and the 2025-03-31 ("basil") and later
// shapes, where an invoice names its subscription under parent and a
// subscription's billing period moved to its items.

// checkoutSession is a Stripe checkout.session object.
type checkoutSession struct {
	ID                string    `json:"id"`
	Mode              string    `json:"mode"`
	PaymentStatus     string    `json:"payment_status"`
	ClientReferenceID string    `json:"client_reference_id"`
	Customer          objectRef `json:"customer"`
	Subscription      objectRef `json:"subscription"`
	PaymentIntent     objectRef `json:"payment_intent"`
	Metadata          metadata  `json:"metadata"`
}

// sourceID returns the object whose state decides access: the subscription
// in subscription mode, else the payment intent that refunds and disputes
// name, else the session itself.
func (s *checkoutSession) sourceID() string {
	switch {
	case s.Subscription != "":
		return string(s.Subscription)
	case s.PaymentIntent != "":
		return string(s.PaymentIntent)
	default:
		return s.ID
	}
}

// invoice is a Stripe invoice object.
type invoice struct {
	ID       string    `json:"id"`
	Customer objectRef `json:"customer"`
	Metadata metadata  `json:"metadata"`

	// Subscription, SubscriptionDetails, PaymentIntent and Charge are the
	// shapes before 2025-03-31. From then on an invoice names its payments
	// only in invoice_payment events.
	PaymentIntent       objectRef `json:"payment_intent"`
	Charge              objectRef `json:"charge"`
	Subscription        objectRef `json:"subscription"`
	SubscriptionDetails *struct {
		Metadata metadata `json:"metadata"`
	} `json:"subscription_details"`

	// Parent is the shape from 2025-03-31 on.
	Parent *struct {
		SubscriptionDetails *struct {
			Subscription objectRef `json:"subscription"`
			Metadata     metadata  `json:"metadata"`
		} `json:"subscription_details"`
	} `json:"parent"`

	// BillingReason is the cause of the invoice, such as
	// "subscription_cycle" for a renewal.
	BillingReason string `json:"billing_reason"`
}

// subscriptionID returns the invoice's subscription in either API shape, or
// empty for an invoice that belongs to no subscription. Invoice lines are
// not read: a one-off invoice can carry a subscription's proration lines
// without being that subscription's invoice.
func (in *invoice) subscriptionID() string {
	if in.Parent != nil && in.Parent.SubscriptionDetails != nil && in.Parent.SubscriptionDetails.Subscription != "" {
		return string(in.Parent.SubscriptionDetails.Subscription)
	}
	return string(in.Subscription)
}

// paysForPeriod reports whether the invoice pays for a billing period: the
// first one or a renewal. Other subscription invoices, such as the
// proration of a plan change (often zero), say nothing about whether the
// subscription is paid up, so they neither grant nor revoke.
func (in *invoice) paysForPeriod() bool {
	switch in.BillingReason {
	case "subscription_create", "subscription_cycle", "subscription", "":
		return true
	default:
		return false
	}
}

// subscriptionMetadata returns the metadata of the invoice's subscription as
// copied onto the invoice, in either API shape.
func (in *invoice) subscriptionMetadata() metadata {
	if in.Parent != nil && in.Parent.SubscriptionDetails != nil {
		return in.Parent.SubscriptionDetails.Metadata
	}
	if in.SubscriptionDetails != nil {
		return in.SubscriptionDetails.Metadata
	}
	return nil
}

// aliases returns the IDs that stand for the invoice's subscription: the
// invoice and, in the shapes before 2025-03-31, its payment.
func (in *invoice) aliases() []string {
	return nonEmpty(in.ID, string(in.PaymentIntent), string(in.Charge))
}

// invoicePayment is a Stripe invoice_payment object (2025-03-31 on): one
// payment of an invoice.
type invoicePayment struct {
	ID      string    `json:"id"`
	Invoice objectRef `json:"invoice"`
	Payment struct {
		PaymentIntent objectRef `json:"payment_intent"`
		Charge        objectRef `json:"charge"`
	} `json:"payment"`
}

// subscription is a Stripe subscription object.
type subscription struct {
	ID       string    `json:"id"`
	Status   string    `json:"status"`
	Customer objectRef `json:"customer"`
	Metadata metadata  `json:"metadata"`

	// CurrentPeriodEnd is the shape before 2025-03-31.
	CurrentPeriodEnd int64 `json:"current_period_end"`

	// Items carry the period from 2025-03-31 on.
	Items struct {
		Data []struct {
			CurrentPeriodEnd int64 `json:"current_period_end"`
		} `json:"data"`
	} `json:"items"`
}

// periodEnd returns the end of the current billing period in either API
// shape: the latest item period when the items carry it.
func (s *subscription) periodEnd() int64 {
	end := s.CurrentPeriodEnd
	for _, item := range s.Items.Data {
		end = max(end, item.CurrentPeriodEnd)
	}
	return end
}

// paymentIntent is a Stripe payment_intent object.
type paymentIntent struct {
	ID       string    `json:"id"`
	Customer objectRef `json:"customer"`
	Metadata metadata  `json:"metadata"`
}

// charge is a Stripe charge object.
type charge struct {
	ID             string    `json:"id"`
	Customer       objectRef `json:"customer"`
	PaymentIntent  objectRef `json:"payment_intent"`
	Metadata       metadata  `json:"metadata"`
	Amount         int64     `json:"amount"`
	AmountRefunded int64     `json:"amount_refunded"`
	Refunded       bool      `json:"refunded"`
}

// fullyRefunded reports whether the whole amount was refunded. Stripe sets
// refunded only then; the amounts are compared too in case it is absent.
func (c *charge) fullyRefunded() bool {
	return c.Refunded || (c.Amount > 0 && c.AmountRefunded >= c.Amount)
}

// dispute is a Stripe dispute object.
type dispute struct {
	ID            string    `json:"id"`
	Charge        objectRef `json:"charge"`
	PaymentIntent objectRef `json:"payment_intent"`
	Metadata      metadata  `json:"metadata"`
}
