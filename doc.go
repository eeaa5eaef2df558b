// Package stripegate grants a Go web app's users access when a Stripe
// payment succeeds and takes it away when it does not.
//
// It has two halves that share an EntitlementStore:
//
//   - WebhookHandler, an http.Handler for Stripe's webhook endpoint. It
//     verifies every request's signature, turns payment events into access
//     changes and stores them.
//   - Gate, middleware that lets only entitled users reach the handlers it
//     wraps, and Gate.Check, the same check for code without a request.
//
// The memstore package holds entitlements in memory. The pgstore module
// (github.com/stripegate/stripegate/pgstore) holds them in PostgreSQL, for
// several app instances on one database. The storetest package checks any
// other store against the EntitlementStore contract, and stripegatetest
// builds and signs events for tests.
//
// # The flow of an event
//
//  1. The request must be a POST (else 405, with Allow: POST). The raw body
//     is read through a size cap (WebhookConfig.MaxBodyBytes, 413 beyond it)
//     and is never decoded or re-encoded before verification.
//  2. The Stripe-Signature header is verified: its timestamp must lie within
//     WebhookConfig.Tolerance of the clock in either direction, and one of
//     its v1 signatures must equal the HMAC-SHA256 of "<timestamp>.<body>"
//     under one of WebhookConfig.Secrets. Otherwise 400.
//  3. The envelope is decoded: id, type, created, livemode. A body that is
//     not a Stripe event gets 400. The event's api_version is never checked:
//     the handler reads only the fields it needs, in both the shapes before
//     2025-03-31 and the "basil" shapes from then on. Decoding is strict
//     where Stripe's output is: invalid UTF-8 anywhere gets 400, member
//     names match exactly, and a repeated member takes its last value.
//  4. An event of the other mode (a test event on a live handler, or the
//     reverse), an event of a connected account, and an event type the
//     policy does not name get 200 and change nothing.
//  5. The policy turns the event into a Change on one source: the Stripe
//     object whose state decides access.
//  6. The store applies the Change atomically, deduplicated by event ID and
//     ordered by the event's created time per source, within
//     WebhookConfig.ProcessingTimeout.
//  7. Only then does the handler respond with 200. A store error, a panic in the
//     store or a passed deadline gets 503, and Stripe delivers the event
//     again later.
//
// Each request logs one line through WebhookConfig.Logger with the keys
// event_id, event_type, outcome, status, user_id, customer_id, source_id,
// reason, error and duration. The secret, the signature and the body are
// never logged.
//
// # Access policy
//
// The app's user comes from the object's client_reference_id (checkout
// sessions), else its metadata under WebhookConfig.UserMetadataKey
// ("user_id" by default; for invoices also the subscription metadata that
// Stripe copies onto them), else the stored link between the event's
// customer and a user. The first event that names both a user and a
// customer stores that link. An event for a customer nobody is linked to
// yet is stored all the same, and its user gets that access once the link
// arrives.
//
//	Event                                      Condition                          Access of the source
//	checkout.session.completed                 payment_status paid or             grant
//	                                           no_payment_required
//	checkout.session.completed                 payment_status unpaid (a delayed   none yet: the async
//	                                           payment method)                    event decides
//	checkout.session.completed                 mode setup                         ignored
//	checkout.session.async_payment_succeeded                                      grant
//	checkout.session.async_payment_failed                                         revoke
//	invoice.paid, invoice.payment_succeeded    a subscription's first or          grant
//	                                           renewal invoice
//	invoice.payment_failed                     a subscription's first or          revoke, or grace
//	                                           renewal invoice
//	invoice.*                                  any other billing_reason (a        ignored
//	                                           proration)
//	invoice.*                                  no subscription                    ignored
//	invoice_payment.paid                       ties a payment to its invoice      unchanged
//	customer.subscription.created, .updated,   status active or trialing          grant
//	.resumed
//	                                           status past_due                    revoke, or grace
//	                                           status unpaid or paused            revoke
//	                                           status canceled or                 revoke for good
//	                                           incomplete_expired
//	                                           status incomplete                  ignored: before the
//	                                                                              first payment
//	customer.subscription.deleted                                                 revoke for good
//	customer.subscription.paused                                                  revoke
//	payment_intent.succeeded                   metadata names the user            grant
//	payment_intent.payment_failed                                                 revoke
//	charge.refunded                            whole amount refunded              revoke
//	charge.refunded                            partial refund                     ignored: access kept
//	charge.dispute.created                                                        revoke
//	any other type                                                                ignored
//
// "Revoke for good" marks the source final: no later event grants it again,
// in whatever order events arrive, because Stripe never revives a canceled
// subscription. A late payment of an old invoice therefore leaves a
// canceled subscription without access.
//
// The source is the subscription for subscription events, their invoices
// and subscription-mode checkout sessions; the payment intent for payment
// intents, refunds, disputes and payment-mode checkout sessions (the session
// itself when it has none). A subscription's invoices record aliases for it:
// the invoice and, before 2025-03-31, its payment intent and charge; from
// then on invoice_payment.paid ties the payment to the invoice, before or
// after invoice.paid. So a full refund or a dispute of a subscription's
// renewal payment revokes the subscription until the next paid renewal
// grants it again. A payment that granted access itself, such as a one-time
// checkout's payment intent, stays its own source when its invoice is
// recorded later. A user has access while any of their sources
// grants it, so a refund of one purchase leaves a running subscription
// alone.
//
// Known limits of the policy:
//
//   - A refund or dispute reaches a subscription only if the invoice events
//     that name its payment arrived first; one that arrives before them
//     revokes only the payment itself. Stripe sends those events when the
//     payment succeeds, days before a refund or dispute, unless their
//     delivery failed meanwhile.
//   - A full refund of any renewal payment, including an earlier period's,
//     revokes the subscription until the next paid renewal. Refunding a
//     proration changes nothing.
//   - A dispute that the merchant wins does not restore access.
//   - client_reference_id wins over metadata when both name a user. With
//     Payment Links the browser can set client_reference_id; that lets a
//     buyer pay for another user, not take access without paying.
//   - Access ends only through events. If the endpoint misses
//     customer.subscription.deleted for longer than Stripe retries (three
//     days), access remains; Entitlement.PeriodEnd shows when the paid
//     period ended.
//
// Events of a Stripe Connect platform's connected accounts (the envelope's
// account field is set) are ignored unless WebhookConfig.ConnectedAccountEvents
// is true.
//
// "Grace" applies when WebhookConfig.GracePeriod is set: a subscription
// that granted access keeps it for that long after its first failed
// renewal, and later failures do not extend the deadline. By default a
// failed payment revokes at once.
//
// # HTTP status contract
//
//	200  the event was applied, was a duplicate, was stale, or was ignored
//	     (unknown type, other mode, no access decision)
//	400  signature missing, malformed, stale, future-dated or not matching;
//	     signed body that is not a Stripe event; a field the policy reads
//	     has the wrong JSON type
//	405  not a POST
//	413  body over MaxBodyBytes
//	503  the store failed, panicked or passed ProcessingTimeout: retryable
//
// Stripe retries every non-2xx delivery for up to three days, so the
// handler answers 5xx only for faults a retry can fix, and 2xx for every
// verified event it has finished with, including those it ignores.
//
// # Security choices
//
// Verification runs on every request before anything is decoded, with no
// switch to turn it off. Signatures are compared in constant time. The
// timestamp tolerance applies in both directions, so a captured request
// cannot be replayed later and a signature minted for the future is
// refused. Construction fails without a secret, or with a value that is
// not a webhook signing secret (an sk_ API key pasted by mistake). The Gate
// fails closed: when the store cannot answer, the user gets 503, not
// access.
package stripegate
