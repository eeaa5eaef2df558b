package stripegate

import (
	"reflect"
	"sync"
)

// anyObject holds every field that the object structs in objects.go read,
// under the same JSON name and with the same Go type. One pass over the
// body decodes data.object into it before the event's type is known, since
// "type" comes after "data" in Stripe's bodies (see testdata/events).
//
// When that decode succeeds, decoding the object into the struct of its
// type alone would succeed too and give the same values, because that
// struct reads a subset of these fields with the same types. copyTo copies
// them. When it fails, for example because a field that only another type
// reads has an unexpected JSON type, decodeEvent decodes the body again and
// the object struct is decoded on its own, so no field outside it counts.
//
// A field missing here, or declared with another type or tag, makes its
// struct take that slower path too; TestAnyObjectCoversObjectStructs lists
// the structs and fails then.
type anyObject struct {
	ID       string    `json:"id"`
	Customer objectRef `json:"customer"`
	Metadata metadata  `json:"metadata"`
	Status   string    `json:"status"`

	// checkout.session
	Mode              string `json:"mode"`
	PaymentStatus     string `json:"payment_status"`
	ClientReferenceID string `json:"client_reference_id"`

	// References that several object types carry.
	Subscription  objectRef `json:"subscription"`
	PaymentIntent objectRef `json:"payment_intent"`
	Charge        objectRef `json:"charge"`
	Invoice       objectRef `json:"invoice"`

	// invoice
	SubscriptionDetails *struct {
		Metadata metadata `json:"metadata"`
	} `json:"subscription_details"`
	Parent *struct {
		SubscriptionDetails *struct {
			Subscription objectRef `json:"subscription"`
			Metadata     metadata  `json:"metadata"`
		} `json:"subscription_details"`
	} `json:"parent"`
	BillingReason string `json:"billing_reason"`

	// invoice_payment
	Payment struct {
		PaymentIntent objectRef `json:"payment_intent"`
		Charge        objectRef `json:"charge"`
	} `json:"payment"`

	// subscription
	CurrentPeriodEnd int64 `json:"current_period_end"`
	Items            struct {
		Data []struct {
			CurrentPeriodEnd int64 `json:"current_period_end"`
		} `json:"data"`
	} `json:"items"`

	// charge
	Amount         int64 `json:"amount"`
	AmountRefunded int64 `json:"amount_refunded"`
	Refunded       bool  `json:"refunded"`
}

// copyTo sets *dst, a zero object struct, from the fields it reads, and
// reports whether it could: false when dst is not a pointer to a struct
// whose every field has its match in anyObject.
func (o *anyObject) copyTo(dst any) bool {
	target := reflect.ValueOf(dst)
	if target.Kind() != reflect.Pointer || target.IsNil() {
		return false
	}
	plan := copyPlanFor(target.Type().Elem())
	if plan == nil {
		return false
	}

	source := reflect.ValueOf(o).Elem()
	target = target.Elem()
	for _, f := range plan {
		target.Field(f.target).Set(source.Field(f.source))
	}
	return true
}

// fieldCopy is one field that copyTo copies: its index in the object struct
// and in anyObject.
type fieldCopy struct {
	target, source int
}

// copyPlans caches the copy plan of each object struct: a []fieldCopy, or
// a nil one for a struct that anyObject does not cover.
var copyPlans sync.Map // reflect.Type -> []fieldCopy

func copyPlanFor(t reflect.Type) []fieldCopy {
	if plan, ok := copyPlans.Load(t); ok {
		return plan.([]fieldCopy)
	}
	plan := buildCopyPlan(t)
	copyPlans.Store(t, plan)
	return plan
}

// buildCopyPlan matches every field of the struct type t with the field of
// anyObject that has the same json tag and the same Go type. It returns nil
// when one has no match, or when t is not a struct.
func buildCopyPlan(t reflect.Type) []fieldCopy {
	if t.Kind() != reflect.Struct {
		return nil
	}

	union := reflect.TypeFor[anyObject]()
	byTag := make(map[string]reflect.StructField, union.NumField())
	for i := range union.NumField() {
		f := union.Field(i)
		byTag[f.Tag.Get("json")] = f
	}

	plan := make([]fieldCopy, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		match, ok := byTag[f.Tag.Get("json")]
		if !f.IsExported() || !ok || match.Type != f.Type {
			return nil
		}
		plan = append(plan, fieldCopy{target: i, source: match.Index[0]})
	}
	return plan
}
