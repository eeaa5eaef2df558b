package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/memstore"
)

func TestNewAliases(t *testing.T) {
	tests := []struct {
		name     string
		aliases  []string
		sourceID string
		want     []string
	}{
		{"None", nil, "sub_1", []string{}},
		{"Sorted", []string{"pi_3", "ch_3", "in_1"}, "sub_1", []string{"ch_3", "in_1", "pi_3"}},
		{"EmptySkipped", []string{"", "in_1", ""}, "sub_1", []string{"in_1"}},
		{"SourceSkipped", []string{"sub_1", "in_1"}, "sub_1", []string{"in_1"}},
		{"RepeatsDropped", []string{"in_1", "pi_3", "in_1"}, "sub_1", []string{"in_1", "pi_3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := newAliases(tc.aliases, tc.sourceID)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("newAliases(%q, %q) (-want +got):\n%s", tc.aliases, tc.sourceID, diff)
			}
		})
	}
}

// A chain of five aliases is followed for MaxAliasHops hops only, and an
// alias to the end of that truncated chain closes a cycle, which Apply
// walks for MaxAliasHops hops too. pgstore must agree with memstore on
// each step.
func TestAliasHopLimitMatchesMemstore(t *testing.T) {
	ctx := context.Background()
	pg := newTestStore(t, testPool(t), Config{})
	mem := memstore.New()

	ids := []string{"ch_3Hop", "pi_3Hop", "in_1Hop1", "in_1Hop2", "in_1Hop3", "sub_1Hop"}
	keep := func(n int, sourceID string, aliases ...string) stripegate.Change {
		return stripegate.Change{
			EventID: fmt.Sprintf("evt_1Hop%02d", n), EventType: "invoice_payment.paid", Created: base,
			SourceID: sourceID, Access: stripegate.AccessKeep, Aliases: aliases,
		}
	}
	// Each alias names the end of the chain so far, so ch_3Hop ends five
	// hops from sub_1Hop.
	changes := []stripegate.Change{}
	for i := range len(ids) - 1 {
		changes = append(changes, keep(i, ids[i+1], ids[i]))
	}
	changes = append(changes,
		// Four hops from ch_3Hop reach in_1Hop3, one short of sub_1Hop.
		stripegate.Change{
			EventID: "evt_1Hop10", EventType: "invoice.paid", Created: base.Add(time.Minute),
			SourceID: "ch_3Hop", UserID: "user_hop", Access: stripegate.AccessGrant,
		},
		// sub_1Hop is no alias yet, so it now stands for in_1Hop3 and
		// closes the cycle in_1Hop3 -> sub_1Hop -> in_1Hop3.
		keep(11, "ch_3Hop", "sub_1Hop"),
		stripegate.Change{
			EventID: "evt_1Hop12", EventType: "charge.refunded", Created: base.Add(2 * time.Minute),
			SourceID: "sub_1Hop", Access: stripegate.AccessRevoke,
		},
		stripegate.Change{
			EventID: "evt_1Hop13", EventType: "charge.refunded", Created: base.Add(3 * time.Minute),
			SourceID: "in_1Hop3", Access: stripegate.AccessRevoke,
		},
	)
	for step, c := range changes {
		compareApply(t, ctx, step, pg, mem, c)
	}
	compareUser(t, ctx, pg, mem, "user_hop")

	if got := resolvedID(t, pg, "ch_3Hop"); got != "in_1Hop3" {
		t.Errorf("ch_3Hop resolves to %q, want in_1Hop3 after %d hops", got, stripegate.MaxAliasHops)
	}
	if got := resolvedID(t, pg, "sub_1Hop"); got != "in_1Hop3" {
		t.Errorf("sub_1Hop resolves to %q, want in_1Hop3, the one stored source on its cycle", got)
	}
}

// Of two Applies that record the same alias at once, the one that commits
// first sets its target. The other waits for it and keeps that target, or
// sets its own if the first rolls back.
func TestApplyAliasRace(t *testing.T) {
	tests := []struct {
		name       string
		commit     bool
		wantTarget string
	}{
		{"FirstCommits", true, "sub_1RaceA"},
		{"FirstRollsBack", false, "sub_1RaceB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			pool := testPool(t)
			s := newTestStore(t, pool, Config{})

			holder, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer holder.Rollback(ctx)
			if _, err := holder.Exec(ctx, s.sql.insertAliases, []string{"pi_3Race"}, "sub_1RaceA"); err != nil {
				t.Fatal(err)
			}

			renewal := stripegate.Change{
				EventID: "evt_1Race", EventType: "invoice.paid", Created: base,
				SourceID: "sub_1RaceB", UserID: "user_race", Access: stripegate.AccessGrant,
				Aliases: []string{"pi_3Race"},
			}
			var res stripegate.Result
			var applyErr error
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, applyErr = s.Apply(ctx, renewal)
			}()

			// Apply waits for the holder's uncommitted insert of the alias.
			waitForLockWait(t, pool, holder)
			if tc.commit {
				err = holder.Commit(ctx)
			} else {
				err = holder.Rollback(ctx)
			}
			if err != nil {
				t.Fatal(err)
			}
			wg.Wait()

			if applyErr != nil {
				t.Fatalf("Apply racing for alias pi_3Race: %v", applyErr)
			}
			if res.Outcome != stripegate.OutcomeGranted {
				t.Errorf("Apply racing for alias pi_3Race: outcome %q, want %q", res.Outcome, stripegate.OutcomeGranted)
			}
			if got := resolvedID(t, s, "pi_3Race"); got != tc.wantTarget {
				t.Errorf("pi_3Race resolves to %q, want %q", got, tc.wantTarget)
			}
		})
	}
}

// A change that names an ID while another transaction is recording that ID
// as an alias does not wait for it: it applies to the ID itself, as if it
// had arrived first. Once the alias is committed, the next change naming
// the ID reaches the source.
func TestApplyNamesAliasBeingInserted(t *testing.T) {
	ctx := context.Background()
	pool := testPool(t)
	s := newTestStore(t, pool, Config{})
	mustApply(t, s, stripegate.Change{
		EventID: "evt_1Mid1", EventType: "invoice.paid", Created: base,
		SourceID: "sub_1Mid", UserID: "user_mid", Access: stripegate.AccessGrant,
	}, stripegate.OutcomeGranted)

	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, s.sql.insertAliases, []string{"pi_3Mid"}, "sub_1Mid"); err != nil {
		t.Fatal(err)
	}

	// The timeout fails the Apply if it waits for the holder.
	applyCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	early := stripegate.Change{
		EventID: "evt_1Mid2", EventType: "charge.dispute.created", Created: base.Add(time.Minute),
		SourceID: "pi_3Mid", Access: stripegate.AccessRevoke,
	}
	res, err := s.Apply(applyCtx, early)
	if err != nil {
		t.Fatalf("Apply naming an alias that another transaction is inserting: %v, want it applied without waiting", err)
	}
	if res.Outcome != stripegate.OutcomeUnchanged || res.UserID != "" {
		t.Errorf("Apply naming an uncommitted alias = %+v, want outcome %q on pi_3Mid itself, without a user", res, stripegate.OutcomeUnchanged)
	}
	expectActive(t, s, "user_mid", true)

	if err := holder.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	res = mustApply(t, s, stripegate.Change{
		EventID: "evt_1Mid3", EventType: "charge.dispute.created", Created: base.Add(2 * time.Minute),
		SourceID: "pi_3Mid", Access: stripegate.AccessRevoke,
	}, stripegate.OutcomeRevoked)
	if res.UserID != "user_mid" {
		t.Errorf("Apply naming the committed alias pi_3Mid: Result.UserID %q, want user_mid", res.UserID)
	}
	expectActive(t, s, "user_mid", false)
}

// Apply inserts a change's aliases in sorted order, whatever their order in
// Change.Aliases, so that two Applies naming some of the same aliases wait
// for each other in one order and cannot deadlock. Here Apply names
// pi_3Order before ch_3Order and waits for another transaction's insert of
// pi_3Order. It must hold ch_3Order by then: that transaction's insert of
// ch_3Order then waits, until its lock_timeout.
func TestApplyInsertsAliasesInSortedOrder(t *testing.T) {
	ctx := context.Background()
	pool := testPool(t)
	retries := &countingHandler{}
	s := newTestStore(t, pool, Config{Logger: slog.New(retries)})

	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, s.sql.insertAliases, []string{"pi_3Order"}, "sub_1OrderA"); err != nil {
		t.Fatal(err)
	}

	c := stripegate.Change{
		EventID: "evt_1Order", EventType: "invoice.paid", Created: base,
		SourceID: "sub_1OrderB", UserID: "user_order", Access: stripegate.AccessGrant,
		Aliases: []string{"pi_3Order", "ch_3Order"},
	}
	var applyErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, applyErr = s.Apply(ctx, c)
	}()
	waitForLockWait(t, pool, holder)

	// The holder and Apply now wait for each other. The lock_timeout ends
	// the holder's wait well before deadlock_timeout (1 s by default) would
	// make PostgreSQL abort one of them.
	if _, err := holder.Exec(ctx, "SET LOCAL lock_timeout = '200ms'"); err != nil {
		t.Fatal(err)
	}
	_, err = holder.Exec(ctx, s.sql.insertAliases, []string{"ch_3Order"}, "sub_1OrderA")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != sqlStateLockNotAvailable {
		t.Errorf("insert of ch_3Order while Apply waits for pi_3Order: error %v, want SQLSTATE %s: Apply must have inserted ch_3Order first", err, sqlStateLockNotAvailable)
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	if applyErr != nil {
		t.Fatalf("Apply(%s): %v", c.EventID, applyErr)
	}
	for _, alias := range c.Aliases {
		if got := resolvedID(t, s, alias); got != "sub_1OrderB" {
			t.Errorf("%s resolves to %q, want sub_1OrderB", alias, got)
		}
	}
	if n := retries.n.Load(); n != 0 {
		t.Errorf("%d retries logged, want none", n)
	}
}

// sqlStateLockNotAvailable is the SQLSTATE of a lock wait ended by
// lock_timeout.
const sqlStateLockNotAvailable = "55P03"

// Concurrent Applies that name the same aliases in different orders all
// succeed without a retry. Since each inserts its aliases in sorted order,
// the first to insert the first alias holds up the others until it
// commits, so all the aliases of a round keep its source as their target.
func TestApplyConcurrentAliases(t *testing.T) {
	ctx := context.Background()
	retries := &countingHandler{}
	s := newTestStore(t, testPool(t), Config{Logger: slog.New(retries)})
	rng := rand.New(rand.NewPCG(1, 2))

	const rounds, writers = 10, 6
	for round := range rounds {
		aliases := []string{
			fmt.Sprintf("in_1Lock%02d", round), fmt.Sprintf("pi_3Lock%02d", round), fmt.Sprintf("ch_3Lock%02d", round),
			fmt.Sprintf("in_1Lock%02dB", round), fmt.Sprintf("pi_3Lock%02dB", round),
		}
		sources := make([]string, writers)
		changes := make([]stripegate.Change, writers)
		for i := range writers {
			sources[i] = fmt.Sprintf("sub_1Lock%02d_%d", round, i)
			named := append([]string(nil), aliases...)
			rng.Shuffle(len(named), func(a, b int) { named[a], named[b] = named[b], named[a] })
			changes[i] = stripegate.Change{
				EventID: fmt.Sprintf("evt_1Lock%02d_%d", round, i), EventType: "invoice.paid", Created: base,
				SourceID: sources[i], Access: stripegate.AccessGrant, Aliases: named,
			}
		}

		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Apply(ctx, changes[i])
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d: Apply(%s): %v", round, changes[i].EventID, err)
			}
		}

		target := resolvedID(t, s, aliases[0])
		if !slices.Contains(sources, target) {
			t.Errorf("round %d: %s resolves to %q, want one of the round's sources %q", round, aliases[0], target, sources)
		}
		for _, alias := range aliases[1:] {
			if got := resolvedID(t, s, alias); got != target {
				t.Errorf("round %d: %s resolves to %q, want %q like %s", round, alias, got, target, aliases[0])
			}
		}
	}
	if n := retries.n.Load(); n != 0 {
		t.Errorf("%d retries logged, want none", n)
	}
}

// resolvedID returns the source that id stands for, read outside Apply.
func resolvedID(t *testing.T, s *Store, id string) string {
	t.Helper()
	var resolved string
	if err := s.pool.QueryRow(context.Background(), s.sql.resolveSource, id, stripegate.MaxAliasHops).Scan(&resolved); err != nil {
		t.Fatalf("resolve %s: %v", id, err)
	}
	return resolved
}

// expectActive fails the test unless the user's entitlement is active
// exactly when want is true.
func expectActive(t *testing.T, s *Store, userID string, want bool) {
	t.Helper()
	e, err := s.Entitlement(context.Background(), userID)
	if err != nil {
		t.Fatalf("Entitlement(%q): %v", userID, err)
	}
	if e.Active != want {
		t.Errorf("Entitlement(%q).Active = %v, want %v", userID, e.Active, want)
	}
}
