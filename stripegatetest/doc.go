// Package stripegatetest builds and signs Stripe webhook events for tests
// and demos, as net/http/httptest does for HTTP requests.
//
// Sign and SignAll compute the Stripe-Signature header: an HMAC-SHA256 over
// the unix timestamp, a dot and the raw body, keyed with the whole "whsec_"
// secret. NewSecret makes a random secret, so no real one needs to appear in
// source or test data.
//
// NewRequest builds a signed request for calling a handler directly, and
// Post sends one to a running server.
//
// Edit changes a raw event, such as a recorded fixture, while keeping its
// member order and formatting style: a new event id, another type or
// created time, the app's user ID in metadata, the customer, or any member
// of data.object. NewEvent wraps an object in a new event envelope.
//
// The package uses only the standard library and does not import package
// stripegate, so the tests of stripegate itself can use it.
package stripegatetest
