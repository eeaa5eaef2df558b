-- Tables of pgstore. Migrate runs this file in one transaction with
-- search_path set to Config.Schema, so every name below lives in that schema.
-- Every statement is idempotent. Absent IDs and times are stored as NULL,
-- never as empty strings or zero times.

-- processed_events keeps the ID of every applied event for Config.Retention,
-- so that a redelivery is reported as a duplicate. Apply claims an ID with
-- INSERT ... ON CONFLICT DO NOTHING; Cleanup deletes by applied_at, the
-- database's clock at the time of the insert.
CREATE TABLE IF NOT EXISTS processed_events (
    event_id   text        PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS processed_events_applied_at_idx
    ON processed_events (applied_at);

-- customer_links maps a Stripe customer to the app's user. A stored link is
-- never changed. Sources and log entries waiting for a customer's link are
-- not moved when the link arrives: the reads join through this table.
CREATE TABLE IF NOT EXISTS customer_links (
    customer_id text PRIMARY KEY,
    user_id     text NOT NULL
);
-- The reads of a user's sources and payment log start here.
CREATE INDEX IF NOT EXISTS customer_links_user_idx
    ON customer_links (user_id);

-- apply_seq numbers applied events in the order their transactions reached
-- the log insert. It breaks ties between events created in the same second.
CREATE SEQUENCE IF NOT EXISTS apply_seq;

-- sources contains the access state of each Stripe object that decides access.
-- Its owner is user_id when set, else the user linked to customer_id, else
-- no owner yet. final is true once an event has ended the source for good
-- (Change.Final), and such a source never grants again. changed is the created
-- time of the last event applied to it, and changed_seq that event's number
-- from apply_seq. changed is NULL only inside the transaction that creates
-- the row.
CREATE TABLE IF NOT EXISTS sources (
    source_id   text        PRIMARY KEY,
    user_id     text,
    customer_id text,
    granting    boolean     NOT NULL DEFAULT false,
    grace_until timestamptz,
    period_end  timestamptz,
    final       boolean     NOT NULL DEFAULT false,
    changed     timestamptz,
    changed_seq bigint
);
-- Adds final to a sources table created before the column existed. The
-- check comes first because ALTER TABLE takes an ACCESS EXCLUSIVE lock even
-- when ADD COLUMN IF NOT EXISTS has nothing to do (seen on PostgreSQL 15).
-- That lock would make every Migrate wait for, and block, the reads and
-- writes of running apps.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
                   WHERE attrelid = 'sources'::regclass AND attname = 'final' AND NOT attisdropped) THEN
        ALTER TABLE sources ADD COLUMN final boolean NOT NULL DEFAULT false;
    END IF;
END
$$;
-- Entitlement: the sources a user owns directly.
CREATE INDEX IF NOT EXISTS sources_user_idx
    ON sources (user_id);
-- Entitlement: the sources waiting for their customer's link.
CREATE INDEX IF NOT EXISTS sources_pending_customer_idx
    ON sources (customer_id) WHERE user_id IS NULL;

-- source_aliases maps other Stripe IDs to the source they stand for (such as
-- a subscription's invoices, and the payment intents and charges that paid
-- them), so that a refund or dispute of a payment reaches the subscription.
-- target_id may be an alias itself: Apply follows alias_id -> target_id, one
-- lookup in the primary key per hop, for at most stripegate.MaxAliasHops
-- hops. A stored alias never changes and is never deleted. Aliases get a
-- table of their own, not a column of sources, for two reasons. An alias
-- may be recorded before its source has a row (AccessKeep creates none).
-- And a new column on the existing sources table would need the ACCESS
-- EXCLUSIVE lock that the check above avoids.
CREATE TABLE IF NOT EXISTS source_aliases (
    alias_id  text PRIMARY KEY,
    target_id text NOT NULL
);

-- payment_log contains one row per applied event. Like a source, a row belongs
-- to user_id when set, else to the user linked to pending_customer_id, else
-- to the source until a later event gives the source an owner.
-- customer_id is the customer shown in the entry; pending_customer_id only
-- files it. seq is the event's number from apply_seq.
CREATE TABLE IF NOT EXISTS payment_log (
    seq                 bigint      PRIMARY KEY DEFAULT nextval('apply_seq'),
    event_id            text        NOT NULL,
    event_type          text        NOT NULL,
    outcome             text        NOT NULL,
    source_id           text        NOT NULL,
    customer_id         text,
    user_id             text,
    pending_customer_id text,
    created             timestamptz NOT NULL
);
-- PaymentLog: a user's entries, newest first.
CREATE INDEX IF NOT EXISTS payment_log_user_idx
    ON payment_log (user_id, created DESC, seq DESC);
-- PaymentLog: the entries waiting for their customer's link, newest first.
CREATE INDEX IF NOT EXISTS payment_log_pending_customer_idx
    ON payment_log (pending_customer_id, created DESC, seq DESC)
    WHERE user_id IS NULL;
-- Apply: the entries of a source that has no owner yet, moved to the owner
-- that a later event names.
CREATE INDEX IF NOT EXISTS payment_log_unowned_source_idx
    ON payment_log (source_id)
    WHERE user_id IS NULL AND pending_customer_id IS NULL;
