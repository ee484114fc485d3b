-- 006: indexes for the operators' reads (issue 12, "Answers fast").
--
-- `offers` shows each offer's latest movement per destination, and `offer`
-- every movement of one offer: the partial indexes of 002 only cover pending
-- and in-flight ones, so both read the whole outbox without this one.
CREATE INDEX outbox_offer_movements ON outbox_movements (partner, source_ref, destination, id DESC);
-- `status` counts the offers a destination found not eligible, by reason.
CREATE INDEX destination_offers_not_eligible ON destination_offers (destination)
  WHERE cardinality(not_eligible_reasons) > 0;
-- `status`: failed polls and the last reconciliation.
CREATE INDEX reconcile_runs_done ON reconcile_runs (finished_at DESC) WHERE outcome = 'done';

-- `offer`: which fields each version changed. An update keeps the content it
-- replaced (a version's content is the next update's replaced content, or the
-- offer's current one); NULL for creations, status changes, and history
-- written before 006.
ALTER TABLE offer_history ADD COLUMN replaced_json text;
