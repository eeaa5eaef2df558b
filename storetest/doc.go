// Package storetest checks an implementation of stripegate.EntitlementStore
// against the contract written on that interface, in the spirit of
// testing/fstest.TestFS.
//
// A store author calls Run from an ordinary test:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) stripegate.EntitlementStore {
//			s := mystore.Open(context.Background(), testDSN(t)) // a fresh, empty store
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Run runs every rule of the contract as a named subtest, grouped by topic
// (Basics, Outcome, Link, Idempotency, Ordering, Sources, Grace, Final,
// Aliases, Fields, PaymentLog, Context, Concurrency), so one rule can be
// rerun on its own:
//
//	go test -race -run 'TestStore/Grace/KeepsFirstDeadline' ./mystore
//
// # What open must return
//
// Run calls open once per subtest, with that subtest's *testing.T. Each call
// must return an empty store: no processed events, no sources, no customer
// links, no payment log entries. It must be isolated from every other store
// open has returned (a separate database, schema or key prefix for shared
// backends), because rules use the same user, customer and event IDs. open
// may call t.Fatal when it cannot create the store, and should register
// t.Cleanup to release it. open must not return nil.
//
// # How the rules run
//
// Subtests run one after another; Run never calls t.Parallel, so open need
// not be safe for concurrent use. Rules in the Concurrency and Idempotency
// groups call the store from many goroutines at once (at most 16 at a time)
// and are meant to be run with -race.
//
// A broken rule is reported with t.Errorf so that one failure does not hide
// the next; a subtest stops early (t.Fatalf) only when the store returned an
// error during setup, after which its checks would be meaningless.
//
// The rules assume nothing about the implementation: no type assertions, no
// sleeping, no wall clock. Event times are fixed whole seconds in UTC, and
// times the store returns are compared with time.Time.Equal, so a store may
// return them in any location. The store must keep at least the 100 newest
// payment log entries per user and remember processed event IDs for at least
// as long as a subtest runs.
package storetest
