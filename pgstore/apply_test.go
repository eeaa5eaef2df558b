package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/memstore"
)

var base = time.Date(2025, time.March, 3, 9, 30, 0, 0, time.UTC)

// TestApplyMatchesMemstore applies the same random sequences of changes and
// links to a pgstore and to a memstore, one call at a time, and requires the
// same results, entitlements and payment logs. The small sets of IDs and
// times make duplicates, stale and same-second events, pending customers
// and sources without an owner frequent. Some changes are final, stale
// ones included, and later changes then meet final sources. Some name
// aliases, some are AccessKeep changes that only record aliases, and some
// name an alias as their source, so that chains of aliases form.
func TestApplyMatchesMemstore(t *testing.T) {
	pool := testPool(t)
	for seed := range uint64(30) {
		t.Run("seed"+strconv.FormatUint(seed, 10), func(t *testing.T) {
			ctx := context.Background()
			pg := newTestStore(t, pool, Config{})
			mem := memstore.New()
			rng := rand.New(rand.NewPCG(seed, 0x5eed))

			for step := range 120 {
				op := randomOp(rng)
				if op.link {
					compareLink(t, ctx, step, pg, mem, op.customerID, op.userID)
					continue
				}
				compareApply(t, ctx, step, pg, mem, op.change)
			}
			for _, userID := range testUsers {
				compareUser(t, ctx, pg, mem, userID)
			}
		})
	}
}

var (
	testUsers     = []string{"user_a", "user_b"}
	testCustomers = []string{"cus_A", "cus_B", "cus_C"}
	testSources   = []string{"sub_1A", "sub_1B", "pi_3C", "cs_test_D"}

	// testAliasIDs are IDs of invoices and payments, which stand for a
	// source once a change names them as aliases. Changes also name them
	// as their source, and name the IDs of testSources as aliases.
	testAliasIDs  = []string{"in_1E", "pi_3F", "ch_3G"}
	testStripeIDs = slices.Concat(testSources, testAliasIDs)
)

// op is one random call: a link, or an Apply of change.
type op struct {
	link       bool
	customerID string
	userID     string
	change     stripegate.Change
}

func randomOp(rng *rand.Rand) op {
	pick := func(values []string, emptyChance int) string {
		if rng.IntN(100) < emptyChance {
			return ""
		}
		return values[rng.IntN(len(values))]
	}
	if rng.IntN(10) == 0 {
		return op{link: true, customerID: pick(testCustomers, 0), userID: pick(testUsers, 0)}
	}

	created := base.Add(time.Duration(rng.IntN(12)) * time.Minute)
	c := stripegate.Change{
		EventID:    fmt.Sprintf("evt_1Diff%02d", rng.IntN(150)),
		EventType:  "invoice.paid",
		Created:    created,
		SourceID:   pick(testSources, 0),
		UserID:     pick(testUsers, 60),
		CustomerID: pick(testCustomers, 35),
		Access:     stripegate.Access(rng.IntN(3)),
	}
	if c.Access == stripegate.AccessRevokeAfterGrace && rng.IntN(5) != 0 {
		c.GraceUntil = created.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
	}
	if rng.IntN(3) == 0 {
		c.PeriodEnd = created.AddDate(0, 1, rng.IntN(5))
	}
	if rng.IntN(4) == 0 {
		c.SourceID = pick(testAliasIDs, 0)
	}
	// The aliases may be empty, repeated, the change's own source or
	// known already; the stores must skip all of those alike.
	if rng.IntN(3) == 0 {
		for range 1 + rng.IntN(3) {
			c.Aliases = append(c.Aliases, pick(testStripeIDs, 10))
		}
	}
	if rng.IntN(8) == 0 {
		c.EventType = "invoice_payment.paid"
		c.Access = stripegate.AccessKeep
	}
	// Final changes are rare, so that most sources see a history of
	// changes before one ends them. They keep their random Access, because
	// a final change ends its source regardless of its Access.
	if rng.IntN(40) == 0 {
		c.EventType = "customer.subscription.deleted"
		c.Final = true
	}
	return op{change: c}
}

func compareApply(t *testing.T, ctx context.Context, step int, pg *Store, mem *memstore.Store, c stripegate.Change) {
	t.Helper()
	want, err := mem.Apply(ctx, c)
	if err != nil {
		t.Fatalf("step %d: memstore Apply(%+v): %v", step, c, err)
	}
	got, err := pg.Apply(ctx, c)
	if err != nil {
		t.Fatalf("step %d: Apply(%+v): %v", step, c, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("step %d: Apply(%+v) result differs from memstore (-memstore +pgstore):\n%s", step, c, diff)
	}
}

func compareLink(t *testing.T, ctx context.Context, step int, pg *Store, mem *memstore.Store, customerID, userID string) {
	t.Helper()
	wantErr := mem.LinkCustomer(ctx, customerID, userID)
	gotErr := pg.LinkCustomer(ctx, customerID, userID)
	if errors.Is(gotErr, stripegate.ErrCustomerLinked) != errors.Is(wantErr, stripegate.ErrCustomerLinked) || (gotErr == nil) != (wantErr == nil) {
		t.Errorf("step %d: LinkCustomer(%q, %q) = %v, memstore returned %v", step, customerID, userID, gotErr, wantErr)
	}
}

func compareUser(t *testing.T, ctx context.Context, pg *Store, mem *memstore.Store, userID string) {
	t.Helper()
	want, err := mem.Entitlement(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pg.Entitlement(ctx, userID)
	if err != nil {
		t.Fatalf("Entitlement(%q): %v", userID, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Entitlement(%q) differs from memstore (-memstore +pgstore):\n%s", userID, diff)
	}

	wantLog, err := mem.PaymentLog(ctx, userID, 0)
	if err != nil {
		t.Fatal(err)
	}
	gotLog, err := pg.PaymentLog(ctx, userID, 0)
	if err != nil {
		t.Fatalf("PaymentLog(%q): %v", userID, err)
	}
	if diff := cmp.Diff(wantLog, gotLog); diff != "" {
		t.Errorf("PaymentLog(%q) differs from memstore (-memstore +pgstore):\n%s", userID, diff)
	}
}

// Invalid changes are programming errors: an error that wraps nothing, and
// nothing stored.
func TestApplyInvalidChange(t *testing.T) {
	valid := stripegate.Change{
		EventID: "evt_1Inv", EventType: "invoice.paid", Created: base,
		SourceID: "sub_1Inv", UserID: "user_inv", Access: stripegate.AccessGrant,
	}
	tests := []struct {
		name   string
		mutate func(*stripegate.Change)
	}{
		{"EmptyEventID", func(c *stripegate.Change) { c.EventID = "" }},
		{"EmptySourceID", func(c *stripegate.Change) { c.SourceID = "" }},
		{"UnknownAccess", func(c *stripegate.Change) { c.Access = stripegate.Access(42) }},
		{"NegativeAccess", func(c *stripegate.Change) { c.Access = -1 }},
		{"AccessAfterKeep", func(c *stripegate.Change) { c.Access = stripegate.AccessKeep + 1 }},
	}
	// The checks run before any query, so the pool never connects.
	s, err := New(unconnectedPool(t), Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			tc.mutate(&c)
			_, err := s.Apply(context.Background(), c)
			if err == nil {
				t.Fatal("Apply: nil error, want one")
			}
			if errors.Unwrap(err) != nil {
				t.Errorf("Apply: error %q wraps %v, want it to wrap nothing", err, errors.Unwrap(err))
			}
		})
	}
}

// An Apply cancelled while it waits for the lock of a source that another
// transaction holds returns an error matching context.Canceled and leaves
// nothing behind: not the event ID, not the link, not a log entry.
func TestApplyCancelledWhileWaiting(t *testing.T) {
	ctx := context.Background()
	pool := testPool(t)
	s := newTestStore(t, pool, Config{})
	first := stripegate.Change{
		EventID: "evt_1Wait1", EventType: "customer.subscription.created", Created: base,
		SourceID: "sub_1Wait", CustomerID: "cus_Wait", Access: stripegate.AccessGrant,
	}
	mustApply(t, s, first, stripegate.OutcomeGranted)

	// Hold the source's row lock in another transaction.
	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, "SELECT 1 FROM "+s.quotedSchema+".sources WHERE source_id = $1 FOR UPDATE", first.SourceID); err != nil {
		t.Fatal(err)
	}

	second := stripegate.Change{
		EventID: "evt_1Wait2", EventType: "customer.subscription.deleted", Created: base.Add(time.Minute),
		SourceID: "sub_1Wait", UserID: "user_wait", CustomerID: "cus_Wait", Access: stripegate.AccessRevoke,
	}
	applyCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var applyErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, applyErr = s.Apply(applyCtx, second)
	}()

	waitForLockWait(t, pool, holder)
	cancel()
	wg.Wait()
	if !errors.Is(applyErr, context.Canceled) {
		t.Fatalf("Apply cancelled while waiting for a lock: error %v, want one matching context.Canceled", applyErr)
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	e, err := s.Entitlement(ctx, "user_wait")
	if err != nil {
		t.Fatal(err)
	}
	if e.Active || e.SourceID != "" {
		t.Errorf("Entitlement(user_wait) after the cancelled Apply = %+v, want the zero entitlement: the link must not be stored", e)
	}
	mustApply(t, s, second, stripegate.OutcomeRevoked)
}

// An Apply that PostgreSQL aborts to break a deadlock is run again and
// succeeds. The other transaction takes the source's row lock and then the
// customer link that Apply inserted, the reverse of Apply's order. Apply
// waits first, so its deadlock check (after deadlock_timeout, 1 s by
// default) runs first and aborts it.
func TestApplyRetriesDeadlock(t *testing.T) {
	ctx := context.Background()
	pool := testPool(t)
	retries := &countingHandler{}
	s := newTestStore(t, pool, Config{Logger: slog.New(retries)})
	mustApply(t, s, stripegate.Change{
		EventID: "evt_1Dead1", EventType: "customer.subscription.created", Created: base,
		SourceID: "sub_1Dead", Access: stripegate.AccessGrant,
	}, stripegate.OutcomeGranted)

	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, "SELECT 1 FROM "+s.quotedSchema+".sources WHERE source_id = $1 FOR UPDATE", "sub_1Dead"); err != nil {
		t.Fatal(err)
	}

	c := stripegate.Change{
		EventID: "evt_1Dead2", EventType: "invoice.paid", Created: base.Add(time.Minute),
		SourceID: "sub_1Dead", UserID: "user_dead", CustomerID: "cus_Dead", Access: stripegate.AccessGrant,
	}
	var res stripegate.Result
	var applyErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		res, applyErr = s.Apply(ctx, c)
	}()
	waitForLockWait(t, pool, holder)

	// PostgreSQL ends a deadlock in the session whose deadlock_timeout runs
	// out first. The holder's is long, so that is always Apply's, even on
	// a loaded machine where the holder might start waiting first.
	if _, err := holder.Exec(ctx, "SET LOCAL deadlock_timeout = '30s'"); err != nil {
		t.Fatal(err)
	}
	// This insert waits for Apply's uncommitted link, closing the cycle.
	if _, err := holder.Exec(ctx, s.sql.insertLink, "cus_Dead", "user_other"); err != nil {
		t.Fatalf("the other transaction failed instead of Apply, so the retry was not exercised: %v", err)
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	if applyErr != nil {
		t.Fatalf("Apply after a deadlock: %v, want it retried and applied", applyErr)
	}
	if res.Outcome != stripegate.OutcomeUnchanged || res.UserID != "user_dead" {
		t.Errorf("Apply after a deadlock = %+v, want outcome %q for user_dead", res, stripegate.OutcomeUnchanged)
	}
	if n := retries.n.Load(); n != 1 {
		t.Errorf("%d retries logged, want 1", n)
	}
}

// waitForLockWait polls until a session waits for a lock that holder's
// transaction holds. Other tests may wait for locks of their own in the
// same database at the same time, so any waiting session is not enough.
// The loop is bounded; its pauses only spare the CPU.
func waitForLockWait(t *testing.T, pool *pgxpool.Pool, holder pgx.Tx) {
	t.Helper()
	var holderPID int32
	if err := holder.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&holderPID); err != nil {
		t.Fatalf("read the holder's backend pid: %v", err)
	}

	const query = `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND $1::int = ANY(pg_blocking_pids(pid))`
	for range 1000 {
		var waiting int
		if err := pool.QueryRow(context.Background(), query, holderPID).Scan(&waiting); err != nil {
			t.Fatalf("read pg_stat_activity: %v", err)
		}
		if waiting > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no session waited for the holder's lock after 1000 polls of pg_stat_activity")
}

// mustApply applies c and stops the test unless it succeeds with want.
func mustApply(t testing.TB, s *Store, c stripegate.Change, want stripegate.Outcome) stripegate.Result {
	t.Helper()
	res, err := s.Apply(context.Background(), c)
	if err != nil {
		t.Fatalf("Apply(%s): %v", c.EventID, err)
	}
	if res.Outcome != want {
		t.Fatalf("Apply(%s): outcome %q, want %q", c.EventID, res.Outcome, want)
	}
	return res
}
