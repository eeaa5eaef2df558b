package pgstore

import (
	"context"
	"fmt"
)

// deleteOldEventsSQL deletes the processed event IDs applied longer ago
// than the retention, given in seconds, by the database's clock.
const deleteOldEventsSQL = `DELETE FROM {schema}.processed_events
WHERE applied_at < now() - make_interval(secs => $1)`

// Cleanup deletes the processed event IDs applied more than
// Config.Retention ago, by the database's clock, and returns how many it
// deleted. Call it periodically, for example once an hour, from one
// instance or from all of them: concurrent calls are safe.
//
// Deleting an ID is safe because of the ordering rule, as Config.Retention
// explains. A redelivery of a deleted ID is applied again, but it is no
// newer than the source's last event, so it grants or revokes nothing new
// and only adds a payment log entry. The exception is an event created in
// the same second as a later one on its source.
func (s *Store) Cleanup(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, s.sql.deleteOldEvent, s.retention.Seconds())
	if err != nil {
		return 0, wrapError(ctx, fmt.Sprintf("delete processed events older than %s", s.retention), err)
	}
	return tag.RowsAffected(), nil
}
