package stripegatetest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"
)

// NewRequest returns a webhook request for passing to an http.Handler, as
// httptest.NewRequest does: a POST to target with payload as the body,
// Content-Type application/json, and a Stripe-Signature header signed with
// secret at the current time. Like httptest.NewRequest it panics if target
// is not a valid request target.
//
// To test an expired or wrong signature, replace the header, for example
// req.Header.Set(SignatureHeader, Sign(payload, secret, past)).
func NewRequest(target string, payload []byte, secret string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(payload))
	setWebhookHeaders(req.Header, payload, secret)
	return req
}

// Post sends payload to url as a webhook delivery, with the headers that
// NewRequest sets, through client (http.DefaultClient when nil). It returns
// the response whatever its status, and an error only when the request
// cannot be built or sent. The caller must close the response body.
func Post(ctx context.Context, client *http.Client, url string, payload []byte, secret string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("stripegatetest: build webhook request: %w", err)
	}
	setWebhookHeaders(req.Header, payload, secret)

	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("stripegatetest: send webhook: %w", err)
	}
	return resp, nil
}

func setWebhookHeaders(header http.Header, payload []byte, secret string) {
	header.Set("Content-Type", "application/json")
	header.Set(SignatureHeader, Sign(payload, secret, time.Now()))
}
