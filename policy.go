package stripegate

import (
	"fmt"
	"strconv"
	"time"
)

// policy turns a verified event into a Change. Its rules are listed in the
// package documentation.
type policy struct {
	userKey string        // metadata key that names the app's user
	grace   time.Duration // grace period after a failed renewal; 0 revokes at once
}

// decision is the policy's verdict on one event: a change to store, or the
// reason why the event changes nothing.
type decision struct {
	change Change
	ignore string // non-empty when the event changes nothing
}

// rule decides one event type.
type rule func(p *policy, ev *event) (decision, error)

// rules maps each event type the policy acts on to its rule. Every other
// type is acknowledged and ignored.
var rules = map[string]rule{
	"checkout.session.completed":               (*policy).checkoutCompleted,
	"checkout.session.async_payment_succeeded": checkoutAsync(AccessGrant),
	"checkout.session.async_payment_failed":    checkoutAsync(AccessRevoke),

	"invoice.paid":              invoiceRule(AccessGrant),
	"invoice.payment_succeeded": invoiceRule(AccessGrant),
	"invoice.payment_failed":    (*policy).invoiceFailed,
	"invoice_payment.paid":      invoicePaymentPaid,

	"customer.subscription.created": (*policy).subscriptionStatus,
	"customer.subscription.updated": (*policy).subscriptionStatus,
	"customer.subscription.resumed": (*policy).subscriptionStatus,
	"customer.subscription.deleted": subscriptionDeleted,
	"customer.subscription.paused":  subscriptionPaused,

	"payment_intent.succeeded":      (*policy).paymentIntentSucceeded,
	"payment_intent.payment_failed": (*policy).paymentIntentFailed,

	"charge.refunded":        (*policy).chargeRefunded,
	"charge.dispute.created": (*policy).disputeCreated,
}

// decide applies the rule for the event's type.
func (p *policy) decide(ev *event) (decision, error) {
	r, ok := rules[ev.Type]
	if !ok {
		return ignored("event type carries no access decision"), nil
	}

	d, err := r(p, ev)
	if err != nil {
		return decision{}, err
	}
	if d.ignore == "" && d.change.SourceID == "" {
		return decision{}, fmt.Errorf("%w: data.object has no id", ErrInvalidEvent)
	}
	return d, nil
}

// change starts a Change for the event.
func (p *policy) change(ev *event, source string, access Access) Change {
	return Change{
		EventID:   ev.ID,
		EventType: ev.Type,
		Created:   ev.createdTime(),
		SourceID:  source,
		Access:    access,
	}
}

// failedRenewal is the access a failed subscription payment leaves: a grace
// period when one is configured, else none.
func (p *policy) failedRenewal(c Change) Change {
	if p.grace <= 0 {
		c.Access = AccessRevoke
		return c
	}
	c.Access = AccessRevokeAfterGrace
	c.GraceUntil = c.Created.Add(p.grace)
	return c
}

// userFrom returns the first non-empty user among the candidates, looking
// each metadata up under the configured key.
func (p *policy) userFrom(direct string, sources ...metadata) string {
	if direct != "" {
		return direct
	}
	for _, m := range sources {
		if user := m[p.userKey]; user != "" {
			return user
		}
	}
	return ""
}

func ignored(reason string) decision {
	return decision{ignore: reason}
}

func (p *policy) checkoutCompleted(ev *event) (decision, error) {
	var s checkoutSession
	if err := ev.decodeObject(&s); err != nil {
		return decision{}, err
	}
	if s.Mode == "setup" {
		return ignored("setup-mode checkout collects a payment method and grants nothing"), nil
	}

	var access Access
	switch s.PaymentStatus {
	case "paid", "no_payment_required":
		access = AccessGrant
	case "unpaid":
		// A delayed payment method: the async_payment_* event decides.
		access = AccessRevoke
	default:
		return ignored("unknown checkout payment_status " + quote(s.PaymentStatus)), nil
	}
	return p.checkoutDecision(ev, &s, access), nil
}

func checkoutAsync(access Access) rule {
	return func(p *policy, ev *event) (decision, error) {
		var s checkoutSession
		if err := ev.decodeObject(&s); err != nil {
			return decision{}, err
		}
		return p.checkoutDecision(ev, &s, access), nil
	}
}

func (p *policy) checkoutDecision(ev *event, s *checkoutSession, access Access) decision {
	c := p.change(ev, s.sourceID(), access)
	c.UserID = p.userFrom(s.ClientReferenceID, s.Metadata)
	c.CustomerID = string(s.Customer)
	return decision{change: c}
}

func invoiceRule(access Access) rule {
	return func(p *policy, ev *event) (decision, error) {
		c, reason, err := p.invoiceChange(ev, access)
		if err != nil || reason != "" {
			return decision{ignore: reason}, err
		}
		return decision{change: c}, nil
	}
}

func (p *policy) invoiceFailed(ev *event) (decision, error) {
	c, reason, err := p.invoiceChange(ev, AccessRevoke)
	if err != nil || reason != "" {
		return decision{ignore: reason}, err
	}
	return decision{change: p.failedRenewal(c)}, nil
}

// invoiceChange builds the change for a subscription's invoice, or returns
// the reason the invoice changes nothing.
func (p *policy) invoiceChange(ev *event, access Access) (Change, string, error) {
	var in invoice
	if err := ev.decodeObject(&in); err != nil {
		return Change{}, "", err
	}
	sub := in.subscriptionID()
	if sub == "" {
		return Change{}, "invoice belongs to no subscription", nil
	}
	if !in.paysForPeriod() {
		// A proration does not show whether the subscription is paid up.
		// Its payment records no alias either, so refunding a proration
		// leaves the subscription's access alone.
		return Change{}, "invoice does not pay for a billing period (billing_reason " + quote(in.BillingReason) + ")", nil
	}

	c := p.change(ev, sub, access)
	c.UserID = p.userFrom("", in.Metadata, in.subscriptionMetadata())
	c.CustomerID = string(in.Customer)
	c.Aliases = in.aliases()
	return c, "", nil
}

// invoicePaymentPaid ties a payment to its invoice, and so to the
// invoice's subscription once invoice.paid names it, in whichever order
// the two events arrive. It changes no access itself.
func invoicePaymentPaid(p *policy, ev *event) (decision, error) {
	var ip invoicePayment
	if err := ev.decodeObject(&ip); err != nil {
		return decision{}, err
	}
	if ip.Invoice == "" {
		return ignored("invoice payment names no invoice"), nil
	}

	c := p.change(ev, string(ip.Invoice), AccessKeep)
	c.Aliases = nonEmpty(string(ip.Payment.PaymentIntent), string(ip.Payment.Charge))
	return decision{change: c}, nil
}

// subscriptionStatus maps a subscription's status to access.
func (p *policy) subscriptionStatus(ev *event) (decision, error) {
	var s subscription
	if err := ev.decodeObject(&s); err != nil {
		return decision{}, err
	}

	c := p.subscriptionChange(ev, &s)
	switch s.Status {
	case "active", "trialing":
		c.Access = AccessGrant
	case "past_due":
		c = p.failedRenewal(c)
	case "unpaid", "paused":
		c.Access = AccessRevoke
	case "canceled", "incomplete_expired":
		c.Access, c.Final = AccessRevoke, true
	case "incomplete":
		// A subscription is incomplete only before its first payment, and
		// never returns to it. A snapshot of that state arriving after the
		// payment (in the same second, so not stale) must not revoke.
		return ignored("subscription awaits its first payment"), nil
	default:
		return ignored("unknown subscription status " + quote(s.Status)), nil
	}
	return decision{change: c}, nil
}

// subscriptionDeleted ends the subscription for good: Stripe never revives
// a deleted subscription, so no later event may grant it again.
func subscriptionDeleted(p *policy, ev *event) (decision, error) {
	var s subscription
	if err := ev.decodeObject(&s); err != nil {
		return decision{}, err
	}
	c := p.subscriptionChange(ev, &s)
	c.Access, c.Final = AccessRevoke, true
	return decision{change: c}, nil
}

func subscriptionPaused(p *policy, ev *event) (decision, error) {
	var s subscription
	if err := ev.decodeObject(&s); err != nil {
		return decision{}, err
	}
	c := p.subscriptionChange(ev, &s)
	c.Access = AccessRevoke
	return decision{change: c}, nil
}

func (p *policy) subscriptionChange(ev *event, s *subscription) Change {
	c := p.change(ev, s.ID, AccessRevoke)
	c.UserID = p.userFrom("", s.Metadata)
	c.CustomerID = string(s.Customer)
	c.PeriodEnd = unixTime(s.periodEnd())
	return c
}

// paymentIntentSucceeded grants access only for a payment intent that names
// the user in its metadata. Payment intents of checkout sessions and
// invoices are decided by those objects' own events, so granting on them
// here would create a grant that no later event revokes.
func (p *policy) paymentIntentSucceeded(ev *event) (decision, error) {
	var pi paymentIntent
	if err := ev.decodeObject(&pi); err != nil {
		return decision{}, err
	}
	user := p.userFrom("", pi.Metadata)
	if user == "" {
		return ignored("payment intent names no user in metadata"), nil
	}

	c := p.change(ev, pi.ID, AccessGrant)
	c.UserID = user
	c.CustomerID = string(pi.Customer)
	return decision{change: c}, nil
}

func (p *policy) paymentIntentFailed(ev *event) (decision, error) {
	var pi paymentIntent
	if err := ev.decodeObject(&pi); err != nil {
		return decision{}, err
	}
	c := p.change(ev, pi.ID, AccessRevoke)
	c.UserID = p.userFrom("", pi.Metadata)
	c.CustomerID = string(pi.Customer)
	return decision{change: c}, nil
}

// chargeRefunded revokes the access that the charge's payment granted, once
// the whole amount is refunded. For a subscription's payment the store
// finds the subscription through the aliases its invoices recorded.
func (p *policy) chargeRefunded(ev *event) (decision, error) {
	var ch charge
	if err := ev.decodeObject(&ch); err != nil {
		return decision{}, err
	}
	if !ch.fullyRefunded() {
		return ignored("partial refund keeps access"), nil
	}

	c := p.change(ev, firstNonEmpty(string(ch.PaymentIntent), ch.ID), AccessRevoke)
	c.UserID = p.userFrom("", ch.Metadata)
	c.CustomerID = string(ch.Customer)
	return decision{change: c}, nil
}

// disputeCreated revokes the access that the disputed payment granted. A
// dispute names no customer: the store finds the user from the source.
func (p *policy) disputeCreated(ev *event) (decision, error) {
	var d dispute
	if err := ev.decodeObject(&d); err != nil {
		return decision{}, err
	}
	source := firstNonEmpty(string(d.PaymentIntent), string(d.Charge))
	if source == "" {
		return ignored("dispute names no payment intent or charge"), nil
	}

	c := p.change(ev, source, AccessRevoke)
	c.UserID = p.userFrom("", d.Metadata)
	return decision{change: c}, nil
}

// nonEmpty returns the values that are not empty.
func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// quote returns s in double quotes, cut to a length safe for a log line.
func quote(s string) string {
	const maxLen = 64
	if len(s) > maxLen {
		s = s[:maxLen] + "..."
	}
	return strconv.Quote(s)
}
