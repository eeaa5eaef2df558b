package pgstore

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// The tables store absent times as NULL, while the stripegate types use the
// zero time.Time. These helpers convert between the two.

// nullTime returns t for a query argument, or nil (SQL NULL) when t is zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// timeOrZero returns the scanned time in UTC, or the zero time for NULL.
func timeOrZero(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}
