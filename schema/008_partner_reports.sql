-- 008: the partners' reports (issue 13, drop-folders.md "Reports back to the
-- partner" and "The state of the partner's offers").
--
-- A file's report is written again after the file's run (an operator's
-- approve or set-aside of a quarantined file), so the store keeps what it
-- needs: each problem's record number (`enregistrement`), the partner's
-- header spelling of each field (`colonne`), and a quarantine's figures.

-- The record's number among the file's data records (NULL before 008).
ALTER TABLE run_rejects ADD COLUMN record bigint;
ALTER TABLE run_warnings ADD COLUMN record bigint;

ALTER TABLE import_runs
  -- {"rome_codes": "ROME1, ROME2", ...}: the header's columns feeding each
  -- field, as the partner wrote them.
  ADD COLUMN columns_as_written   json,
  -- A refused file: its error's value (the missing columns' names...).
  ADD COLUMN file_error_value     text,
  -- A quarantined snapshot: it would withdraw `quarantine_withdraw` of the
  -- partner's `quarantine_active` active offers.
  ADD COLUMN quarantine_withdraw  integer,
  ADD COLUMN quarantine_active    integer,
  -- An operator set the quarantined file aside: it is never applied.
  ADD COLUMN set_aside_at         timestamptz,
  -- The report in the partner's folder must be written again (the folder
  -- could not be reached when an operator acted): the next poll does it.
  ADD COLUMN report_due           boolean NOT NULL DEFAULT false;
CREATE INDEX import_runs_report_due ON import_runs (partner) WHERE report_due;

-- reports/etat-des-offres.csv: when it was last written, and the latest
-- change of the partner's offers at a destination it showed. It is written
-- again when a destination changed since (destination_offers.updated_at,
-- the server's time on both sides) or when it is a day old.
CREATE TABLE offer_state_reports (
  partner        text PRIMARY KEY,
  written_at     timestamptz NOT NULL,
  states_as_of   timestamptz
);
-- The latest change of a partner's offers at a destination: one index probe.
CREATE INDEX destination_offers_partner_updated ON destination_offers (partner, updated_at);
