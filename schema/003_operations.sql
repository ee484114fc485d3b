-- 003: operations (issue 6): the reconciliation's runs and the partners' polls.

-- One row per `passerelle reconcile` (operations.md: every reconciliation
-- leaves a row). Counts are what was found (and fixed unless dry_run).
CREATE TABLE reconcile_runs (
  id                 bigserial PRIMARY KEY,
  started_at         timestamptz NOT NULL DEFAULT now(),
  finished_at        timestamptz,
  dry_run            boolean NOT NULL,
  full_stock         boolean NOT NULL,
  expired            integer NOT NULL DEFAULT 0,  -- offers expired by date (closings queued)
  stuck_requeued     integer NOT NULL DEFAULT 0,  -- in flight too long, pending again
  stuck_superseded   integer NOT NULL DEFAULT 0,  -- in flight too long, a newer one pending
  failed_requeued    integer NOT NULL DEFAULT 0,  -- failed for a transient cause, pending again
  failed_superseded  integer NOT NULL DEFAULT 0,
  rolling_queued     integer NOT NULL DEFAULT 0,  -- lba: rolling expirations re-sent
  publishing_read    integer NOT NULL DEFAULT 0,  -- lba: publishing statuses read
  full_stock_queued  integer NOT NULL DEFAULT 0,  -- france-travail: offers queued for the full stock
  drift_found        boolean NOT NULL DEFAULT false,
  outcome            text NOT NULL DEFAULT 'running'
                     CHECK (outcome IN ('running', 'done', 'failed')),
  message            text
);

-- Per partner: the last poll of its drop folder (`passerelle status`).
CREATE TABLE partner_polls (
  partner               text PRIMARY KEY,
  last_poll_at          timestamptz NOT NULL,
  outcome               text NOT NULL CHECK (outcome IN ('ok', 'failed')),
  message               text,
  consecutive_failures  integer NOT NULL DEFAULT 0,
  last_success_at       timestamptz
);
