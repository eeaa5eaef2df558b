package pgstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripegate/stripegate"
)

// Entries of events created in the same second come newest applied first,
// and a limit keeps the newest.
func TestPaymentLogSameSecondOrder(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t, testPool(t), Config{})
	var applied []string
	for i := range 5 {
		c := stripegate.Change{
			EventID: fmt.Sprintf("evt_1Same%d", i), EventType: "invoice.paid", Created: base,
			SourceID: fmt.Sprintf("sub_1Same%d", i), UserID: "user_same", Access: stripegate.AccessGrant,
		}
		mustApply(t, s, c, stripegate.OutcomeGranted)
		applied = append(applied, c.EventID)
	}
	late := stripegate.Change{
		EventID: "evt_1SameOld", EventType: "invoice.paid", Created: base.Add(-1),
		SourceID: "sub_1SameOld", UserID: "user_same", Access: stripegate.AccessGrant,
	}
	mustApply(t, s, late, stripegate.OutcomeGranted)

	tests := []struct {
		name  string
		limit int
		want  []string
	}{
		{"All", 0, []string{"evt_1Same4", "evt_1Same3", "evt_1Same2", "evt_1Same1", "evt_1Same0", "evt_1SameOld"}},
		{"Negative", -5, []string{"evt_1Same4", "evt_1Same3", "evt_1Same2", "evt_1Same1", "evt_1Same0", "evt_1SameOld"}},
		{"Two", 2, []string{"evt_1Same4", "evt_1Same3"}},
		{"MoreThanStored", 100, []string{"evt_1Same4", "evt_1Same3", "evt_1Same2", "evt_1Same1", "evt_1Same0", "evt_1SameOld"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log, err := s.PaymentLog(ctx, "user_same", tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(log))
			for i, e := range log {
				got[i] = e.EventID
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("PaymentLog(user_same, %d) event IDs (-want +got):\n%s", tc.limit, diff)
			}
		})
	}
}

// An unknown user gets an empty, non-nil slice.
func TestPaymentLogUnknownUser(t *testing.T) {
	s := newTestStore(t, testPool(t), Config{})
	log, err := s.PaymentLog(context.Background(), "user_nobody", 10)
	if err != nil {
		t.Fatal(err)
	}
	if log == nil || len(log) != 0 {
		t.Errorf("PaymentLog(user_nobody) = %#v, want an empty non-nil slice", log)
	}
}
