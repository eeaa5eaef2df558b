// Package pgstore provides a stripegate.EntitlementStore in PostgreSQL, for
// apps that run several instances or must keep access across restarts.
//
// Open a pgxpool.Pool, create the Store, and run Migrate once at start:
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	...
//	store, err := pgstore.New(pool, pgstore.Config{})
//	...
//	if err := store.Migrate(ctx); err != nil { ... }
//
// Then pass the store to stripegate.NewWebhookHandler and stripegate.NewGate,
// and call Cleanup periodically. Any number of processes may share one
// schema. The package is tested against PostgreSQL 15; it needs version 11
// or later (hashtextextended, used by Migrate, was added in 11).
//
// # Tables
//
// Migrate creates them in Config.Schema; schema.sql documents each column.
//
//	processed_events  event_id (primary key), applied_at: the IDs of applied
//	                  events, kept for Config.Retention.
//	customer_links    customer_id (primary key), user_id: the link between a
//	                  Stripe customer and the app's user, never changed once
//	                  stored.
//	sources           source_id (primary key), user_id, customer_id, granting,
//	                  grace_until, period_end, final, changed, changed_seq:
//	                  the access state of each Stripe object that decides
//	                  access.
//	source_aliases    alias_id (primary key), target_id: other Stripe IDs
//	                  that stand for a source (a subscription's invoices and
//	                  their payments), never changed once stored.
//	payment_log       seq (primary key), event_id, event_type, outcome,
//	                  source_id, customer_id, user_id, pending_customer_id,
//	                  created: one row per applied event.
//	apply_seq         a sequence that numbers applied events (changed_seq,
//	                  seq), to order events created in the same second.
//
// A source or log row belongs to its user_id when set, else to the user
// linked to its customer. A row with neither waits until a later event
// names an owner. A link therefore changes no rows: the reads find the rows that
// wait for a customer through customer_links. Absent IDs and times are
// NULL.
//
// # Apply and several processes
//
// Apply runs one READ COMMITTED transaction. It claims the event ID with
// INSERT ... ON CONFLICT DO NOTHING, so that of two concurrent deliveries
// of one event exactly one applies it and the other waits for it and
// returns OutcomeDuplicate.
//
// It then resolves the change's source. One recursive statement follows
// source_aliases from Change.SourceID for at most stripegate.MaxAliasHops
// hops, each a lookup in its primary key. It takes the last ID on the way
// that is a stored source (a lookup in sources_pkey), or the last ID
// reached when none is. The resolved ID is the source ID
// for the rest of Apply, the log entry included. Apply records the
// change's new aliases as standing for that source with INSERT ... ON
// CONFLICT DO NOTHING, in sorted order. A stored alias keeps its target:
// of two Applies recording one alias at once, the second waits for the
// first, and keeps the first one's target if it commits. The read of the
// aliases does not wait for uncommitted inserts, so a change naming an ID
// that another Apply is recording as an alias at that moment applies to
// the ID itself, as if it had arrived first. An AccessKeep change ends
// here.
//
// Otherwise Apply stores the customer link, if any, and locks the source's
// row with SELECT ... FOR UPDATE, creating the row first if needed. Events
// on one source are thus applied one after another, and each reads the
// state its predecessor committed, whichever process applied it. The
// staleness check, the new state and the log entry are computed from that
// locked row, which also stores whether the source is final. A final
// change ends the source even when stale, and a final source keeps its
// state against every later non-final change.
//
// Every transaction takes its locks in the same order (event ID, aliases
// in sorted order, customer link, source), so Apply does not deadlock with
// itself. A serialization failure or deadlock, from other work on the same
// tables for example, is retried up to Config.MaxRetries times after a
// short random pause.
//
// # Entitlement
//
// Entitlement is one statement that aggregates over the user's sources at
// read time (no per-user row is maintained): the sources stored with the
// user plus those waiting for the link of a customer linked to the user.
// Window aggregates compute the latest change and the latest grace deadline
// over all of them, and ORDER BY ... LIMIT 1 picks the source to name. Its
// plan on 5000 users (see TestQueryPlansUseIndexes) reads only the user's
// rows, through three indexes:
//
//	Limit
//	  ->  Sort
//	        Sort Key: ((sources.granting AND (sources.grace_until IS NULL))) DESC, sources.granting DESC, sources.changed DESC, sources.changed_seq DESC
//	        ->  WindowAgg
//	              ->  Append
//	                    ->  Index Scan using sources_user_idx on sources
//	                          Index Cond: (user_id = 'user_42'::text)
//	                    ->  Nested Loop
//	                          ->  Index Scan using customer_links_user_idx on customer_links l
//	                                Index Cond: (user_id = 'user_42'::text)
//	                          ->  Index Scan using sources_pending_customer_idx on sources s
//	                                Index Cond: (customer_id = l.customer_id)
//
// Apply resolves an alias with one lookup in source_aliases_pkey and one in
// sources_pkey per hop, here with 10000 aliases in the same test:
//
//	Limit
//	  CTE chain
//	    ->  Recursive Union
//	          ->  Result
//	          ->  Nested Loop
//	                ->  WorkTable Scan on chain chain_1
//	                      Filter: (hops < 4)
//	                ->  Index Scan using source_aliases_pkey on source_aliases a
//	                      Index Cond: (alias_id = chain_1.id)
//	  ->  Sort
//	        Sort Key: ((s.source_id IS NOT NULL)) DESC, chain.hops DESC
//	        ->  Nested Loop Left Join
//	              ->  CTE Scan on chain
//	              ->  Index Only Scan using sources_pkey on sources s
//	                    Index Cond: (source_id = chain.id)
//
// PaymentLog has the same shape over payment_log_user_idx and
// payment_log_pending_customer_idx. It sorts all of the user's entries
// before applying the limit, which is cheap for the handful of events a
// user has in a month.
//
// # Retention
//
// Cleanup deletes processed event IDs older than Config.Retention (7 days
// by default, 3 days at least). Sources, links, aliases and payment log
// entries are never deleted: they are the entitlement state and its history.
//
// # Times
//
// PostgreSQL's timestamptz keeps microseconds, so finer fractions of a
// Change's times are dropped. Stripe's times are whole seconds. Times come
// back in UTC.
//
// # Errors
//
// Not found is never an error. Errors from the database are wrapped with
// %w and prefixed "pgstore: " with the operation and the IDs involved; once
// ctx is done they also wrap ctx.Err(), so errors.Is(err, context.Canceled)
// holds. A Change with an empty EventID or SourceID or an unknown Access,
// and LinkCustomer with an empty ID, are programming errors: the error
// wraps nothing and nothing is stored.
package pgstore
