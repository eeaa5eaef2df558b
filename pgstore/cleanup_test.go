package pgstore

import (
	"context"
	"testing"
	"time"

	"github.com/stripegate/stripegate"
)

// Cleanup deletes the event IDs applied before the retention window and
// keeps the others. A redelivery of a deleted ID is applied again, and the
// ordering rule makes it harmless.
func TestCleanup(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t, testPool(t), Config{Retention: MinRetention})

	grant := stripegate.Change{
		EventID: "evt_1Old1", EventType: "invoice.paid", Created: base,
		SourceID: "sub_1Old", UserID: "user_old", Access: stripegate.AccessGrant,
	}
	renew := stripegate.Change{
		EventID: "evt_1Old2", EventType: "invoice.paid", Created: base.Add(time.Hour),
		SourceID: "sub_1Old", UserID: "user_old", Access: stripegate.AccessGrant,
	}
	recent := stripegate.Change{
		EventID: "evt_1New", EventType: "invoice.paid", Created: base.Add(2 * time.Hour),
		SourceID: "sub_1New", UserID: "user_old", Access: stripegate.AccessGrant,
	}
	mustApply(t, s, grant, stripegate.OutcomeGranted)
	mustApply(t, s, renew, stripegate.OutcomeUnchanged)
	mustApply(t, s, recent, stripegate.OutcomeGranted)

	// Age the first two IDs: one just past the window, one well past it.
	age := map[string]time.Duration{grant.EventID: 30 * 24 * time.Hour, renew.EventID: MinRetention + time.Minute}
	for id, d := range age {
		_, err := s.pool.Exec(ctx, "UPDATE "+s.quotedSchema+".processed_events SET applied_at = now() - make_interval(secs => $2) WHERE event_id = $1", id, d.Seconds())
		if err != nil {
			t.Fatal(err)
		}
	}

	deleted, err := s.Cleanup(ctx)
	if err != nil {
		t.Fatalf("Cleanup: %v", err)
	}
	if deleted != 2 {
		t.Errorf("Cleanup deleted %d event IDs, want 2", deleted)
	}
	if deleted, err := s.Cleanup(ctx); err != nil || deleted != 0 {
		t.Errorf("second Cleanup = %d, %v; want 0, nil", deleted, err)
	}

	mustApply(t, s, recent, stripegate.OutcomeDuplicate)
	mustApply(t, s, grant, stripegate.OutcomeStale)
	mustApply(t, s, renew, stripegate.OutcomeUnchanged)
	mustApply(t, s, renew, stripegate.OutcomeDuplicate)
}

func TestCleanupCancelled(t *testing.T) {
	s := newTestStore(t, testPool(t), Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Cleanup(ctx)
	expectCanceled(t, err)
}
