package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/stripegate/stripegate"
)

// paymentLogSQL lists a user's entries: those stored with the user
// (payment_log_user_idx) and those waiting for the link of a customer linked
// to the user (payment_log_pending_customer_idx), newest event first, then
// the most recently applied first. A NULL limit means no limit.
const paymentLogSQL = `SELECT event_id, event_type, outcome, source_id, COALESCE(customer_id, ''), created
FROM (
    SELECT event_id, event_type, outcome, source_id, customer_id, created, seq
    FROM {schema}.payment_log
    WHERE user_id = $1
  UNION ALL
    SELECT p.event_id, p.event_type, p.outcome, p.source_id, p.customer_id, p.created, p.seq
    FROM {schema}.customer_links l
    JOIN {schema}.payment_log p ON p.pending_customer_id = l.customer_id AND p.user_id IS NULL
    WHERE l.user_id = $1
) AS entries
ORDER BY created DESC, seq DESC
LIMIT $2`

// PaymentLog returns up to limit of the user's entries, newest event first,
// as stripegate.EntitlementStore.PaymentLog documents. Entries of events
// created in the same instant come in reverse order of application. A limit
// of zero or less means no limit. The slice is never nil, and times are in
// UTC.
//
// NOTE: the table keeps every entry; nothing here deletes old ones.
func (s *Store) PaymentLog(ctx context.Context, userID string, limit int) ([]stripegate.LogEntry, error) {
	op := fmt.Sprintf("read the payment log of user %q", userID)

	var limitArg any // nil is SQL NULL: no limit
	if limit > 0 {
		limitArg = limit
	}
	rows, err := s.pool.Query(ctx, s.sql.paymentLog, userID, limitArg)
	if err != nil {
		return nil, wrapError(ctx, op, err)
	}

	entries, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (stripegate.LogEntry, error) {
		e := stripegate.LogEntry{UserID: userID}
		var outcome string
		var created pgtype.Timestamptz
		err := row.Scan(&e.EventID, &e.EventType, &outcome, &e.SourceID, &e.CustomerID, &created)
		e.Outcome = stripegate.Outcome(outcome)
		e.Created = timeOrZero(created)
		return e, err
	})
	if err != nil {
		return nil, wrapError(ctx, op, err)
	}
	if entries == nil {
		entries = []stripegate.LogEntry{}
	}
	return entries, nil
}
