package pgstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/stripegate/stripegate"
)

// Statements of Apply, in the order it runs them.
const (
	// claimEventSQL stores the event ID. When another transaction has
	// stored the same ID and not finished, PostgreSQL makes this insert
	// wait for it, and then insert nothing if it committed. So exactly one
	// of two concurrent deliveries claims the event.
	claimEventSQL = `INSERT INTO {schema}.processed_events (event_id) VALUES ($1)
ON CONFLICT (event_id) DO NOTHING`

	// sourceOwnerSQL returns the owner of a source, for the result of a
	// duplicate; no row for a source the store has never seen.
	sourceOwnerSQL = `SELECT COALESCE(s.user_id, l.user_id, '')
FROM {schema}.sources s
LEFT JOIN {schema}.customer_links l ON l.customer_id = s.customer_id
WHERE s.source_id = $1`

	// insertLinkSQL links a customer to a user unless it is linked already.
	insertLinkSQL = `INSERT INTO {schema}.customer_links (customer_id, user_id) VALUES ($1, $2)
ON CONFLICT (customer_id) DO NOTHING`

	// linkedUserSQL returns the user linked to a customer; no row when the
	// customer is not linked.
	linkedUserSQL = `SELECT user_id FROM {schema}.customer_links WHERE customer_id = $1`

	// ensureSourceSQL creates an empty row for a source the store has never
	// seen, so that lockSourceSQL has a row to lock. The row is filled in
	// by updateSourceSQL in the same transaction.
	ensureSourceSQL = `INSERT INTO {schema}.sources (source_id) VALUES ($1)
ON CONFLICT (source_id) DO NOTHING`

	// lockSourceSQL reads a source and locks its row until the transaction
	// ends, so that events on one source are applied one at a time.
	lockSourceSQL = `SELECT COALESCE(user_id, ''), COALESCE(customer_id, ''), granting, grace_until, period_end, final, changed
FROM {schema}.sources
WHERE source_id = $1
FOR UPDATE`

	// insertEntrySQL adds a payment log entry and returns its number.
	insertEntrySQL = `INSERT INTO {schema}.payment_log
    (event_id, event_type, outcome, source_id, customer_id, user_id, pending_customer_id, created)
VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), NULLIF($7, ''), $8)
RETURNING seq`

	// updateSourceSQL stores a source's owner and state.
	updateSourceSQL = `UPDATE {schema}.sources
SET user_id = NULLIF($2, ''), customer_id = NULLIF($3, ''),
    granting = $4, grace_until = $5, period_end = $6, changed = $7, changed_seq = $8, final = $9
WHERE source_id = $1`

	// endSourceSQL ends a source for good on a stale final change. The
	// owner, the period end and the ordering key (changed, changed_seq)
	// stay as they are.
	endSourceSQL = `UPDATE {schema}.sources
SET granting = false, grace_until = NULL, final = true
WHERE source_id = $1`

	// adoptEntriesSQL files the log entries of a source that had no owner
	// under the user or the customer it has now.
	adoptEntriesSQL = `UPDATE {schema}.payment_log
SET user_id = NULLIF($2, ''), pending_customer_id = NULLIF($3, '')
WHERE source_id = $1 AND user_id IS NULL AND pending_customer_id IS NULL`
)

// storedSource is a source's row, locked by the transaction that read it.
type storedSource struct {
	sourceState
	userID     string // the owner stored on the row, or ""
	customerID string // the customer stored on the row, or ""
}

// ownerless reports whether the source has neither a user nor a customer.
// Its log entries then wait on the source itself.
func (src *storedSource) ownerless() bool {
	return src.userID == "" && src.customerID == ""
}

// Apply records one change atomically, as stripegate.EntitlementStore.Apply
// documents, in one READ COMMITTED transaction:
//
//  1. It inserts the event ID into processed_events. When the ID is there
//     already, it returns OutcomeDuplicate and changes nothing.
//  2. It resolves the source through source_aliases and records the
//     change's new aliases as standing for the resolved source. From here
//     on, the resolved ID is the source ID, in the log entry too. With
//     AccessKeep it stops here and returns OutcomeUnchanged.
//  3. It links the customer to the user when the change names both and
//     the customer has no link.
//  4. It locks the source's row (creating it first if needed), so that
//     events on one source are applied one after another, in any number of
//     processes.
//  5. It decides from the locked row whether the change ends the source,
//     meets a source that has ended, is stale, or sets a new state. Then it
//     writes the payment log entry and, unless the source stays as it is,
//     the source.
//
// A serialization failure or deadlock is retried up to Config.MaxRetries
// times. Once ctx is done, Apply returns an error wrapping ctx.Err() and the
// transaction is rolled back.
//
// A Change with an empty EventID or SourceID, or an Access other than the
// four defined ones, is a programming error in the caller: Apply returns an
// error that wraps nothing and stores nothing.
func (s *Store) Apply(ctx context.Context, c stripegate.Change) (stripegate.Result, error) {
	if err := validateChange(c); err != nil {
		return stripegate.Result{}, err
	}
	op := fmt.Sprintf("apply event %s to source %s", c.EventID, c.SourceID)
	if err := ctx.Err(); err != nil {
		return stripegate.Result{}, wrapError(ctx, op, err)
	}

	var res stripegate.Result
	run := func() error {
		var err error
		res, err = s.applyOnce(ctx, c)
		return err
	}
	if err := s.retry(ctx, op, run, slog.String("event_id", c.EventID), slog.String("source_id", c.SourceID)); err != nil {
		return stripegate.Result{}, wrapError(ctx, op, err)
	}
	return res, nil
}

func validateChange(c stripegate.Change) error {
	switch {
	case c.EventID == "":
		return fmt.Errorf("pgstore: invalid change: empty EventID (event type %q, source %q)", c.EventType, c.SourceID)
	case c.SourceID == "":
		return fmt.Errorf("pgstore: invalid change: empty SourceID (event %q, type %q)", c.EventID, c.EventType)
	case c.Access != stripegate.AccessGrant && c.Access != stripegate.AccessRevoke &&
		c.Access != stripegate.AccessRevokeAfterGrace && c.Access != stripegate.AccessKeep:
		return fmt.Errorf("pgstore: invalid change: unknown Access %d (event %q, source %q)", int(c.Access), c.EventID, c.SourceID)
	}
	return nil
}

// applyOnce runs one attempt of Apply in its own transaction.
func (s *Store) applyOnce(ctx context.Context, c stripegate.Change) (stripegate.Result, error) {
	var res stripegate.Result
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		var err error
		res, err = s.applyInTx(ctx, tx, c)
		return err
	})
	return res, err
}

func (s *Store) applyInTx(ctx context.Context, tx pgx.Tx, c stripegate.Change) (stripegate.Result, error) {
	claimed, err := s.claimEvent(ctx, tx, c.EventID)
	if err != nil {
		return stripegate.Result{}, err
	}
	if !claimed {
		// A duplicate reports the owner of the source its first delivery
		// reached, through the aliases.
		resolved, err := s.resolveSource(ctx, tx, c.SourceID)
		if err != nil {
			return stripegate.Result{}, err
		}
		owner, err := s.sourceOwner(ctx, tx, resolved)
		return stripegate.Result{Outcome: stripegate.OutcomeDuplicate, UserID: owner}, err
	}

	c.SourceID, err = s.resolveSource(ctx, tx, c.SourceID)
	if err != nil {
		return stripegate.Result{}, err
	}
	if err := s.insertAliases(ctx, tx, c.Aliases, c.SourceID); err != nil {
		return stripegate.Result{}, err
	}
	if c.Access == stripegate.AccessKeep {
		// The change only carries aliases: no source is created, and no
		// log entry is added.
		owner, err := s.sourceOwner(ctx, tx, c.SourceID)
		return stripegate.Result{Outcome: stripegate.OutcomeUnchanged, UserID: owner}, err
	}

	if c.UserID != "" && c.CustomerID != "" {
		if _, err := tx.Exec(ctx, s.sql.insertLink, c.CustomerID, c.UserID); err != nil {
			return stripegate.Result{}, fmt.Errorf("link customer %s to user %q: %w", c.CustomerID, c.UserID, err)
		}
	}

	src, err := s.lockSource(ctx, tx, c.SourceID)
	if err != nil {
		return stripegate.Result{}, err
	}

	// The cases follow steps 5 to 8 of stripegate.EntitlementStore.Apply:
	// a final change applies even when stale, and a final source keeps its
	// state against every later change except another final one.
	stale := src.staleFor(c)
	switch {
	case c.Final && stale:
		return s.endStale(ctx, tx, c, src)
	case src.final && !c.Final:
		return s.recordOnly(ctx, tx, c, src, stripegate.OutcomeUnchanged)
	case stale:
		return s.recordOnly(ctx, tx, c, src, stripegate.OutcomeStale)
	default:
		return s.applyState(ctx, tx, c, src)
	}
}

// claimEvent stores the event ID and reports whether this transaction
// stored it, false when it was applied before.
func (s *Store) claimEvent(ctx context.Context, tx pgx.Tx, eventID string) (bool, error) {
	tag, err := tx.Exec(ctx, s.sql.claimEvent, eventID)
	if err != nil {
		return false, fmt.Errorf("claim event ID: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// sourceOwner returns the source's owner, or "" when it has none or the
// store has never seen it.
func (s *Store) sourceOwner(ctx context.Context, tx pgx.Tx, sourceID string) (string, error) {
	var owner string
	err := tx.QueryRow(ctx, s.sql.sourceOwner, sourceID).Scan(&owner)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("read the owner of source %s: %w", sourceID, err)
	}
	return owner, nil
}

// linkedUser returns the user linked to the customer, or "" when the
// customer is not linked.
func (s *Store) linkedUser(ctx context.Context, tx pgx.Tx, customerID string) (string, error) {
	var userID string
	err := tx.QueryRow(ctx, s.sql.linkedUser, customerID).Scan(&userID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("read the link of customer %s: %w", customerID, err)
	}
	return userID, nil
}

// lockSource reads the source's row and locks it until the transaction
// ends. A source the store has never seen gets an empty row first.
func (s *Store) lockSource(ctx context.Context, tx pgx.Tx, sourceID string) (storedSource, error) {
	if _, err := tx.Exec(ctx, s.sql.ensureSource, sourceID); err != nil {
		return storedSource{}, fmt.Errorf("create source %s: %w", sourceID, err)
	}

	var src storedSource
	var graceUntil, periodEnd, changed pgtype.Timestamptz
	err := tx.QueryRow(ctx, s.sql.lockSource, sourceID).
		Scan(&src.userID, &src.customerID, &src.granting, &graceUntil, &periodEnd, &src.final, &changed)
	if err != nil {
		return storedSource{}, fmt.Errorf("lock source %s: %w", sourceID, err)
	}

	src.graceUntil = timeOrZero(graceUntil)
	src.periodEnd = timeOrZero(periodEnd)
	src.changed = timeOrZero(changed)
	src.applied = changed.Valid
	return src, nil
}

// currentOwner returns the source's owner before the change: its stored
// user, else the user linked to its customer.
func (s *Store) currentOwner(ctx context.Context, tx pgx.Tx, src storedSource) (string, error) {
	if src.userID != "" || src.customerID == "" {
		return src.userID, nil
	}
	return s.linkedUser(ctx, tx, src.customerID)
}

// recordOnly logs an event that leaves the source as it is: one older than
// the event that last set the source, or a non-final one on a final source.
// The source keeps its state and its owner, and the entry goes to them.
func (s *Store) recordOnly(ctx context.Context, tx pgx.Tx, c stripegate.Change, src storedSource, outcome stripegate.Outcome) (stripegate.Result, error) {
	owner, err := s.currentOwner(ctx, tx, src)
	if err != nil {
		return stripegate.Result{}, err
	}

	e := newEntry(c, outcome, owner, src.customerID)
	if _, err := s.insertEntry(ctx, tx, e); err != nil {
		return stripegate.Result{}, err
	}
	return stripegate.Result{Outcome: outcome, UserID: owner}, nil
}

// endStale ends the source for good on a final change older than the event
// that last set the source. Like a stale change, it keeps the source's
// owner, period end and ordering key, and the entry goes to that owner.
func (s *Store) endStale(ctx context.Context, tx pgx.Tx, c stripegate.Change, src storedSource) (stripegate.Result, error) {
	owner, err := s.currentOwner(ctx, tx, src)
	if err != nil {
		return stripegate.Result{}, err
	}

	result := outcome(src.granting, false, false)
	if _, err := s.insertEntry(ctx, tx, newEntry(c, result, owner, src.customerID)); err != nil {
		return stripegate.Result{}, err
	}
	if _, err := tx.Exec(ctx, s.sql.endSource, c.SourceID); err != nil {
		return stripegate.Result{}, fmt.Errorf("end source %s: %w", c.SourceID, err)
	}
	return stripegate.Result{Outcome: result, UserID: owner}, nil
}

// applyState sets the source's owner and state from the change and logs
// the event.
func (s *Store) applyState(ctx context.Context, tx pgx.Tx, c stripegate.Change, src storedSource) (stripegate.Result, error) {
	owner, err := s.newOwner(ctx, tx, c, src)
	if err != nil {
		return stripegate.Result{}, err
	}
	customerID := cmp.Or(c.CustomerID, src.customerID)

	state, outcome := src.next(c)
	seq, err := s.insertEntry(ctx, tx, newEntry(c, outcome, owner, customerID))
	if err != nil {
		return stripegate.Result{}, err
	}

	err = s.updateSource(ctx, tx, c.SourceID, owner, customerID, state, seq)
	if err != nil {
		return stripegate.Result{}, err
	}

	// Entries logged while the source had no owner wait on the source;
	// memstore moves them the same way.
	if src.applied && src.ownerless() && (owner != "" || customerID != "") {
		pending := ""
		if owner == "" {
			pending = customerID
		}
		if _, err := tx.Exec(ctx, s.sql.adoptEntries, c.SourceID, owner, pending); err != nil {
			return stripegate.Result{}, fmt.Errorf("move the log entries of source %s to its owner: %w", c.SourceID, err)
		}
	}
	return stripegate.Result{Outcome: outcome, UserID: owner}, nil
}

// newOwner returns the source's owner after the change: the change's user,
// else the source's current owner, else the user linked to the change's
// customer, else "" (the source then waits for its customer's link).
func (s *Store) newOwner(ctx context.Context, tx pgx.Tx, c stripegate.Change, src storedSource) (string, error) {
	if c.UserID != "" {
		return c.UserID, nil
	}

	owner, err := s.currentOwner(ctx, tx, src)
	if err != nil || owner != "" || c.CustomerID == "" {
		return owner, err
	}
	return s.linkedUser(ctx, tx, c.CustomerID)
}

func (s *Store) updateSource(ctx context.Context, tx pgx.Tx, sourceID, owner, customerID string, st sourceState, seq int64) error {
	_, err := tx.Exec(ctx, s.sql.updateSource, sourceID, owner, customerID,
		st.granting, nullTime(st.graceUntil), nullTime(st.periodEnd), st.changed, seq, st.final)
	if err != nil {
		return fmt.Errorf("update source %s: %w", sourceID, err)
	}
	return nil
}

// logEntry is a payment log row: the entry and, for an entry without a
// user, the customer whose link it waits for.
type logEntry struct {
	stripegate.LogEntry
	pendingCustomerID string
}

// newEntry returns the log entry of c. It belongs to owner when set, else
// waits for the link of customerID, else waits on the source.
func newEntry(c stripegate.Change, outcome stripegate.Outcome, owner, customerID string) logEntry {
	e := logEntry{LogEntry: stripegate.LogEntry{
		EventID:    c.EventID,
		EventType:  c.EventType,
		Outcome:    outcome,
		SourceID:   c.SourceID,
		CustomerID: customerID,
		UserID:     owner,
		Created:    c.Created,
	}}
	if owner == "" {
		e.pendingCustomerID = customerID
	}
	return e
}

// insertEntry adds the entry to the payment log and returns its number.
func (s *Store) insertEntry(ctx context.Context, tx pgx.Tx, e logEntry) (int64, error) {
	var seq int64
	err := tx.QueryRow(ctx, s.sql.insertEntry,
		e.EventID, e.EventType, string(e.Outcome), e.SourceID, e.CustomerID, e.UserID, e.pendingCustomerID, e.Created).
		Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("insert the payment log entry: %w", err)
	}
	return seq, nil
}
