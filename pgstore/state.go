package pgstore

import (
	"time"

	"github.com/stripegate/stripegate"
)

// sourceState is the access state of one source, as stored in the sources
// table.
type sourceState struct {
	applied    bool      // an event has set the state; false for a new source
	granting   bool      // the source grants access
	graceUntil time.Time // the grace deadline while in a grace period, else zero
	periodEnd  time.Time // the billing period end, zero when unknown
	final      bool      // ended for good by a final change; never grants again
	changed    time.Time // the created time of the last applied event
}

// staleFor reports whether c is older than the event that last set the
// state. Stripe's created times are whole seconds, so the comparison is by
// second: an event created in the same second is applied.
func (st sourceState) staleFor(c stripegate.Change) bool {
	return st.applied && c.Created.Unix() < st.changed.Unix()
}

// next returns the state after c and the outcome of the change, following
// the rules of stripegate.Access and stripegate.Change.Final. The caller
// handles the changes that leave the state as it is: stale ones, and
// non-final ones on a final source. A final change ends the source
// regardless of its Access.
func (st sourceState) next(c stripegate.Change) (sourceState, stripegate.Outcome) {
	before := st.granting
	graceStarted := false

	switch {
	case c.Final:
		st = st.ended()
	case c.Access == stripegate.AccessGrant:
		st.granting, st.graceUntil = true, time.Time{}
	case c.Access == stripegate.AccessRevoke:
		st.granting, st.graceUntil = false, time.Time{}
	case c.Access == stripegate.AccessRevokeAfterGrace:
		switch {
		case !st.granting:
			// A source that does not grant access stays revoked.
		case !st.graceUntil.IsZero():
			// Already in grace: the first deadline stays.
		case c.GraceUntil.IsZero():
			// NOTE: a grace change without a deadline would grant access forever, so it revokes at once (fail closed), as memstore does.
			st.granting = false
		default:
			st.graceUntil = c.GraceUntil
			graceStarted = true
		}
	}

	// A zero PeriodEnd means the event carries none: the stored one stays.
	if !c.PeriodEnd.IsZero() {
		st.periodEnd = c.PeriodEnd
	}
	st.applied = true
	st.changed = c.Created

	return st, outcome(before, st.granting, graceStarted)
}

// ended returns the state of the source ended for good: final, not
// granting and without a grace period.
func (st sourceState) ended() sourceState {
	st.final, st.granting, st.graceUntil = true, false, time.Time{}
	return st
}

func outcome(before, after, graceStarted bool) stripegate.Outcome {
	switch {
	case graceStarted:
		return stripegate.OutcomeGraceStarted
	case !before && after:
		return stripegate.OutcomeGranted
	case before && !after:
		return stripegate.OutcomeRevoked
	default:
		return stripegate.OutcomeUnchanged
	}
}
