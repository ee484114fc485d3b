-- 002: the outbox's delivery machinery and the destinations' state (issue 5).
--
-- Movements (outbox_movements, 001) go pending -> in_flight (claimed by one
-- worker, with a lease) -> sent | failed | not_eligible, or back to pending
-- to be retried later. `superseded`: a movement taken back from a worker
-- (expired lease, retry) while a newer change of the same offer was already
-- pending; the newer one carries the offer's current state.
-- All times used by the delivery (leases, next attempts) come from the
-- daemon's Clock and are passed in, never now(): tests move time by hand.

ALTER TABLE outbox_movements DROP CONSTRAINT outbox_movements_state_check;
ALTER TABLE outbox_movements ADD CONSTRAINT outbox_movements_state_check
  CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'not_eligible', 'superseded'));

ALTER TABLE outbox_movements
  ADD COLUMN claimed_by       text,         -- worker id holding the lease
  ADD COLUMN lease_until      timestamptz,  -- in_flight: the lease's end
  ADD COLUMN next_attempt_at  timestamptz,  -- pending: not before (NULL: at once)
  ADD COLUMN last_http_status integer,
  -- Every failed attempt: [{"at","attempt","error","http_status"}...]
  ADD COLUMN errors           jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN settled_at       timestamptz;

-- What workers look for: due pending movements and expired leases.
CREATE INDEX outbox_due ON outbox_movements (destination, id)
  WHERE state IN ('pending', 'in_flight');
CREATE INDEX outbox_offer ON outbox_movements (partner, source_ref, destination)
  WHERE state IN ('pending', 'in_flight');
CREATE INDEX outbox_failed ON outbox_movements (destination) WHERE state = 'failed';

-- Per offer and destination: what the service holds, as far as we know.
CREATE TABLE destination_offers (
  partner                 text NOT NULL,
  source_ref              text NOT NULL,
  destination             text NOT NULL REFERENCES destinations (name),
  service_id              text,         -- lba: the service's id of the offer
  accepted_hash           text,         -- lba: SHA-256 of the last accepted body; FT: row hash
  accepted_at             timestamptz,
  closed_at               timestamptz,  -- lba: closed (Cancelled) since its last upsert
  written_at              timestamptz,  -- lba: last write (publishing status waits 10 min)
  publishing_status       text,         -- WILL_BE_PUBLISHED | PUBLISHED | WILL_NOT_BE_PUBLISHED
  publishing_error_code   text,
  publishing_error_label  text,
  publishing_checked_at   timestamptz,
  rolling_expiration      date,         -- lba: expiration sent for offers without one
  not_eligible_reasons    text[] NOT NULL DEFAULT '{}',
  last_error              text,
  last_error_at           timestamptz,
  updated_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (partner, source_ref, destination)
);
CREATE INDEX destination_offers_publishing ON destination_offers (destination, written_at)
  WHERE service_id IS NOT NULL AND closed_at IS NULL
    AND (publishing_status IS NULL OR publishing_status = 'WILL_BE_PUBLISHED');
CREATE INDEX destination_offers_rolling ON destination_offers (destination, rolling_expiration)
  WHERE rolling_expiration IS NOT NULL AND closed_at IS NULL;

-- One row per push batch (operations.md: every push batch leaves a row).
CREATE TABLE push_runs (
  id               bigserial PRIMARY KEY,
  destination      text NOT NULL REFERENCES destinations (name),
  worker           text NOT NULL,
  started_at       timestamptz NOT NULL,
  finished_at      timestamptz,
  claimed          integer NOT NULL DEFAULT 0,
  sent             integer NOT NULL DEFAULT 0,  -- requests / rows accepted
  unchanged        integer NOT NULL DEFAULT 0,  -- settled without a request
  not_eligible     integer NOT NULL DEFAULT 0,
  retried          integer NOT NULL DEFAULT 0,
  failed           integer NOT NULL DEFAULT 0,
  released         integer NOT NULL DEFAULT 0,  -- given back untouched (destination paused)
  outcome          text NOT NULL DEFAULT 'running'
                   CHECK (outcome IN ('running', 'done', 'partial', 'paused', 'failed')),
  file_name        text,      -- france-travail: the file sent
  http_status      integer,
  message          text
);
CREATE INDEX push_runs_destination ON push_runs (destination, id DESC);

-- Per destination: paused (401: retrying cannot help until an operator acts)
-- and the last success.
CREATE TABLE destination_status (
  destination      text PRIMARY KEY REFERENCES destinations (name),
  paused_reason    text,
  paused_at        timestamptz,
  last_success_at  timestamptz,
  last_error       text,
  last_error_at    timestamptz
);
INSERT INTO destination_status (destination) SELECT name FROM destinations;
