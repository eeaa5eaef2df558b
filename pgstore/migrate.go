package pgstore

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// schemaSQL creates the store's tables and indexes; see schema.sql.
//
//go:embed schema.sql
var schemaSQL string

// Migrate creates the schema named by Config.Schema, if missing, and the
// store's tables, sequence and indexes in it, if missing. It is idempotent,
// so apps may call it at every start. Calls from several processes at once
// are safe: each runs in one transaction that first takes a transaction-scoped
// advisory lock for the schema, so they run one after another.
//
// Migrate needs the privilege to create a schema, or an existing schema in
// which the user may create tables.
func (s *Store) Migrate(ctx context.Context) error {
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		return s.migrate(ctx, tx)
	})
	if err != nil {
		return wrapError(ctx, "migrate schema "+s.quotedSchema, err)
	}
	return nil
}

func (s *Store) migrate(ctx context.Context, tx pgx.Tx) error {
	// The lock key is a hash of the schema name, so migrations of
	// different schemas do not wait for each other.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "stripegate/pgstore migrate "+s.schema); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}

	// CREATE SCHEMA checks the privilege to create schemas even when the
	// schema exists, so it runs only for a missing one.
	var exists bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", s.schema).Scan(&exists); err != nil {
		return fmt.Errorf("look up the schema: %w", err)
	}
	if !exists {
		if _, err := tx.Exec(ctx, "CREATE SCHEMA "+s.quotedSchema); err != nil {
			return fmt.Errorf("create the schema: %w", err)
		}
	}

	// SET LOCAL lasts until the end of this transaction only, so the
	// pool's connection keeps its own search_path afterwards.
	if _, err := tx.Exec(ctx, "SET LOCAL search_path TO "+s.quotedSchema); err != nil {
		return fmt.Errorf("set search_path: %w", err)
	}

	if _, err := tx.Exec(ctx, schemaSQL); err != nil {
		return fmt.Errorf("create the tables: %w", err)
	}
	return nil
}
