package pgstore

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripegate/stripegate"
)

func TestSourceStateNext(t *testing.T) {
	created := base.Add(time.Hour)
	deadline := created.Add(72 * time.Hour)
	earlier := base.Add(24 * time.Hour)
	periodEnd := base.AddDate(0, 1, 0)

	newSource := sourceState{}
	granting := sourceState{applied: true, granting: true, changed: base, periodEnd: periodEnd}
	inGrace := sourceState{applied: true, granting: true, graceUntil: earlier, changed: base}
	revoked := sourceState{applied: true, changed: base, periodEnd: periodEnd}

	tests := []struct {
		name        string
		from        sourceState
		access      stripegate.Access
		graceUntil  time.Time
		periodEnd   time.Time
		want        sourceState
		wantOutcome stripegate.Outcome
	}{
		{"GrantNew", newSource, stripegate.AccessGrant, time.Time{}, time.Time{},
			sourceState{applied: true, granting: true, changed: created}, stripegate.OutcomeGranted},
		{"RevokeNew", newSource, stripegate.AccessRevoke, time.Time{}, time.Time{},
			sourceState{applied: true, changed: created}, stripegate.OutcomeUnchanged},
		{"GraceNew", newSource, stripegate.AccessRevokeAfterGrace, deadline, time.Time{},
			sourceState{applied: true, changed: created}, stripegate.OutcomeUnchanged},
		{"GrantGranting", granting, stripegate.AccessGrant, time.Time{}, time.Time{},
			sourceState{applied: true, granting: true, changed: created, periodEnd: periodEnd}, stripegate.OutcomeUnchanged},
		{"RevokeGranting", granting, stripegate.AccessRevoke, time.Time{}, time.Time{},
			sourceState{applied: true, changed: created, periodEnd: periodEnd}, stripegate.OutcomeRevoked},
		{"GraceGranting", granting, stripegate.AccessRevokeAfterGrace, deadline, time.Time{},
			sourceState{applied: true, granting: true, graceUntil: deadline, changed: created, periodEnd: periodEnd}, stripegate.OutcomeGraceStarted},
		{"GraceWithoutDeadline", granting, stripegate.AccessRevokeAfterGrace, time.Time{}, time.Time{},
			sourceState{applied: true, changed: created, periodEnd: periodEnd}, stripegate.OutcomeRevoked},
		{"GraceKeepsFirstDeadline", inGrace, stripegate.AccessRevokeAfterGrace, deadline, time.Time{},
			sourceState{applied: true, granting: true, graceUntil: earlier, changed: created}, stripegate.OutcomeUnchanged},
		{"GrantEndsGrace", inGrace, stripegate.AccessGrant, time.Time{}, time.Time{},
			sourceState{applied: true, granting: true, changed: created}, stripegate.OutcomeUnchanged},
		{"RevokeEndsGrace", inGrace, stripegate.AccessRevoke, time.Time{}, time.Time{},
			sourceState{applied: true, changed: created}, stripegate.OutcomeRevoked},
		{"GraceOnRevoked", revoked, stripegate.AccessRevokeAfterGrace, deadline, time.Time{},
			sourceState{applied: true, changed: created, periodEnd: periodEnd}, stripegate.OutcomeUnchanged},
		{"NewPeriodEnd", granting, stripegate.AccessGrant, time.Time{}, periodEnd.AddDate(0, 1, 0),
			sourceState{applied: true, granting: true, changed: created, periodEnd: periodEnd.AddDate(0, 1, 0)}, stripegate.OutcomeUnchanged},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := stripegate.Change{Created: created, Access: tc.access, GraceUntil: tc.graceUntil, PeriodEnd: tc.periodEnd}
			got, outcome := tc.from.next(c)
			if outcome != tc.wantOutcome {
				t.Errorf("outcome %q, want %q", outcome, tc.wantOutcome)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(sourceState{})); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSourceStateStaleFor(t *testing.T) {
	last := base.Add(10 * time.Minute)
	tests := []struct {
		name    string
		state   sourceState
		created time.Time
		want    bool
	}{
		{"NewSource", sourceState{}, base, false},
		{"Older", sourceState{applied: true, changed: last}, last.Add(-time.Second), true},
		{"SameSecond", sourceState{applied: true, changed: last}, last, false},
		{"SameSecondEarlierFraction", sourceState{applied: true, changed: last.Add(900 * time.Millisecond)}, last.Add(100 * time.Millisecond), false},
		{"Newer", sourceState{applied: true, changed: last}, last.Add(time.Second), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.state.staleFor(stripegate.Change{Created: tc.created}); got != tc.want {
				t.Errorf("staleFor(created %s) with last change %s = %v, want %v", tc.created, tc.state.changed, got, tc.want)
			}
		})
	}
}

// A final change ends the source regardless of its Access. The source stops
// granting, loses its grace period and stays final.
func TestSourceStateNextFinal(t *testing.T) {
	created := base.Add(time.Hour)
	periodEnd := base.AddDate(0, 1, 0)
	ended := sourceState{applied: true, final: true, changed: created, periodEnd: periodEnd}

	tests := []struct {
		name        string
		from        sourceState
		access      stripegate.Access
		periodEnd   time.Time
		want        sourceState
		wantOutcome stripegate.Outcome
	}{
		{"NewSource", sourceState{}, stripegate.AccessRevoke, time.Time{},
			sourceState{applied: true, final: true, changed: created}, stripegate.OutcomeUnchanged},
		{"Granting", sourceState{applied: true, granting: true, changed: base, periodEnd: periodEnd}, stripegate.AccessRevoke, time.Time{},
			ended, stripegate.OutcomeRevoked},
		{"InGrace", sourceState{applied: true, granting: true, graceUntil: created.Add(time.Hour), changed: base, periodEnd: periodEnd}, stripegate.AccessRevoke, time.Time{},
			ended, stripegate.OutcomeRevoked},
		{"Revoked", sourceState{applied: true, changed: base, periodEnd: periodEnd}, stripegate.AccessRevoke, time.Time{},
			ended, stripegate.OutcomeUnchanged},
		{"AlreadyFinal", sourceState{applied: true, final: true, changed: base, periodEnd: periodEnd}, stripegate.AccessRevoke, time.Time{},
			ended, stripegate.OutcomeUnchanged},
		{"GrantAccessIgnored", sourceState{applied: true, changed: base, periodEnd: periodEnd}, stripegate.AccessGrant, time.Time{},
			ended, stripegate.OutcomeUnchanged},
		{"NewPeriodEnd", sourceState{applied: true, granting: true, changed: base}, stripegate.AccessRevoke, periodEnd,
			ended, stripegate.OutcomeRevoked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := stripegate.Change{Created: created, Access: tc.access, Final: true, PeriodEnd: tc.periodEnd}
			got, outcome := tc.from.next(c)
			if outcome != tc.wantOutcome {
				t.Errorf("outcome %q, want %q", outcome, tc.wantOutcome)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(sourceState{})); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
	}
}
