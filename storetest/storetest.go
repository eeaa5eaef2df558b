package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stripegate/stripegate"
)

// store is a shorter name for the interface under test.
type store = stripegate.EntitlementStore

// rule is one rule of the contract, checked on a fresh empty store.
type rule struct {
	name string
	fn   func(t *testing.T, s store)
}

// group is a named set of rules; it becomes one level of subtests.
type group struct {
	name  string
	rules []rule
}

// Run checks the store returned by open against every rule of the
// stripegate.EntitlementStore contract, each as its own subtest on a fresh
// store from open. See the package documentation for what open must return.
func Run(t *testing.T, open func(t *testing.T) stripegate.EntitlementStore) {
	t.Helper()
	if open == nil {
		t.Fatal("storetest.Run: open is nil")
	}
	for _, g := range groups() {
		t.Run(g.name, func(t *testing.T) {
			for _, r := range g.rules {
				t.Run(r.name, func(t *testing.T) {
					s := open(t)
					if s == nil {
						t.Fatal("open returned a nil store")
					}
					r.fn(t, s)
				})
			}
		})
	}
}

func groups() []group {
	return []group{
		{"Basics", basicRules},
		{"Outcome", outcomeRules},
		{"Link", linkRules},
		{"Idempotency", idempotencyRules},
		{"Ordering", orderingRules},
		{"Sources", sourceRules},
		{"Grace", graceRules},
		{"Final", finalRules},
		{"Aliases", aliasRules},
		{"Fields", fieldRules},
		{"PaymentLog", paymentLogRules},
		{"Context", contextRules},
		{"Concurrency", concurrencyRules},
	}
}

// t0 is the base time of every rule: whole seconds in UTC, like the created
// times of Stripe events.
var t0 = time.Date(2025, time.March, 3, 9, 30, 0, 0, time.UTC)

// at returns t0 plus the given number of minutes.
func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// Realistic IDs shared by the rules.
const (
	user1 = "user_8f3a2c"
	user2 = "user_41d9e0"
	cus1  = "cus_PzK3m9QbL2xY7a"
	cus2  = "cus_Qa81vNw0cRt5Ue"
	sub1  = "sub_1PkR7dL4nXq2Zb8e"
	sub2  = "sub_1PkS0aM2pYt6Wc3f"
	sub3  = "sub_1PkS8bN5qZu1Xd4g"
	pi1   = "pi_3PkT4fH8kLm1Rv9d"
	pi2   = "pi_3PkU9gJ2nQw5Xs0e"
	cs1   = "cs_live_a1B2c3D4e5F6g7H8"
)

// change builds a Change. userID and customerID may be empty; GraceUntil
// and PeriodEnd are set on the result where a rule needs them.
func change(eventID, eventType, sourceID string, created time.Time, access stripegate.Access, userID, customerID string) stripegate.Change {
	return stripegate.Change{
		EventID:    eventID,
		EventType:  eventType,
		Created:    created,
		SourceID:   sourceID,
		UserID:     userID,
		CustomerID: customerID,
		Access:     access,
	}
}

// withGrace returns c with its grace deadline set.
func withGrace(c stripegate.Change, until time.Time) stripegate.Change {
	c.GraceUntil = until
	return c
}

// withPeriodEnd returns c with its billing period end set.
func withPeriodEnd(c stripegate.Change, end time.Time) stripegate.Change {
	c.PeriodEnd = end
	return c
}

// describe names a change in failure messages.
func describe(c stripegate.Change) string {
	return fmt.Sprintf("Apply(%s %s on %s at %s, access %s, user %q, customer %q)",
		c.EventID, c.EventType, c.SourceID, c.Created.UTC().Format(time.DateTime), c.Access, c.UserID, c.CustomerID)
}

// apply applies c and stops the subtest if the store fails, since every
// later check depends on it.
func apply(t *testing.T, s store, c stripegate.Change) stripegate.Result {
	t.Helper()
	res, err := s.Apply(context.Background(), c)
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", describe(c), err)
	}
	return res
}

// expect applies c and reports an outcome other than want.
func expect(t *testing.T, s store, c stripegate.Change, want stripegate.Outcome) stripegate.Result {
	t.Helper()
	res := apply(t, s, c)
	if res.Outcome != want {
		t.Errorf("%s: outcome %q, want %q", describe(c), res.Outcome, want)
	}
	return res
}

// expectUser reports a Result.UserID other than want.
func expectUser(t *testing.T, c stripegate.Change, res stripegate.Result, want string) {
	t.Helper()
	if res.UserID != want {
		t.Errorf("%s: Result.UserID %q, want %q", describe(c), res.UserID, want)
	}
}

// link calls LinkCustomer and stops the subtest on an error.
func link(t *testing.T, s store, customerID, userID string) {
	t.Helper()
	if err := s.LinkCustomer(context.Background(), customerID, userID); err != nil {
		t.Fatalf("LinkCustomer(%q, %q): unexpected error: %v", customerID, userID, err)
	}
}

// entitlement reads a user's entitlement and stops the subtest on an error.
func entitlement(t *testing.T, s store, userID string) stripegate.Entitlement {
	t.Helper()
	e, err := s.Entitlement(context.Background(), userID)
	if err != nil {
		t.Fatalf("Entitlement(%q): unexpected error: %v", userID, err)
	}
	return e
}

// paymentLog reads a user's payment log and stops the subtest on an error.
func paymentLog(t *testing.T, s store, userID string, limit int) []stripegate.LogEntry {
	t.Helper()
	log, err := s.PaymentLog(context.Background(), userID, limit)
	if err != nil {
		t.Fatalf("PaymentLog(%q, %d): unexpected error: %v", userID, limit, err)
	}
	return log
}

// expectActive reports an entitlement whose Active is not want.
func expectActive(t *testing.T, s store, userID string, want bool, why string) stripegate.Entitlement {
	t.Helper()
	e := entitlement(t, s, userID)
	if e.Active != want {
		t.Errorf("Entitlement(%q).Active = %v, want %v: %s", userID, e.Active, want, why)
	}
	if e.UserID != userID {
		t.Errorf("Entitlement(%q).UserID = %q, want %q", userID, e.UserID, userID)
	}
	return e
}

// checkEntitlement compares every field of got with want and reports each
// difference. Times are compared with Equal.
func checkEntitlement(t *testing.T, got, want stripegate.Entitlement) {
	t.Helper()
	var diffs []string
	if got.UserID != want.UserID {
		diffs = append(diffs, fmt.Sprintf("UserID %q, want %q", got.UserID, want.UserID))
	}
	if got.Active != want.Active {
		diffs = append(diffs, fmt.Sprintf("Active %v, want %v", got.Active, want.Active))
	}
	if !got.GraceUntil.Equal(want.GraceUntil) {
		diffs = append(diffs, fmt.Sprintf("GraceUntil %s, want %s", fmtTime(got.GraceUntil), fmtTime(want.GraceUntil)))
	}
	if got.SourceID != want.SourceID {
		diffs = append(diffs, fmt.Sprintf("SourceID %q, want %q", got.SourceID, want.SourceID))
	}
	if got.CustomerID != want.CustomerID {
		diffs = append(diffs, fmt.Sprintf("CustomerID %q, want %q", got.CustomerID, want.CustomerID))
	}
	if !got.PeriodEnd.Equal(want.PeriodEnd) {
		diffs = append(diffs, fmt.Sprintf("PeriodEnd %s, want %s", fmtTime(got.PeriodEnd), fmtTime(want.PeriodEnd)))
	}
	if !got.UpdatedAt.Equal(want.UpdatedAt) {
		diffs = append(diffs, fmt.Sprintf("UpdatedAt %s, want %s", fmtTime(got.UpdatedAt), fmtTime(want.UpdatedAt)))
	}
	if len(diffs) > 0 {
		t.Errorf("Entitlement(%q) differs:\n\t%s", want.UserID, strings.Join(diffs, "\n\t"))
	}
}

// checkLog compares a payment log with the wanted entries, in order, and
// reports each difference.
func checkLog(t *testing.T, userID string, got, want []stripegate.LogEntry) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("PaymentLog(%q) has %d entries, want %d:\n\tgot  %s\n\twant %s",
			userID, len(got), len(want), eventIDs(got), eventIDs(want))
		return
	}
	for i := range got {
		if d := entryDiff(got[i], want[i]); d != "" {
			t.Errorf("PaymentLog(%q)[%d] differs: %s", userID, i, d)
		}
	}
}

// entryDiff describes how got differs from want, or returns "".
func entryDiff(got, want stripegate.LogEntry) string {
	var diffs []string
	if got.EventID != want.EventID {
		diffs = append(diffs, fmt.Sprintf("EventID %q, want %q", got.EventID, want.EventID))
	}
	if got.EventType != want.EventType {
		diffs = append(diffs, fmt.Sprintf("EventType %q, want %q", got.EventType, want.EventType))
	}
	if got.Outcome != want.Outcome {
		diffs = append(diffs, fmt.Sprintf("Outcome %q, want %q", got.Outcome, want.Outcome))
	}
	if got.SourceID != want.SourceID {
		diffs = append(diffs, fmt.Sprintf("SourceID %q, want %q", got.SourceID, want.SourceID))
	}
	if got.CustomerID != want.CustomerID {
		diffs = append(diffs, fmt.Sprintf("CustomerID %q, want %q", got.CustomerID, want.CustomerID))
	}
	if got.UserID != want.UserID {
		diffs = append(diffs, fmt.Sprintf("UserID %q, want %q", got.UserID, want.UserID))
	}
	if !got.Created.Equal(want.Created) {
		diffs = append(diffs, fmt.Sprintf("Created %s, want %s", fmtTime(got.Created), fmtTime(want.Created)))
	}
	return strings.Join(diffs, "; ")
}

// entry is the log entry a change is expected to produce.
func entry(c stripegate.Change, outcome stripegate.Outcome, userID string) stripegate.LogEntry {
	return stripegate.LogEntry{
		EventID:    c.EventID,
		EventType:  c.EventType,
		Outcome:    outcome,
		SourceID:   c.SourceID,
		CustomerID: c.CustomerID,
		UserID:     userID,
		Created:    c.Created,
	}
}

func eventIDs(log []stripegate.LogEntry) string {
	ids := make([]string, len(log))
	for i, e := range log {
		ids[i] = e.EventID
	}
	return "[" + strings.Join(ids, " ") + "]"
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "zero"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// expectCanceled reports an error that is nil or does not match
// context.Canceled.
func expectCanceled(t *testing.T, call string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s with a cancelled context: nil error, want one matching context.Canceled", call)
	} else if !errors.Is(err, context.Canceled) {
		t.Errorf("%s with a cancelled context: error %q does not match context.Canceled", call, err)
	}
}

// cancelled returns a context that is already cancelled.
func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
