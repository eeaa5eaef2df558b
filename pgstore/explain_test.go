package pgstore

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/stripegate/stripegate"
)

// fillForPlans adds 5000 users to the store's tables directly: each owns a
// subscription and has a linked customer with a second source and a log
// entry waiting for the link. Each subscription has an invoice as its
// alias, and a charge as the invoice's alias. Then it updates the planner's statistics, so
// that the plans are those of a populated database.
func fillForPlans(t testing.TB, s *Store) {
	t.Helper()
	statements := []string{
		`INSERT INTO {schema}.customer_links (customer_id, user_id)
SELECT 'cus_' || i, 'user_' || i FROM generate_series(1, 5000) AS i`,
		`INSERT INTO {schema}.sources (source_id, user_id, customer_id, granting, changed, changed_seq)
SELECT 'sub_' || i, 'user_' || i, 'cus_' || i, i % 2 = 0, now(), i FROM generate_series(1, 5000) AS i`,
		`INSERT INTO {schema}.sources (source_id, customer_id, granting, grace_until, changed, changed_seq)
SELECT 'pi_' || i, 'cus_' || i, true, now() + interval '3 days', now(), 5000 + i FROM generate_series(1, 5000) AS i`,
		`INSERT INTO {schema}.payment_log (event_id, event_type, outcome, source_id, customer_id, user_id, created)
SELECT 'evt_a' || i, 'invoice.paid', 'granted', 'sub_' || i, 'cus_' || i, 'user_' || i, now() FROM generate_series(1, 5000) AS i`,
		`INSERT INTO {schema}.payment_log (event_id, event_type, outcome, source_id, customer_id, pending_customer_id, created)
SELECT 'evt_b' || i, 'payment_intent.succeeded', 'granted', 'pi_' || i, 'cus_' || i, 'cus_' || i, now() FROM generate_series(1, 5000) AS i`,
		`INSERT INTO {schema}.source_aliases (alias_id, target_id)
SELECT 'in_' || i, 'sub_' || i FROM generate_series(1, 5000) AS i`,
		`INSERT INTO {schema}.source_aliases (alias_id, target_id)
SELECT 'ch_' || i, 'in_' || i FROM generate_series(1, 5000) AS i`,
		`ANALYZE {schema}.customer_links, {schema}.sources, {schema}.payment_log, {schema}.source_aliases`,
	}
	r := strings.NewReplacer("{schema}", s.quotedSchema)
	for _, stmt := range statements {
		if _, err := s.pool.Exec(context.Background(), r.Replace(stmt)); err != nil {
			t.Fatalf("fill tables: %v\n%s", err, stmt)
		}
	}
}

// explain returns the plan of query with args, as EXPLAIN prints it
// without costs.
func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), "EXPLAIN (COSTS OFF) "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN: %v", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("EXPLAIN: %v", err)
	}
	return strings.Join(lines, "\n")
}

// The Gate's query and the payment log's read only the user's rows through
// indexes, and Apply resolves an alias through the primary key of
// source_aliases: no sequential scan, whatever the number of rows.
func TestQueryPlansUseIndexes(t *testing.T) {
	pool := testPool(t)
	s := newTestStore(t, pool, Config{})
	fillForPlans(t, s)

	tests := []struct {
		name        string
		query       string
		args        []any
		wantIndexes []string
	}{
		{"Entitlement", s.sql.entitlement, []any{"user_42"},
			[]string{"sources_user_idx", "customer_links_user_idx", "sources_pending_customer_idx"}},
		{"PaymentLog", s.sql.paymentLog, []any{"user_42", 50},
			[]string{"payment_log_user_idx", "customer_links_user_idx", "payment_log_pending_customer_idx"}},
		{"ResolveSource", s.sql.resolveSource, []any{"ch_42", stripegate.MaxAliasHops},
			[]string{"source_aliases_pkey"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := explain(t, s, tc.query, tc.args...)
			t.Logf("EXPLAIN (COSTS OFF) of %s with 5000 users:\n%s", tc.name, plan)
			if strings.Contains(plan, "Seq Scan") {
				t.Errorf("the plan of %s has a sequential scan", tc.name)
			}
			for _, index := range tc.wantIndexes {
				if !strings.Contains(plan, index) {
					t.Errorf("the plan of %s does not use %s", tc.name, index)
				}
			}
		})
	}

	if resolved := resolvedID(t, s, "ch_42"); resolved != "sub_42" {
		t.Errorf("ch_42 resolves to %q, want sub_42 through in_42", resolved)
	}

	e, err := s.Entitlement(context.Background(), "user_42")
	if err != nil {
		t.Fatal(err)
	}
	if !e.Active || e.SourceID != "sub_42" || !e.GraceUntil.IsZero() {
		t.Errorf("Entitlement(user_42) = %+v, want active through sub_42 without a deadline", e)
	}
}
