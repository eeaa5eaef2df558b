package pgstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stripegate/stripegate"
)

// Empty IDs are programming errors: an error that wraps nothing.
func TestLinkCustomerInvalid(t *testing.T) {
	s, err := New(unconnectedPool(t), Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, customerID, userID string
	}{
		{"EmptyCustomer", "", "user_1"},
		{"EmptyUser", "cus_1", ""},
		{"BothEmpty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.LinkCustomer(context.Background(), tc.customerID, tc.userID)
			if err == nil {
				t.Fatal("LinkCustomer: nil error, want one")
			}
			if errors.Unwrap(err) != nil {
				t.Errorf("LinkCustomer: error %q wraps %v, want it to wrap nothing", err, errors.Unwrap(err))
			}
		})
	}
}

// The error for a customer linked to another user names both users.
func TestLinkCustomerConflictMessage(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t, testPool(t), Config{})
	if err := s.LinkCustomer(ctx, "cus_Msg", "user_first"); err != nil {
		t.Fatal(err)
	}

	err := s.LinkCustomer(ctx, "cus_Msg", "user_second")
	if !errors.Is(err, stripegate.ErrCustomerLinked) {
		t.Fatalf("LinkCustomer to a second user: error %v, want one matching ErrCustomerLinked", err)
	}
	for _, text := range []string{"pgstore:", "cus_Msg", "user_second", "user_first"} {
		if !strings.Contains(err.Error(), text) {
			t.Errorf("error %q does not contain %q", err, text)
		}
	}
}

// Entries and sources of a source without owner follow it to the customer
// a later event names, and then to the user linked to that customer.
func TestOwnerlessSourceFollowsCustomer(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t, testPool(t), Config{})
	dispute := stripegate.Change{
		EventID: "evt_1Own1", EventType: "charge.dispute.created", Created: base,
		SourceID: "pi_3Own", Access: stripegate.AccessRevoke,
	}
	mustApply(t, s, dispute, stripegate.OutcomeUnchanged)
	paid := stripegate.Change{
		EventID: "evt_1Own2", EventType: "payment_intent.succeeded", Created: base.Add(-5 * time.Minute),
		SourceID: "pi_3Own", CustomerID: "cus_Own", Access: stripegate.AccessGrant,
	}
	mustApply(t, s, paid, stripegate.OutcomeStale)
	granted := stripegate.Change{
		EventID: "evt_1Own3", EventType: "payment_intent.succeeded", Created: base.Add(5 * time.Minute),
		SourceID: "pi_3Own", CustomerID: "cus_Own", Access: stripegate.AccessGrant,
	}
	if res := mustApply(t, s, granted, stripegate.OutcomeGranted); res.UserID != "" {
		t.Errorf("Apply(%s).UserID = %q before the customer is linked, want empty", granted.EventID, res.UserID)
	}

	if err := s.LinkCustomer(ctx, "cus_Own", "user_own"); err != nil {
		t.Fatal(err)
	}
	e, err := s.Entitlement(ctx, "user_own")
	if err != nil {
		t.Fatal(err)
	}
	if !e.Active || e.SourceID != "pi_3Own" || e.CustomerID != "cus_Own" {
		t.Errorf("Entitlement(user_own) = %+v, want active through pi_3Own of cus_Own", e)
	}
	log, err := s.PaymentLog(ctx, "user_own", 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, entry := range log {
		ids = append(ids, entry.EventID+"/"+entry.UserID)
	}
	want := "evt_1Own3/user_own evt_1Own1/user_own evt_1Own2/user_own"
	if strings.Join(ids, " ") != want {
		t.Errorf("PaymentLog(user_own) = %v, want %s", ids, want)
	}
}
