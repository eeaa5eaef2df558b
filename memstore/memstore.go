// Package memstore provides an in-memory, concurrency-safe
// stripegate.EntitlementStore for tests, demos and apps that run as a single
// instance. Its state lives only as long as the process: after a restart,
// every user is unentitled until Stripe sends new events, so production apps
// with more than one instance, or that cannot replay events, want a
// persistent store.
//
// Entitlement is the hot path (the Gate calls it on every request): it takes
// a read lock and does one map lookup of an entitlement precomputed on each
// change, without allocating. Apply and LinkCustomer hold the write lock
// for the whole call, which makes them atomic; PaymentLog copies the
// entries it returns under the read lock.
//
// # Bounded memory
//
// The store remembers processed event IDs for Config.Retention and keeps at
// most Config.MaxLogEntries payment log entries per user (and per customer
// not yet linked to a user). Sources, users and customer links are kept for
// as long as the Store lives, since they are the entitlement state itself.
//
// # Invalid changes
//
// A Change with an empty EventID or SourceID, or an Access other than the
// defined ones, is a programming error in its caller: Apply returns a
// descriptive error that wraps nothing and stores nothing. So does
// LinkCustomer with an empty customer or user ID. Empty UserID and CustomerID
// in a Change are valid. No method panics on any input.
package memstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/stripegate/stripegate"
)

// Defaults and limits of Config.
const (
	// DefaultRetention is how long processed event IDs are remembered
	// when Config.Retention is zero.
	DefaultRetention = 7 * 24 * time.Hour

	// MinRetention is the shortest retention the store accepts: Stripe
	// retries a failed delivery for up to three days.
	MinRetention = 3 * 24 * time.Hour

	// DefaultMaxLogEntries is how many payment log entries are kept per
	// user or unlinked customer when Config.MaxLogEntries is zero.
	DefaultMaxLogEntries = 1000
)

// Config configures a Store. The zero value of each field means its default.
type Config struct {
	// Retention is how long an applied event ID is remembered, so that a
	// redelivery of it is reported as OutcomeDuplicate. Default 7 days
	// (DefaultRetention). Values below MinRetention (3 days, Stripe's
	// retry window for undelivered events) are raised to it.
	//
	// Forgetting an ID afterwards is safe because of the ordering rule: a
	// redelivery arriving later than that (a manual resend from the
	// Dashboard) is older than any event that changed its source since, so
	// it is OutcomeStale and changes nothing; if nothing changed the source
	// since, it was the last event applied and reapplying it sets the same
	// state again (OutcomeUnchanged). Either way it adds one payment log
	// entry and grants or revokes nothing it had not already. The one
	// exception is an event created in the same second as a later one on
	// its source, which the contract applies like any same-second event.
	Retention time.Duration

	// MaxLogEntries is how many payment log entries are kept per user, and
	// per customer not yet linked to a user; the oldest (by event created
	// time) are dropped first. Default 1000 (DefaultMaxLogEntries); values
	// below 1 mean the default.
	MaxLogEntries int

	// Now is the clock used to age processed event IDs. Default time.Now.
	// It is never used to decide access: grace periods end through
	// Entitlement.Allows with the caller's clock.
	Now func() time.Time
}

// Store is an in-memory EntitlementStore. Create one with New or
// NewWithConfig; the zero Store is also ready to use, with the defaults.
// A Store is safe for concurrent use by many goroutines.
type Store struct {
	retention time.Duration
	maxLog    int
	now       func() time.Time

	mu  sync.RWMutex
	seq uint64 // counts applied changes; orders log entries and sources

	// processed maps each remembered event ID to the seq that applied it;
	// fifo lists them in the order they were applied, from fifo[head].
	processed map[string]uint64
	fifo      []processedEvent
	head      int

	sources   map[string]*source
	users     map[string]*user
	customers map[string]*customer
	aliases   map[string]string // alias ID -> the ID it stands for
}

var _ stripegate.EntitlementStore = (*Store)(nil)

// New returns an empty Store with the default Config.
func New() *Store { return NewWithConfig(Config{}) }

// NewWithConfig returns an empty Store configured by c.
func NewWithConfig(c Config) *Store {
	s := &Store{retention: c.Retention, maxLog: c.MaxLogEntries, now: c.Now}
	s.init()
	return s
}

// init fills in defaults and maps; it runs under the write lock (or before
// the Store is shared), so the zero Store works too.
func (s *Store) init() {
	if s.processed != nil {
		return
	}
	switch {
	case s.retention <= 0:
		s.retention = DefaultRetention
	case s.retention < MinRetention:
		s.retention = MinRetention
	}
	if s.maxLog <= 0 {
		s.maxLog = DefaultMaxLogEntries
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.processed = make(map[string]uint64)
	s.sources = make(map[string]*source)
	s.users = make(map[string]*user)
	s.customers = make(map[string]*customer)
	s.aliases = make(map[string]string)
}

// processedEvent is one remembered event ID and when it was applied.
type processedEvent struct {
	id  string
	seq uint64
	at  time.Time
}

// source is the access state of one Stripe object.
type source struct {
	id         string
	userID     string // the owning user, or "" while there is none
	customerID string // the Stripe customer, or ""

	granting   bool
	final      bool      // ended for good; never grants again
	graceUntil time.Time // set while in a grace period
	periodEnd  time.Time

	applied    bool      // an event has set the state
	changed    time.Time // created time of the last applied event
	changedSeq uint64    // and its seq, to break ties between sources

	// orphanLog holds the log entries of a source with neither a user nor
	// a customer, until it gets one of them.
	orphanLog []entry
}

// user is one app user: their sources, payment log and entitlement.
type user struct {
	sources map[string]*source
	log     []entry // ascending by (Created, seq)
	ent     stripegate.Entitlement
}

// customer is a Stripe customer: its user once linked, and until then the
// sources and log entries stored for it.
type customer struct {
	userID  string
	sources map[string]*source // only while unlinked
	log     []entry            // only while unlinked
}

// entry is a payment log entry with the seq that wrote it.
type entry struct {
	stripegate.LogEntry
	seq uint64
}

// Apply records one change atomically, as EntitlementStore.Apply
// documents.
func (s *Store) Apply(ctx context.Context, c stripegate.Change) (stripegate.Result, error) {
	if err := validate(c); err != nil {
		return stripegate.Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return stripegate.Result{}, fmt.Errorf("memstore: apply %s: %w", c.EventID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Waiting for the lock may have outlasted ctx; nothing is changed yet.
	if err := ctx.Err(); err != nil {
		return stripegate.Result{}, fmt.Errorf("memstore: apply %s: %w", c.EventID, err)
	}
	s.init()
	return s.apply(c), nil
}

func validate(c stripegate.Change) error {
	switch {
	case c.EventID == "":
		return fmt.Errorf("memstore: invalid change: empty EventID (event type %q, source %q)", c.EventType, c.SourceID)
	case c.SourceID == "":
		return fmt.Errorf("memstore: invalid change: empty SourceID (event %q, type %q)", c.EventID, c.EventType)
	case c.Access < stripegate.AccessRevoke || c.Access > stripegate.AccessKeep:
		return fmt.Errorf("memstore: invalid change: unknown Access %d (event %q, source %q)", int(c.Access), c.EventID, c.SourceID)
	}
	return nil
}

// apply does Apply's work under the write lock.
func (s *Store) apply(c stripegate.Change) stripegate.Result {
	now := s.now()
	s.forget(now)

	// 1. Duplicate.
	if _, ok := s.processed[c.EventID]; ok {
		var userID string
		if src := s.sources[s.resolve(c.SourceID)]; src != nil {
			userID = src.userID
		}
		return stripegate.Result{Outcome: stripegate.OutcomeDuplicate, UserID: userID}
	}
	s.seq++
	seq := s.seq

	// 2. Resolve the source through aliases and record the new ones.
	c.SourceID = s.resolve(c.SourceID)
	s.addAliases(c.Aliases, c.SourceID)
	if c.Access == stripegate.AccessKeep {
		s.remember(c.EventID, seq, now)
		var userID string
		if src := s.sources[c.SourceID]; src != nil {
			userID = src.userID
		}
		return stripegate.Result{Outcome: stripegate.OutcomeUnchanged, UserID: userID}
	}

	// 3. Link the customer, unless it is linked already.
	if c.UserID != "" && c.CustomerID != "" {
		s.link(c.CustomerID, c.UserID)
	}

	// 4. The source's user and customer.
	src := s.sources[c.SourceID]
	if src == nil {
		src = &source{id: c.SourceID}
		s.sources[c.SourceID] = src
	}
	userID := c.UserID
	if userID == "" {
		userID = src.userID
	}
	if userID == "" && c.CustomerID != "" {
		if cu := s.customers[c.CustomerID]; cu != nil {
			userID = cu.userID
		}
	}
	customerID := c.CustomerID
	if customerID == "" {
		customerID = src.customerID
	}

	// 5. to 8. Stripe's created times are whole seconds, so staleness is
	// decided by second: an event created in the same second as the last
	// one applied is applied. A stale event, and any event on a final
	// source, leaves the source with its owner as well as its state.
	prevUser := src.userID
	stale := src.applied && c.Created.Unix() < src.changed.Unix()
	if stale || (src.final && !c.Final) {
		userID, customerID = src.userID, src.customerID
	} else {
		s.place(src, userID, customerID)
	}

	var outcome stripegate.Outcome
	switch {
	case c.Final:
		outcome = src.end(c, seq, stale)
	case src.final:
		outcome = stripegate.OutcomeUnchanged
	case stale:
		outcome = stripegate.OutcomeStale
	default:
		outcome = src.set(c, seq)
	}

	s.remember(c.EventID, seq, now)
	s.addEntry(src, entry{
		LogEntry: stripegate.LogEntry{
			EventID:   c.EventID,
			EventType: c.EventType,
			Outcome:   outcome,
			SourceID:  c.SourceID,
			// NOTE: an event that names no customer is logged with its source's customer, if the source has one.
			CustomerID: customerID,
			UserID:     userID,
			Created:    c.Created,
		},
		seq: seq,
	})

	if prevUser != "" && prevUser != userID {
		s.refresh(prevUser)
	}
	if userID != "" {
		s.refresh(userID)
	}
	return stripegate.Result{Outcome: outcome, UserID: userID}
}

// resolve returns the source ID that id stands for: along the chain of at
// most stripegate.MaxAliasHops aliases from id, the last ID that is a
// stored source, or the chain's last ID when none is.
func (s *Store) resolve(id string) string {
	found := ""
	if s.sources[id] != nil {
		found = id
	}
	for range stripegate.MaxAliasHops {
		target, ok := s.aliases[id]
		if !ok {
			break
		}
		id = target
		if s.sources[id] != nil {
			found = id
		}
	}
	if found != "" {
		return found
	}
	return id
}

// addAliases records each new alias as standing for sourceID.
func (s *Store) addAliases(aliases []string, sourceID string) {
	for _, alias := range aliases {
		if alias == "" || alias == sourceID {
			continue
		}
		if _, known := s.aliases[alias]; !known {
			s.aliases[alias] = sourceID
		}
	}
}

// end makes the source final and returns the outcome. A stale change
// leaves the period end and the ordering key as they are.
func (src *source) end(c stripegate.Change, seq uint64, stale bool) stripegate.Outcome {
	before := src.granting
	src.granting, src.final, src.graceUntil = false, true, time.Time{}
	if !stale {
		if !c.PeriodEnd.IsZero() {
			src.periodEnd = c.PeriodEnd
		}
		src.applied, src.changed, src.changedSeq = true, c.Created, seq
	}

	if before {
		return stripegate.OutcomeRevoked
	}
	return stripegate.OutcomeUnchanged
}

// set applies c's access to the source and returns the outcome.
func (src *source) set(c stripegate.Change, seq uint64) stripegate.Outcome {
	before := src.granting
	graceStarted := false
	switch c.Access {
	case stripegate.AccessGrant:
		src.granting = true
		src.graceUntil = time.Time{}
	case stripegate.AccessRevoke:
		src.granting = false
		src.graceUntil = time.Time{}
	case stripegate.AccessRevokeAfterGrace:
		switch {
		case !src.granting:
			// Stays revoked.
		case !src.graceUntil.IsZero():
			// Already in grace: keep the first deadline.
		case c.GraceUntil.IsZero():
			// NOTE: a grace change without a deadline would grant access forever; it revokes at once instead (fail closed).
			src.granting = false
		default:
			src.graceUntil = c.GraceUntil
			graceStarted = true
		}
	}
	// NOTE: a zero PeriodEnd means the event carries none, so the source keeps the one it had.
	if !c.PeriodEnd.IsZero() {
		src.periodEnd = c.PeriodEnd
	}
	src.applied = true
	src.changed = c.Created
	src.changedSeq = seq

	switch {
	case graceStarted:
		return stripegate.OutcomeGraceStarted
	case !before && src.granting:
		return stripegate.OutcomeGranted
	case before && !src.granting:
		return stripegate.OutcomeRevoked
	default:
		return stripegate.OutcomeUnchanged
	}
}

// place files the source under its user, else its customer, else nowhere,
// moving it if either changed. It does not refresh entitlements.
func (s *Store) place(src *source, userID, customerID string) {
	if src.userID == userID && src.customerID == customerID {
		return
	}
	switch {
	case src.userID != "":
		if u := s.users[src.userID]; u != nil {
			delete(u.sources, src.id)
		}
	case src.customerID != "":
		if cu := s.customers[src.customerID]; cu != nil {
			delete(cu.sources, src.id)
		}
	}
	src.userID, src.customerID = userID, customerID
	switch {
	case userID != "":
		u := s.user(userID)
		u.sources[src.id] = src
		if len(src.orphanLog) > 0 {
			u.log = s.merge(u.log, src.orphanLog, userID)
			src.orphanLog = nil
		}
	case customerID != "":
		cu := s.customer(customerID)
		if cu.sources == nil {
			cu.sources = make(map[string]*source)
		}
		cu.sources[src.id] = src
		if len(src.orphanLog) > 0 {
			cu.log = s.merge(cu.log, src.orphanLog, "")
			src.orphanLog = nil
		}
	}
}

// link links an unlinked customer to the user and moves the customer's
// sources and log entries to the user. An existing link is kept.
func (s *Store) link(customerID, userID string) {
	cu := s.customer(customerID)
	if cu.userID != "" {
		return
	}
	cu.userID = userID
	u := s.user(userID)
	for id, src := range cu.sources {
		src.userID = userID
		u.sources[id] = src
	}
	cu.sources = nil
	if len(cu.log) > 0 {
		u.log = s.merge(u.log, cu.log, userID)
		cu.log = nil
	}
	s.refresh(userID)
}

func (s *Store) user(id string) *user {
	u := s.users[id]
	if u == nil {
		u = &user{sources: make(map[string]*source), ent: stripegate.Entitlement{UserID: id}}
		s.users[id] = u
	}
	return u
}

func (s *Store) customer(id string) *customer {
	cu := s.customers[id]
	if cu == nil {
		cu = &customer{}
		s.customers[id] = cu
	}
	return cu
}

// refresh recomputes the user's cached entitlement from their sources.
func (s *Store) refresh(userID string) {
	u := s.users[userID]
	if u == nil {
		return
	}
	// Granting sources without a deadline, granting sources in grace, and
	// all sources: the most recently changed of each.
	var full, inGrace, latest *source
	var graceUntil, updatedAt time.Time
	for _, src := range u.sources {
		if src.changed.After(updatedAt) {
			updatedAt = src.changed
		}
		latest = newer(src, latest)
		if !src.granting {
			continue
		}
		if src.graceUntil.IsZero() {
			full = newer(src, full)
			continue
		}
		inGrace = newer(src, inGrace)
		if src.graceUntil.After(graceUntil) {
			graceUntil = src.graceUntil
		}
	}
	e := stripegate.Entitlement{UserID: userID, UpdatedAt: updatedAt}
	// NOTE: UpdatedAt is the latest created time over the user's sources, not the created time of the event that arrived last.
	pick := latest
	switch {
	case full != nil:
		// NOTE: a source granting without a deadline is named before a more recently changed one in grace, since it is the one giving access.
		e.Active, pick = true, full
	case inGrace != nil:
		e.Active, e.GraceUntil, pick = true, graceUntil, inGrace
	}
	if pick != nil {
		e.SourceID, e.CustomerID, e.PeriodEnd = pick.id, pick.customerID, pick.periodEnd
	}
	u.ent = e
}

// newer returns whichever of a and b was changed by the later event, by
// created time, then by the order the events were applied.
func newer(a, b *source) *source {
	if b == nil || a.changed.After(b.changed) || (a.changed.Equal(b.changed) && a.changedSeq > b.changedSeq) {
		return a
	}
	return b
}

// addEntry stores a log entry with the source's user, else its customer,
// else the source itself.
func (s *Store) addEntry(src *source, e entry) {
	switch {
	case src.userID != "":
		u := s.users[src.userID]
		u.log = s.insert(u.log, e)
	case src.customerID != "":
		cu := s.customers[src.customerID]
		cu.log = s.insert(cu.log, e)
	default:
		src.orphanLog = s.insert(src.orphanLog, e)
	}
}

// insert adds e to a log kept in ascending (Created, seq) order, dropping
// the oldest entry past the cap. e has the highest seq, so it goes after
// every entry not created later; events mostly arrive in order, so the
// search from the end is short.
func (s *Store) insert(log []entry, e entry) []entry {
	i := len(log)
	for i > 0 && log[i-1].Created.After(e.Created) {
		i--
	}
	log = slices.Insert(log, i, e)
	if over := len(log) - s.maxLog; over > 0 {
		// Reslicing drops from the front without copying; the next
		// growth of the slice releases the dropped entries.
		clear(log[:over])
		log = log[over:]
	}
	return log
}

// merge returns the entries of a and b in (Created, seq) order, capped to
// the newest maxLog, with UserID set to userID when it is not empty.
func (s *Store) merge(a, b []entry, userID string) []entry {
	out := make([]entry, 0, min(len(a)+len(b), s.maxLog))
	skip := max(len(a)+len(b)-s.maxLog, 0)
	for i, j := 0, 0; i < len(a) || j < len(b); {
		var e entry
		if j == len(b) || (i < len(a) && !less(b[j], a[i])) {
			e, i = a[i], i+1
		} else {
			e, j = b[j], j+1
		}
		if skip > 0 {
			skip--
			continue
		}
		if userID != "" {
			e.UserID = userID
		}
		out = append(out, e)
	}
	return out
}

func less(a, b entry) bool {
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	return a.seq < b.seq
}

// remember records an applied event ID.
func (s *Store) remember(id string, seq uint64, now time.Time) {
	s.processed[id] = seq
	s.fifo = append(s.fifo, processedEvent{id: id, seq: seq, at: now})
}

// forget drops the event IDs applied before now minus the retention, from
// the front of the FIFO. Each ID is popped once and the compaction copies
// at most as many entries as were popped since the last one, so the cost is
// amortized O(1) per Apply. If the clock steps back, IDs behind a newer one
// wait for it; they are forgotten late, never early.
func (s *Store) forget(now time.Time) {
	cutoff := now.Add(-s.retention)
	for s.head < len(s.fifo) && s.fifo[s.head].at.Before(cutoff) {
		p := s.fifo[s.head]
		// The ID may have been forgotten and applied again since.
		if s.processed[p.id] == p.seq {
			delete(s.processed, p.id)
		}
		s.fifo[s.head] = processedEvent{}
		s.head++
	}
	if s.head == 0 || s.head < len(s.fifo)/2 {
		return
	}
	n := copy(s.fifo, s.fifo[s.head:])
	clear(s.fifo[n:])
	s.fifo, s.head = s.fifo[:n], 0
	// Give back the memory of a past burst.
	if cap(s.fifo) > 1024 && cap(s.fifo) > 4*n {
		s.fifo = append(make([]processedEvent, 0, 2*n), s.fifo...)
	}
}

// LinkCustomer links a Stripe customer to a user, as
// EntitlementStore.LinkCustomer documents.
func (s *Store) LinkCustomer(ctx context.Context, customerID, userID string) error {
	// NOTE: the contract does not say what empty IDs mean; linking "" is a caller bug, reported like an invalid Change.
	if customerID == "" || userID == "" {
		return fmt.Errorf("memstore: invalid link: empty customer ID (%q) or user ID (%q)", customerID, userID)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: link customer %s: %w", customerID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: link customer %s: %w", customerID, err)
	}
	s.init()
	if cu := s.customers[customerID]; cu != nil && cu.userID != "" {
		if cu.userID == userID {
			return nil
		}
		return fmt.Errorf("memstore: link customer %s to user %q: %w (linked to user %q)",
			customerID, userID, stripegate.ErrCustomerLinked, cu.userID)
	}
	s.link(customerID, userID)
	return nil
}

// Entitlement returns the user's combined access, as
// EntitlementStore.Entitlement documents. It does not allocate.
func (s *Store) Entitlement(ctx context.Context, userID string) (stripegate.Entitlement, error) {
	if err := ctx.Err(); err != nil {
		return stripegate.Entitlement{}, fmt.Errorf("memstore: entitlement of %q: %w", userID, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if u := s.users[userID]; u != nil {
		return u.ent, nil
	}
	return stripegate.Entitlement{UserID: userID}, nil
}

// PaymentLog returns up to limit of the user's newest log entries, as
// EntitlementStore.PaymentLog documents. The slice is never nil.
func (s *Store) PaymentLog(ctx context.Context, userID string, limit int) ([]stripegate.LogEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: payment log of %q: %w", userID, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.users[userID]
	if u == nil {
		return []stripegate.LogEntry{}, nil
	}
	n := len(u.log)
	if limit > 0 && limit < n {
		n = limit
	}
	out := make([]stripegate.LogEntry, n)
	for i := range out {
		out[i] = u.log[len(u.log)-1-i].LogEntry
	}
	return out, nil
}

// processedLen reports how many event IDs the store remembers, for tests.
func (s *Store) processedLen() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.processed)
}

// fifoLen reports the length of the processed-ID FIFO, for tests.
func (s *Store) fifoLen() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.fifo) - s.head
}
