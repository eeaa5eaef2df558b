package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/stripegate/stripegate"
)

// entitlementSQL computes a user's entitlement in one statement. The CTE
// collects the user's sources: those stored with the user (sources_user_idx)
// and those waiting for the link of a customer linked to the user
// (customer_links_user_idx, then sources_pending_customer_idx). The window
// aggregates run over all of them before LIMIT 1 keeps the source to name:
// one that grants without a deadline, else one in its grace period, else
// any, the most recently changed first.
const entitlementSQL = `WITH owned AS (
    SELECT source_id, customer_id, granting, grace_until, period_end, changed, changed_seq
    FROM {schema}.sources
    WHERE user_id = $1
  UNION ALL
    SELECT s.source_id, s.customer_id, s.granting, s.grace_until, s.period_end, s.changed, s.changed_seq
    FROM {schema}.customer_links l
    JOIN {schema}.sources s ON s.customer_id = l.customer_id AND s.user_id IS NULL
    WHERE l.user_id = $1
)
SELECT source_id, COALESCE(customer_id, ''), granting, grace_until IS NOT NULL, period_end,
       max(grace_until) FILTER (WHERE granting) OVER (),
       max(changed) OVER ()
FROM owned
ORDER BY (granting AND grace_until IS NULL) DESC, granting DESC, changed DESC, changed_seq DESC
LIMIT 1`

// Entitlement returns the user's combined access over all their sources, as
// stripegate.EntitlementStore.Entitlement documents, with one query that
// reads only the user's rows through indexes. A user the store has never
// seen gets the zero Entitlement with UserID set. Times are in UTC.
func (s *Store) Entitlement(ctx context.Context, userID string) (stripegate.Entitlement, error) {
	e := stripegate.Entitlement{UserID: userID}

	var inGrace bool
	var periodEnd, latestGrace, updatedAt pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, s.sql.entitlement, userID).
		Scan(&e.SourceID, &e.CustomerID, &e.Active, &inGrace, &periodEnd, &latestGrace, &updatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, nil
	}
	if err != nil {
		return stripegate.Entitlement{UserID: userID}, wrapError(ctx, fmt.Sprintf("read the entitlement of user %q", userID), err)
	}

	e.PeriodEnd = timeOrZero(periodEnd)
	e.UpdatedAt = timeOrZero(updatedAt)
	// The named source is in its grace period only when no source grants
	// without a deadline. The user then keeps access until the latest
	// deadline of the sources in grace.
	if e.Active && inGrace {
		e.GraceUntil = timeOrZero(latestGrace)
	}
	return e, nil
}
