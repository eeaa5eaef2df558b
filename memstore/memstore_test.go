package memstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) stripegate.EntitlementStore { return New() })
}

// The zero Store works with the defaults.
func TestConformanceZeroStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) stripegate.EntitlementStore { return new(Store) })
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

var base = time.Date(2025, time.March, 3, 9, 30, 0, 0, time.UTC)

func grantChange(n int, userID string) stripegate.Change {
	return stripegate.Change{
		EventID:   "evt_1Mem" + strconv.Itoa(n),
		EventType: "invoice.paid",
		Created:   base.Add(time.Duration(n) * time.Second),
		SourceID:  "sub_1Mem" + strconv.Itoa(n%97),
		UserID:    userID,
		Access:    stripegate.AccessGrant,
	}
}

func mustApply(t *testing.T, s *Store, c stripegate.Change, want stripegate.Outcome) {
	t.Helper()
	res, err := s.Apply(context.Background(), c)
	if err != nil {
		t.Fatalf("Apply(%s): %v", c.EventID, err)
	}
	if res.Outcome != want {
		t.Fatalf("Apply(%s): outcome %q, want %q", c.EventID, res.Outcome, want)
	}
}

// Processed event IDs are forgotten after the retention, so their number
// stays bounded however many events pass through.
func TestRetentionBoundsProcessedIDs(t *testing.T) {
	clock := &fakeClock{now: base}
	s := NewWithConfig(Config{Now: clock.Now})
	const step = time.Hour
	bound := int(DefaultRetention/step) + 1

	for n := range 20000 {
		mustApply(t, s, grantChange(n, "user_ret"), outcomeFor(n))
		if got := s.processedLen(); got > bound {
			t.Fatalf("after %d events an hour apart: %d processed IDs remembered, want at most %d", n+1, got, bound)
		}
		if got := s.fifoLen(); got > bound {
			t.Fatalf("after %d events an hour apart: FIFO holds %d IDs, want at most %d", n+1, got, bound)
		}
		clock.Advance(step)
	}
	if c := cap(s.fifo); c > 4*bound+1024 {
		t.Errorf("FIFO capacity %d, want it bounded near %d", c, bound)
	}

	// Within the retention a redelivery is a duplicate ...
	last := grantChange(19999, "user_ret")
	mustApply(t, s, last, stripegate.OutcomeDuplicate)
	// ... after it, the ordering rule makes it harmless: stale if the
	// source changed since, a same-state reapply otherwise.
	clock.Advance(DefaultRetention + time.Minute)
	mustApply(t, s, grantChange(19999-97, "user_ret"), stripegate.OutcomeStale)
	mustApply(t, s, last, stripegate.OutcomeUnchanged)
	mustApply(t, s, last, stripegate.OutcomeDuplicate)
}

// outcomeFor is the outcome of grantChange(n): the first grant on each of
// the 97 sources is granted, the rest unchanged.
func outcomeFor(n int) stripegate.Outcome {
	if n < 97 {
		return stripegate.OutcomeGranted
	}
	return stripegate.OutcomeUnchanged
}

// A burst of IDs applied at one instant is forgotten at once, and the FIFO
// gives its memory back.
func TestRetentionAfterBurst(t *testing.T) {
	clock := &fakeClock{now: base}
	s := NewWithConfig(Config{Now: clock.Now})
	for n := range 5000 {
		mustApply(t, s, grantChange(n, "user_burst"), outcomeFor(n))
	}
	clock.Advance(DefaultRetention + time.Second)
	mustApply(t, s, grantChange(5000, "user_burst"), stripegate.OutcomeUnchanged)
	if got := s.processedLen(); got != 1 {
		t.Errorf("after the retention: %d processed IDs, want 1", got)
	}
	if c := cap(s.fifo); c > 1024 {
		t.Errorf("after the burst was forgotten: FIFO capacity %d, want it given back", c)
	}
}

// Retention below Stripe's retry window is raised to it, and the zero
// Config means seven days.
func TestRetentionConfig(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retention time.Duration
		want      time.Duration
	}{
		{"Zero", 0, DefaultRetention},
		{"Negative", -time.Hour, DefaultRetention},
		{"TooShort", time.Hour, MinRetention},
		{"Longer", 30 * 24 * time.Hour, 30 * 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{now: base}
			s := NewWithConfig(Config{Retention: tc.retention, Now: clock.Now})
			c := grantChange(1, "user_cfg")
			mustApply(t, s, c, stripegate.OutcomeGranted)
			clock.Advance(tc.want - time.Second)
			mustApply(t, s, c, stripegate.OutcomeDuplicate)
			clock.Advance(2 * time.Second)
			mustApply(t, s, grantChange(2, "user_cfg"), stripegate.OutcomeGranted) // prunes
			if s.processedLen() != 1 {
				t.Errorf("retention %v: event still remembered after %v", tc.retention, tc.want+time.Second)
			}
		})
	}
}

// The payment log keeps the newest MaxLogEntries entries per user and per
// unlinked customer, including across a link that merges the two.
func TestLogCap(t *testing.T) {
	ctx := context.Background()
	s := NewWithConfig(Config{MaxLogEntries: 5})
	change := func(n int, src, userID, customerID string) stripegate.Change {
		return stripegate.Change{
			EventID: fmt.Sprintf("evt_1Cap%03d", n), EventType: "invoice.paid",
			Created: base.Add(time.Duration(n) * time.Minute), SourceID: src,
			UserID: userID, CustomerID: customerID, Access: stripegate.AccessGrant,
		}
	}
	for n := range 20 {
		if _, err := s.Apply(ctx, change(n, "sub_1CapA", "user_cap", "")); err != nil {
			t.Fatal(err)
		}
	}
	checkIDs(t, s, "user_cap", []string{"evt_1Cap019", "evt_1Cap018", "evt_1Cap017", "evt_1Cap016", "evt_1Cap015"})

	// An old event arriving late on another source is older than every
	// kept entry: it is dropped at once.
	late := change(1, "pi_3CapB", "user_cap", "")
	late.EventID = "evt_1CapLate"
	if _, err := s.Apply(ctx, late); err != nil {
		t.Fatal(err)
	}
	checkIDs(t, s, "user_cap", []string{"evt_1Cap019", "evt_1Cap018", "evt_1Cap017", "evt_1Cap016", "evt_1Cap015"})

	// An unlinked customer's entries are capped too, then merged with the
	// user's on link, keeping the newest five of both.
	for n := 100; n < 110; n += 2 {
		if _, err := s.Apply(ctx, change(n, "sub_1CapC", "", "cus_Cap")); err != nil {
			t.Fatal(err)
		}
	}
	for n := 101; n < 111; n += 2 {
		if _, err := s.Apply(ctx, change(n, "sub_1CapD", "", "cus_Cap")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.LinkCustomer(ctx, "cus_Cap", "user_cap"); err != nil {
		t.Fatal(err)
	}
	checkIDs(t, s, "user_cap", []string{"evt_1Cap109", "evt_1Cap108", "evt_1Cap107", "evt_1Cap106", "evt_1Cap105"})
}

func checkIDs(t *testing.T, s *Store, userID string, want []string) {
	t.Helper()
	log, err := s.PaymentLog(context.Background(), userID, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(log))
	for i, e := range log {
		got[i] = e.EventID
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PaymentLog(%q) = %v, want %v", userID, got, want)
	}
}

// Invalid changes are programming errors: a descriptive error that wraps
// nothing, and no change.
func TestInvalidInput(t *testing.T) {
	ctx := context.Background()
	s := New()
	valid := grantChange(1, "user_inv")
	for _, tc := range []struct {
		name   string
		mutate func(*stripegate.Change)
	}{
		{"EmptyEventID", func(c *stripegate.Change) { c.EventID = "" }},
		{"EmptySourceID", func(c *stripegate.Change) { c.SourceID = "" }},
		{"UnknownAccess", func(c *stripegate.Change) { c.Access = stripegate.Access(42) }},
		{"NegativeAccess", func(c *stripegate.Change) { c.Access = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			tc.mutate(&c)
			_, err := s.Apply(ctx, c)
			if err == nil {
				t.Fatal("Apply: nil error, want one")
			}
			if errors.Unwrap(err) != nil {
				t.Errorf("Apply: error %q wraps %v, want it to wrap nothing", err, errors.Unwrap(err))
			}
			t.Logf("error: %v", err)
		})
	}
	if e, _ := s.Entitlement(ctx, "user_inv"); e.Active {
		t.Error("an invalid change granted access")
	}
	mustApply(t, s, valid, stripegate.OutcomeGranted)

	for _, ids := range [][2]string{{"", "user_inv"}, {"cus_Inv", ""}, {"", ""}} {
		err := s.LinkCustomer(ctx, ids[0], ids[1])
		if err == nil || errors.Unwrap(err) != nil {
			t.Errorf("LinkCustomer(%q, %q): error %v, want one that wraps nothing", ids[0], ids[1], err)
		}
	}

	// Empty user and customer IDs in a change are valid.
	orphan := grantChange(2, "")
	mustApply(t, s, orphan, stripegate.OutcomeGranted)
	if e, err := s.Entitlement(ctx, ""); err != nil || e.Active {
		t.Errorf(`Entitlement("") = %+v, %v; want inactive, nil`, e, err)
	}
	if log, err := s.PaymentLog(ctx, "", 0); err != nil || len(log) != 0 {
		t.Errorf(`PaymentLog("") = %v, %v; want empty, nil`, log, err)
	}
}

// Entries of a source with neither a user nor a customer follow the source
// to the user an event later names.
func TestOrphanSourceLog(t *testing.T) {
	ctx := context.Background()
	s := New()
	c1 := stripegate.Change{EventID: "evt_1Orph1", EventType: "payment_intent.succeeded", Created: base, SourceID: "pi_3Orph", Access: stripegate.AccessGrant}
	mustApply(t, s, c1, stripegate.OutcomeGranted)
	c2 := stripegate.Change{EventID: "evt_1Orph2", EventType: "charge.refunded", Created: base.Add(time.Minute), SourceID: "pi_3Orph", UserID: "user_orph", Access: stripegate.AccessRevoke}
	mustApply(t, s, c2, stripegate.OutcomeRevoked)
	checkIDs(t, s, "user_orph", []string{"evt_1Orph2", "evt_1Orph1"})
	if log, _ := s.PaymentLog(ctx, "user_orph", 0); len(log) == 2 && log[1].UserID != "user_orph" {
		t.Errorf("moved entry has UserID %q, want %q", log[1].UserID, "user_orph")
	}
}

// A grace change without a deadline revokes at once rather than granting
// forever.
func TestGraceWithoutDeadline(t *testing.T) {
	s := New()
	c := grantChange(1, "user_gr")
	mustApply(t, s, c, stripegate.OutcomeGranted)
	c2 := grantChange(2, "user_gr")
	c2.SourceID, c2.Access = c.SourceID, stripegate.AccessRevokeAfterGrace
	mustApply(t, s, c2, stripegate.OutcomeRevoked)
}

// A panic inside a store method (here from a Config.Now that panics once)
// does not wedge the store: every lock is released by defer.
func TestNoWedgeAfterPanic(t *testing.T) {
	calls := 0
	s := NewWithConfig(Config{Now: func() time.Time {
		calls++
		if calls == 1 {
			panic("clock failure")
		}
		return base
	}})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panicking clock did not panic")
			}
		}()
		_, _ = s.Apply(context.Background(), grantChange(1, "user_p"))
	}()
	// The panic came before any change: the event applies normally.
	mustApply(t, s, grantChange(1, "user_p"), stripegate.OutcomeGranted)
	if e, err := s.Entitlement(context.Background(), "user_p"); err != nil || !e.Active {
		t.Errorf("Entitlement after the panic = %+v, %v; want active", e, err)
	}
}

// FuzzApply feeds arbitrary sequences of changes and links and checks that
// the store never panics and keeps its invariants.
func FuzzApply(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte{0x21, 0x43, 0x65, 0x87, 0xa9, 0xcb, 0xed, 0x0f, 0xff, 0x00, 0x80, 0x7f})
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		clock := &fakeClock{now: base}
		s := NewWithConfig(Config{MaxLogEntries: 3, Now: clock.Now})
		users := []string{"", "user_a", "user_b"}
		customers := []string{"", "cus_A", "cus_B"}
		sources := []string{"", "sub_1", "pi_1", "cs_1"}
		for i := 0; i+3 < len(data); i += 4 {
			b0, b1, b2, b3 := data[i], data[i+1], data[i+2], data[i+3]
			if b0%8 == 7 {
				_ = s.LinkCustomer(ctx, customers[int(b1)%3], users[int(b2)%3])
				continue
			}
			c := stripegate.Change{
				EventID:    "evt_" + strconv.Itoa(int(b1%16)),
				EventType:  "invoice.paid",
				Created:    base.Add(time.Duration(b2%8) * time.Second),
				SourceID:   sources[int(b0)%4],
				UserID:     users[int(b3)%3],
				CustomerID: customers[int(b3/3)%3],
				Access:     stripegate.Access(int(b0/4) % 4),
				GraceUntil: base.Add(time.Duration(b2) * time.Hour),
			}
			if b3&0x80 != 0 {
				clock.Advance(24 * time.Hour)
			}
			_, _ = s.Apply(ctx, c)
		}
		for _, u := range users[1:] {
			e, err := s.Entitlement(ctx, u)
			if err != nil || e.UserID != u {
				t.Fatalf("Entitlement(%q) = %+v, %v", u, e, err)
			}
			if !e.Active && !e.GraceUntil.IsZero() {
				t.Fatalf("Entitlement(%q) inactive with GraceUntil %v", u, e.GraceUntil)
			}
			log, err := s.PaymentLog(ctx, u, 0)
			if err != nil || len(log) > 3 {
				t.Fatalf("PaymentLog(%q) = %d entries, %v", u, len(log), err)
			}
			for j := 1; j < len(log); j++ {
				if log[j].Created.After(log[j-1].Created) {
					t.Fatalf("PaymentLog(%q) not newest first: %v", u, log)
				}
			}
		}
	})
}

// newBenchStore returns a store holding users entitled through one
// subscription each, and their IDs.
func newBenchStore(b *testing.B, users int) (*Store, []string) {
	s := New()
	ids := make([]string, users)
	for i := range ids {
		ids[i] = "user_" + strconv.Itoa(i)
		c := stripegate.Change{
			EventID: "evt_1Bench" + strconv.Itoa(i), EventType: "customer.subscription.created",
			Created: base, SourceID: "sub_1Bench" + strconv.Itoa(i),
			UserID: ids[i], CustomerID: "cus_Bench" + strconv.Itoa(i),
			Access: stripegate.AccessGrant, PeriodEnd: base.AddDate(0, 1, 0),
		}
		if _, err := s.Apply(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
	return s, ids
}

func BenchmarkEntitlement(b *testing.B) {
	s, ids := newBenchStore(b, 10000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		e, err := s.Entitlement(ctx, ids[i%len(ids)])
		if err != nil || !e.Active {
			b.Fatal(e, err)
		}
	}
}

func BenchmarkEntitlementParallel(b *testing.B) {
	s, ids := newBenchStore(b, 10000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Entitlement(ctx, ids[i%len(ids)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

func BenchmarkApply(b *testing.B) {
	s, ids := newBenchStore(b, 1000)
	ctx := context.Background()
	changes := make([]stripegate.Change, b.N)
	for i := range changes {
		n := i % len(ids)
		changes[i] = stripegate.Change{
			EventID: "evt_1BenchApply" + strconv.Itoa(i), EventType: "invoice.paid",
			Created: base.Add(time.Duration(i+1) * time.Second), SourceID: "sub_1Bench" + strconv.Itoa(n),
			UserID: ids[n], CustomerID: "cus_Bench" + strconv.Itoa(n),
			Access: stripegate.Access(i % 2), PeriodEnd: base.AddDate(0, 1, 0),
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Apply(ctx, changes[i]); err != nil {
			b.Fatal(err)
		}
	}
}
