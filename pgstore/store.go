package pgstore

import (
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stripegate/stripegate"
)

// Store is a stripegate.EntitlementStore in PostgreSQL. Create one with New
// and call Migrate before its first use. A Store is safe for concurrent use
// by many goroutines, and any number of Stores, in one process or many, may
// share one schema.
type Store struct {
	pool         *pgxpool.Pool
	schema       string
	quotedSchema string
	retention    time.Duration
	maxRetries   int
	logger       *slog.Logger
	sql          queries
}

var _ stripegate.EntitlementStore = (*Store)(nil)

// New returns a Store that runs its queries on pool, in the schema that cfg
// names. It does not touch the database: call Migrate to create the tables.
// The Store does not close pool.
//
// New returns an error naming the fix when pool is nil or a field of cfg is
// invalid.
func New(pool *pgxpool.Pool, cfg Config) (*Store, error) {
	if pool == nil {
		return nil, errors.New("pgstore: pool is nil: pass a *pgxpool.Pool from pgxpool.New")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}

	quoted := pgx.Identifier{cfg.Schema}.Sanitize()
	s := &Store{
		pool:         pool,
		schema:       cfg.Schema,
		quotedSchema: quoted,
		retention:    cfg.Retention,
		maxRetries:   cfg.MaxRetries,
		logger:       cfg.Logger,
		sql:          newQueries(quoted),
	}
	return s, nil
}

// Schema returns the schema that holds the store's tables.
func (s *Store) Schema() string { return s.schema }

// queries are the statements of the Store with its schema filled in. Each
// is documented where it is used.
type queries struct {
	claimEvent     string
	sourceOwner    string
	resolveSource  string
	insertAliases  string
	insertLink     string
	linkedUser     string
	ensureSource   string
	lockSource     string
	insertEntry    string
	updateSource   string
	endSource      string
	adoptEntries   string
	entitlement    string
	paymentLog     string
	deleteOldEvent string
}

func newQueries(quotedSchema string) queries {
	r := strings.NewReplacer("{schema}", quotedSchema)
	return queries{
		claimEvent:     r.Replace(claimEventSQL),
		sourceOwner:    r.Replace(sourceOwnerSQL),
		resolveSource:  r.Replace(resolveSourceSQL),
		insertAliases:  r.Replace(insertAliasesSQL),
		insertLink:     r.Replace(insertLinkSQL),
		linkedUser:     r.Replace(linkedUserSQL),
		ensureSource:   r.Replace(ensureSourceSQL),
		lockSource:     r.Replace(lockSourceSQL),
		insertEntry:    r.Replace(insertEntrySQL),
		updateSource:   r.Replace(updateSourceSQL),
		endSource:      r.Replace(endSourceSQL),
		adoptEntries:   r.Replace(adoptEntriesSQL),
		entitlement:    r.Replace(entitlementSQL),
		paymentLog:     r.Replace(paymentLogSQL),
		deleteOldEvent: r.Replace(deleteOldEventsSQL),
	}
}
