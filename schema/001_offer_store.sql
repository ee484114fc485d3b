-- 001: the offer store (issue 3).
--
-- Identity of an offer is (partner, source_ref), never a serial (offer.md).
--
-- Foreign keys: the small tables keep theirs. The high-volume rows written
-- by imports (offers.last_run, offer_history, outbox_movements) have none:
-- they are written in the same transaction as the row they refer to, by one
-- code path (daemon/offer_merge.cpp), and a per-row foreign-key trigger
-- would cost more than the merge itself on a 100,000-offer snapshot.
-- The canonical JSON is kept as `text`, not jsonb: jsonb reorders keys and
-- the JSON shape of offer.md is byte-exact.

CREATE TABLE partners (
  id          text PRIMARY KEY,
  format      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Destinations that receive movements (filled by the destinations issue).
-- Every change of an offer queues one movement per row of this table.
CREATE TABLE destinations (
  name        text PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO destinations (name) VALUES ('lba'), ('france-travail');

-- One row per file taken (or approval of a quarantined one).
CREATE TABLE import_runs (
  id                  bigserial PRIMARY KEY,
  partner             text NOT NULL REFERENCES partners (id),
  format              text NOT NULL,
  semantics           text NOT NULL CHECK (semantics IN ('snapshot', 'delta')),
  file_name           text NOT NULL,
  file_size           bigint,
  file_sha256         text,
  started_at          timestamptz NOT NULL,
  finished_at         timestamptz,
  duration_ms         bigint,
  outcome             text NOT NULL CHECK (outcome IN ('imported', 'rejected_file', 'duplicate',
                                                       'quarantined', 'approved', 'failed')),
  -- What the reader found.
  records             integer NOT NULL DEFAULT 0,
  offers              integer NOT NULL DEFAULT 0,
  deletes             integer NOT NULL DEFAULT 0,
  rejects             integer NOT NULL DEFAULT 0,
  warnings            integer NOT NULL DEFAULT 0,
  -- What the store did.
  created             integer NOT NULL DEFAULT 0,
  updated             integer NOT NULL DEFAULT 0,
  unchanged           integer NOT NULL DEFAULT 0,
  withdrawn           integer NOT NULL DEFAULT 0,
  reactivated         integer NOT NULL DEFAULT 0,
  expired             integer NOT NULL DEFAULT 0,
  file_error_code     text,
  file_error_message  text,
  file_error_line     bigint,
  -- Quarantine: why, where the file waits, and the run that approved it.
  quarantine_reason   text,
  quarantine_path     text,
  approved_by_run     bigint REFERENCES import_runs (id),
  approves_run        bigint REFERENCES import_runs (id),
  duplicate_of_run    bigint REFERENCES import_runs (id),
  message             text
);
CREATE INDEX import_runs_partner ON import_runs (partner, id DESC);
CREATE INDEX import_runs_outcome ON import_runs (outcome) WHERE outcome = 'quarantined';

-- The ledger of files taken (drop-folders.md "Exactly once").
CREATE TABLE file_ledger (
  id           bigserial PRIMARY KEY,
  partner      text NOT NULL REFERENCES partners (id),
  remote_name  text NOT NULL,
  size         bigint NOT NULL,
  mtime        timestamptz,
  sha256       text NOT NULL,
  run_id       bigint REFERENCES import_runs (id),
  outcome      text NOT NULL CHECK (outcome IN ('imported', 'rejected_file', 'duplicate',
                                                'quarantined', 'failed')),
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
-- A file's content is imported at most once per partner. A quarantined file
-- counts: it is waiting for `approve`, dropping it again changes nothing.
CREATE UNIQUE INDEX file_ledger_once ON file_ledger (partner, sha256)
  WHERE outcome IN ('imported', 'quarantined');
CREATE INDEX file_ledger_partner_name ON file_ledger (partner, remote_name);

CREATE TABLE offers (
  partner            text NOT NULL REFERENCES partners (id),
  source_ref         text NOT NULL,
  status             text NOT NULL CHECK (status IN ('active', 'withdrawn', 'expired')),
  json               text NOT NULL,
  -- SHA-256 (hex) of the canonical JSON without its position in the file.
  content_hash       text NOT NULL,
  department         text,
  siret              text,
  rome_codes         text[] NOT NULL DEFAULT '{}',
  contract_type      text,
  expires            date,
  source_updated_at  timestamp,
  first_seen         timestamptz NOT NULL DEFAULT now(),
  last_changed       timestamptz NOT NULL DEFAULT now(),
  last_run           bigint,  -- import_runs.id
  PRIMARY KEY (partner, source_ref)
);
CREATE INDEX offers_partner_status ON offers (partner, status);
CREATE INDEX offers_status ON offers (status);
CREATE INDEX offers_department ON offers (department);
CREATE INDEX offers_siret ON offers (siret);
CREATE INDEX offers_rome ON offers USING gin (rome_codes);
CREATE INDEX offers_contract_type ON offers (contract_type);
CREATE INDEX offers_expires ON offers (expires) WHERE status = 'active';

CREATE TABLE offer_history (
  id          bigserial PRIMARY KEY,
  partner     text NOT NULL,
  source_ref  text NOT NULL,
  run_id      bigint,  -- import_runs.id; NULL for reconciliation
  change      text NOT NULL CHECK (change IN ('created', 'updated', 'withdrawn',
                                              'reactivated', 'expired')),
  old_status  text,
  new_status  text NOT NULL,
  old_hash    text,
  new_hash    text NOT NULL,
  line        bigint,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offer_history_offer ON offer_history (partner, source_ref, id);
CREATE INDEX offer_history_run ON offer_history (run_id);

CREATE TABLE run_rejects (
  run_id      bigint NOT NULL REFERENCES import_runs (id),
  seq         integer NOT NULL,
  line        bigint NOT NULL,
  source_ref  text,
  errors      json NOT NULL,
  warnings    json NOT NULL,
  PRIMARY KEY (run_id, seq)
);

-- Warnings of a run: file warnings, warnings of accepted rows, and the
-- store's own (ALREADY_EXISTS, UNKNOWN_OFFER, STALE_MOVEMENT).
CREATE TABLE run_warnings (
  run_id      bigint NOT NULL REFERENCES import_runs (id),
  seq         integer NOT NULL,
  origin      text NOT NULL CHECK (origin IN ('file', 'row', 'store')),
  line        bigint,
  source_ref  text,
  field       text,
  code        text NOT NULL,
  message     text NOT NULL,
  value       text,
  PRIMARY KEY (run_id, seq)
);

-- Transactional outbox: written in the same transaction as the offer change
-- that causes it; drained by the destinations.
CREATE TABLE outbox_movements (
  id            bigserial PRIMARY KEY,
  partner       text NOT NULL,
  source_ref    text NOT NULL,
  destination   text NOT NULL,  -- destinations.name
  kind          text NOT NULL CHECK (kind IN ('upsert', 'close')),
  content_hash  text,
  run_id        bigint,  -- import_runs.id
  state         text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'not_eligible')),
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- One pending movement per offer and destination: a newer change replaces
-- the pending one (INSERT ... ON CONFLICT on this index).
CREATE UNIQUE INDEX outbox_one_pending ON outbox_movements (partner, source_ref, destination)
  WHERE state = 'pending';
CREATE INDEX outbox_by_state ON outbox_movements (destination, state, id);
