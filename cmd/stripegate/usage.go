package main

import (
	"fmt"
	"io"
)

const usageHeader = `stripegate signs Stripe event files the way Stripe signs webhooks and posts
them to a webhook endpoint, so an app can be tested without a Stripe account
or network access.

Usage:
  stripegate send [flags] FILE   sign the Stripe event in FILE and post it
  stripegate secret              print a new random whsec_ signing secret
  stripegate help                print this help

send edits a copy of the event as the flags say, signs it with the secret at
the current time, and posts it with Content-Type application/json. It prints
the HTTP status and the response body. Unless -id or -keep-id is given, each
send gets a new random event ID, so the endpoint sees a new delivery. FILE
itself is not changed. Redirects are not followed.

Exit status: 0 for a 2xx response, 1 for any other response or a failed
request, 2 for an invalid command line.

Flags of send, which go before FILE:
`

const usageFooter = `
Examples:
  export STRIPE_WEBHOOK_SECRET="$(stripegate secret)"
  stripegate send -user user_42 testdata/events/2026-08-26.dahlia/checkout.session.completed.json
  stripegate send -keep-id FILE     send the file's event ID again, to test duplicates
`

// writeUsage writes the help text for all commands and the flags of send.
func writeUsage(w io.Writer) error {
	if _, err := io.WriteString(w, usageHeader); err != nil {
		return fmt.Errorf("write usage: %w", err)
	}

	flags := newSendFlagSet(&sendFlags{})
	flags.SetOutput(w)
	flags.PrintDefaults()

	if _, err := io.WriteString(w, usageFooter); err != nil {
		return fmt.Errorf("write usage: %w", err)
	}
	return nil
}
