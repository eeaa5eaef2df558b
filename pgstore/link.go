package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/stripegate/stripegate"
)

// LinkCustomer links a Stripe customer to a user, as
// stripegate.EntitlementStore.LinkCustomer documents. Sources and payment
// log entries stored for the customer before the link belong to the user
// from then on. Linking a customer again to the same user returns nil;
// linking it to another user returns an error wrapping
// stripegate.ErrCustomerLinked and changes nothing.
//
// Empty IDs are a programming error in the caller: LinkCustomer returns an
// error that wraps nothing and stores nothing.
func (s *Store) LinkCustomer(ctx context.Context, customerID, userID string) error {
	if customerID == "" || userID == "" {
		return fmt.Errorf("pgstore: invalid link: empty customer ID (%q) or user ID (%q)", customerID, userID)
	}
	op := fmt.Sprintf("link customer %s to user %q", customerID, userID)
	if err := ctx.Err(); err != nil {
		return wrapError(ctx, op, err)
	}

	var linkedTo string
	run := func() error {
		var err error
		linkedTo, err = s.link(ctx, customerID, userID)
		return err
	}
	if err := s.retry(ctx, op, run); err != nil {
		return wrapError(ctx, op, err)
	}

	if linkedTo != userID {
		return fmt.Errorf("pgstore: %s: %w (linked to user %q)", op, stripegate.ErrCustomerLinked, linkedTo)
	}
	return nil
}

// link stores the link unless the customer has one, and returns the user
// the customer is linked to afterwards. A link never changes once stored,
// so the read after a conflicting insert returns the link that won.
func (s *Store) link(ctx context.Context, customerID, userID string) (string, error) {
	tag, err := s.pool.Exec(ctx, s.sql.insertLink, customerID, userID)
	if err != nil {
		return "", fmt.Errorf("insert link: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return userID, nil
	}

	var linkedTo string
	if err := s.pool.QueryRow(ctx, s.sql.linkedUser, customerID).Scan(&linkedTo); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			// NOTE: links are never deleted by this package; a row removed by hand between the two statements lands here.
			return "", fmt.Errorf("read link: the conflicting link disappeared: %w", err)
		}
		return "", fmt.Errorf("read link: %w", err)
	}
	return linkedTo, nil
}
