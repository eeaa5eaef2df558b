package pgstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stripegate/stripegate"
)

// Several stores migrating one new schema at once all succeed, and a later
// Migrate changes nothing.
func TestMigrateConcurrent(t *testing.T) {
	ctx := context.Background()
	pool := testPool(t)
	schema := newSchemaName(t)
	dropSchemaAtCleanup(t, pool, schema)

	const instances = 6
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each instance has its own pool, as separate processes would.
			own := testPool(t)
			s, err := New(own, Config{Schema: schema})
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = s.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Migrate #%d: %v", i, err)
		}
	}

	before := schemaObjects(t, pool, schema)
	s, err := New(pool, Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	after := schemaObjects(t, pool, schema)
	want := []string{
		"apply_seq",
		"customer_links", "customer_links_pkey", "customer_links_user_idx",
		"payment_log", "payment_log_pending_customer_idx", "payment_log_pkey", "payment_log_unowned_source_idx", "payment_log_user_idx",
		"processed_events", "processed_events_applied_at_idx", "processed_events_pkey",
		"source_aliases", "source_aliases_pkey",
		"sources", "sources_pending_customer_idx", "sources_pkey", "sources_user_idx",
	}
	if diff := cmp.Diff(want, before); diff != "" {
		t.Errorf("schema objects after concurrent migrations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("schema objects changed by a second Migrate (-before +after):\n%s", diff)
	}
}

// schemaObjects lists the tables, indexes and sequences in the schema.
func schemaObjects(t *testing.T, pool interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, schema string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1", schema)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// A schema name that needs quoting works.
func TestMigrateQuotedSchema(t *testing.T) {
	pool := testPool(t)
	schema := `Billing "test" ` + newSchemaName(t)[len("pgstore_test_"):]
	dropSchemaAtCleanup(t, pool, schema)
	s, err := New(pool, Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate(%q): %v", schema, err)
	}
	c := stripegate.Change{
		EventID: "evt_1Quoted", EventType: "invoice.paid", Created: base,
		SourceID: "sub_1Quoted", UserID: "user_q", CustomerID: "cus_Q", Access: stripegate.AccessGrant,
	}
	mustApply(t, s, c, stripegate.OutcomeGranted)
	if e, err := s.Entitlement(context.Background(), "user_q"); err != nil || !e.Active {
		t.Errorf("Entitlement(user_q) in schema %q = %+v, %v; want active", schema, e, err)
	}
}

func TestMigrateCancelled(t *testing.T) {
	pool := testPool(t)
	s, err := New(pool, Config{Schema: newSchemaName(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	expectCanceled(t, s.Migrate(ctx))
}

func expectCanceled(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want one matching context.Canceled", err)
	}
}

// A role that may not create schemas migrates a schema it owns already.
func TestMigrateExistingSchemaWithoutCreatePrivilege(t *testing.T) {
	ctx := context.Background()
	admin := testPool(t)
	schema := newSchemaName(t)
	role := schema + "_owner"
	quotedRole := pgx.Identifier{role}.Sanitize()

	if _, err := admin.Exec(ctx, "CREATE ROLE "+quotedRole+" NOLOGIN"); err != nil {
		t.Skipf("this test creates a role, which the test database's user may not do: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+quotedRole); err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
	})
	dropSchemaAtCleanup(t, admin, schema)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()+" AUTHORIZATION "+quotedRole); err != nil {
		t.Fatal(err)
	}

	// Every connection of this pool acts as the role.
	cfg, err := pgxpool.ParseConfig(testDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, "SET ROLE "+quotedRole)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	var mayCreate bool
	if err := pool.QueryRow(ctx, "SELECT has_database_privilege(current_database(), 'CREATE')").Scan(&mayCreate); err != nil {
		t.Fatal(err)
	}
	if mayCreate {
		t.Skipf("role %s may create schemas in this database, so the case is not reached", role)
	}

	s, err := New(pool, Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate as the schema's owner without the CREATE privilege on the database: %v", err)
	}
	mustApply(t, s, stripegate.Change{
		EventID: "evt_1Role", EventType: "invoice.paid", Created: base,
		SourceID: "sub_1Role", UserID: "user_role", Access: stripegate.AccessGrant,
	}, stripegate.OutcomeGranted)
}

// Migrate adds the final column to a sources table created before it
// existed. Rows stored before get false, so they keep their access.
func TestMigrateAddsFinalColumn(t *testing.T) {
	ctx := context.Background()
	pool := testPool(t)
	s := newTestStore(t, pool, Config{})
	mustApply(t, s, stripegate.Change{
		EventID: "evt_1Old1", EventType: "invoice.paid", Created: base,
		SourceID: "sub_1Old", UserID: "user_old", Access: stripegate.AccessGrant,
	}, stripegate.OutcomeGranted)
	if _, err := pool.Exec(ctx, "ALTER TABLE "+s.quotedSchema+".sources DROP COLUMN final"); err != nil {
		t.Fatal(err)
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate on a sources table without final: %v", err)
	}
	var nullable, defaultValue string
	err := pool.QueryRow(ctx, `SELECT is_nullable, column_default FROM information_schema.columns
WHERE table_schema = $1 AND table_name = 'sources' AND column_name = 'final'`, s.schema).Scan(&nullable, &defaultValue)
	if err != nil {
		t.Fatalf("read the final column after Migrate: %v", err)
	}
	if nullable != "NO" || defaultValue != "false" {
		t.Errorf("final column: is_nullable %q, default %q; want \"NO\", \"false\"", nullable, defaultValue)
	}
	if e, err := s.Entitlement(ctx, "user_old"); err != nil || !e.Active {
		t.Errorf("Entitlement(user_old) after Migrate = %+v, %v; want active", e, err)
	}

	mustApply(t, s, stripegate.Change{
		EventID: "evt_1Old2", EventType: "customer.subscription.deleted", Created: base.Add(time.Minute),
		SourceID: "sub_1Old", UserID: "user_old", Access: stripegate.AccessRevoke, Final: true,
	}, stripegate.OutcomeRevoked)
	mustApply(t, s, stripegate.Change{
		EventID: "evt_1Old3", EventType: "invoice.paid", Created: base.Add(2 * time.Minute),
		SourceID: "sub_1Old", UserID: "user_old", Access: stripegate.AccessGrant,
	}, stripegate.OutcomeUnchanged)
}

// Migrate creates source_aliases in a schema created before the table
// existed, and the sources stored before keep their access.
func TestMigrateAddsAliasTable(t *testing.T) {
	ctx := context.Background()
	pool := testPool(t)
	s := newTestStore(t, pool, Config{})
	mustApply(t, s, stripegate.Change{
		EventID: "evt_1OldAlias1", EventType: "invoice.paid", Created: base,
		SourceID: "sub_1OldAlias", UserID: "user_old_alias", Access: stripegate.AccessGrant,
	}, stripegate.OutcomeGranted)
	if _, err := pool.Exec(ctx, "DROP TABLE "+s.quotedSchema+".source_aliases"); err != nil {
		t.Fatal(err)
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate on a schema without source_aliases: %v", err)
	}
	if e, err := s.Entitlement(ctx, "user_old_alias"); err != nil || !e.Active {
		t.Errorf("Entitlement(user_old_alias) after Migrate = %+v, %v; want active", e, err)
	}

	renewal := stripegate.Change{
		EventID: "evt_1OldAlias2", EventType: "invoice.paid", Created: base.Add(time.Minute),
		SourceID: "sub_1OldAlias", UserID: "user_old_alias", Access: stripegate.AccessGrant,
		Aliases: []string{"pi_3OldAlias"},
	}
	mustApply(t, s, renewal, stripegate.OutcomeUnchanged)
	res := mustApply(t, s, stripegate.Change{
		EventID: "evt_1OldAlias3", EventType: "charge.refunded", Created: base.Add(2 * time.Minute),
		SourceID: "pi_3OldAlias", Access: stripegate.AccessRevoke,
	}, stripegate.OutcomeRevoked)
	if res.UserID != "user_old_alias" {
		t.Errorf("refund of the renewal payment: Result.UserID %q, want user_old_alias", res.UserID)
	}
}

// Migrate on an up-to-date schema takes no ACCESS EXCLUSIVE lock on
// sources or source_aliases, so it does not wait for a transaction that
// reads them.
func TestMigrateDoesNotWaitForReaders(t *testing.T) {
	ctx := context.Background()
	pool := testPool(t)
	s := newTestStore(t, pool, Config{})

	reader, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback(ctx)
	if _, err := reader.Exec(ctx, "SELECT count(*) FROM "+s.quotedSchema+".sources"); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Exec(ctx, "SELECT count(*) FROM "+s.quotedSchema+".source_aliases"); err != nil {
		t.Fatal(err)
	}

	migrateCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.Migrate(migrateCtx); err != nil {
		t.Fatalf("Migrate while another transaction reads sources and source_aliases: %v, want it to finish without waiting", err)
	}
}
