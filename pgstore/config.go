package pgstore

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Defaults and limits of Config.
const (
	// DefaultSchema is the schema that holds the tables unless
	// Config.Schema names another.
	DefaultSchema = "public"

	// DefaultRetention is how long processed event IDs are kept when
	// Config.Retention is zero.
	DefaultRetention = 7 * 24 * time.Hour

	// MinRetention is the shortest Config.Retention that New accepts:
	// Stripe retries a failed delivery for up to three days.
	MinRetention = 3 * 24 * time.Hour

	// DefaultMaxRetries is how many times a transaction that failed with a
	// serialization failure or a deadlock is run again when
	// Config.MaxRetries is zero.
	DefaultMaxRetries = 5

	// maxIdentifierBytes is PostgreSQL's limit on identifier length
	// (NAMEDATALEN - 1); longer names are silently truncated by the server.
	maxIdentifierBytes = 63
)

// Config configures a Store. The zero value of each field means the default
// written beside it; New rejects invalid values with an error that names the
// field and the fix.
type Config struct {
	// Schema is the PostgreSQL schema that holds the store's tables.
	// Migrate creates it when missing. Use one schema per store, for
	// example one per test. Default "public" (DefaultSchema).
	Schema string

	// Retention is how long an applied event ID is kept, so that a
	// redelivery is reported as OutcomeDuplicate; Cleanup deletes older
	// ones. Default 7 days (DefaultRetention). Values below MinRetention
	// (3 days, Stripe's retry window) are rejected.
	//
	// Deleting an ID afterwards is safe because of the ordering rule. A
	// redelivery that arrives later than that, such as a manual resend
	// from the Dashboard, is older than any event that changed its source
	// since, so it is OutcomeStale and changes nothing. If nothing changed
	// the source since, it was the last event applied, and applying it
	// again sets the same state (OutcomeUnchanged). Either way it adds one
	// payment log entry and grants or revokes nothing new. The exception
	// is an event created in the same second as a later one on its
	// source, which the contract applies like any same-second event.
	Retention time.Duration

	// MaxRetries is how many times Apply and LinkCustomer run their
	// transaction again after a serialization failure (SQLSTATE 40001) or
	// a deadlock (40P01), with a short random pause before each retry.
	// Default 5 (DefaultMaxRetries). Negative values are rejected.
	MaxRetries int

	// Logger receives a debug line for each retried transaction. Default
	// slog.Default().
	Logger *slog.Logger
}

// withDefaults returns c with every zero field set to its default, or an
// error naming the first invalid field.
func (c Config) withDefaults() (Config, error) {
	if c.Schema == "" {
		c.Schema = DefaultSchema
	}
	if err := validateSchema(c.Schema); err != nil {
		return Config{}, err
	}

	switch {
	case c.Retention == 0:
		c.Retention = DefaultRetention
	case c.Retention < MinRetention:
		return Config{}, fmt.Errorf("pgstore: invalid Config.Retention %s: set it to at least %s (Stripe retries a delivery for up to 3 days), or leave it zero for %s",
			c.Retention, MinRetention, DefaultRetention)
	}

	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		return Config{}, fmt.Errorf("pgstore: invalid Config.MaxRetries %d: set a positive number, or leave it zero for %d", c.MaxRetries, DefaultMaxRetries)
	}

	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

func validateSchema(schema string) error {
	switch {
	case len(schema) > maxIdentifierBytes:
		return fmt.Errorf("pgstore: invalid Config.Schema %q: it has %d bytes, PostgreSQL allows at most %d", schema, len(schema), maxIdentifierBytes)
	case strings.ContainsRune(schema, 0):
		return fmt.Errorf("pgstore: invalid Config.Schema %q: remove the NUL character", schema)
	case strings.HasPrefix(strings.ToLower(schema), "pg_"):
		return fmt.Errorf("pgstore: invalid Config.Schema %q: names starting with pg_ are reserved by PostgreSQL, choose another", schema)
	}
	return nil
}
