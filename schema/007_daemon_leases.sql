-- 007: several daemons on one store (operations.md "Several daemons on one
-- store", issue 14). Every time here is the writing daemon's Clock, like the
-- outbox's leases; hosts rely on NTP agreeing well within a poll interval.

-- Each running daemon: who it is and when it was last heard from. A daemon
-- whose `expires_at` passed (two poll intervals without a heartbeat) is gone:
-- it counts no more when partners are spread, and its leases can be taken.
-- Rows of daemons gone for a day are forgotten.
CREATE TABLE daemons (
  id            text PRIMARY KEY,      -- host:pid:random, made at start
  host          text NOT NULL,
  pid           integer NOT NULL,
  version       text NOT NULL,
  started_at    timestamptz NOT NULL,
  heartbeat_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,  -- heartbeat_at + 2 poll intervals
  stopped_at    timestamptz            -- said goodbye (SIGTERM): gone at once
);

-- Which daemon polls which partner. A lease lives two poll intervals from
-- its last renewal; the owner renews it every half interval.
CREATE TABLE partner_leases (
  partner     text PRIMARY KEY,
  owner       text NOT NULL,
  taken_at    timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX partner_leases_owner ON partner_leases (owner);

-- Scheduled jobs (France Travail's batches) run once across daemons: one row
-- per job and due slot; `done_at` once it ran, else the owner's lease.
CREATE TABLE job_leases (
  job         text NOT NULL,
  slot        timestamptz NOT NULL,
  owner       text NOT NULL,
  taken_at    timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  done_at     timestamptz,
  PRIMARY KEY (job, slot)
);

-- The daemon that made each run. A daemon's sessions carry its id as the
-- setting passerelle.daemon_id (withSessionSetting()); commands leave it
-- empty, so their runs have none.
ALTER TABLE import_runs ADD COLUMN daemon_id text
  DEFAULT nullif(current_setting('passerelle.daemon_id', true), '');
ALTER TABLE push_runs ADD COLUMN daemon_id text
  DEFAULT nullif(current_setting('passerelle.daemon_id', true), '');
ALTER TABLE reconcile_runs ADD COLUMN daemon_id text
  DEFAULT nullif(current_setting('passerelle.daemon_id', true), '');
