-- 009: the full `offers` listing streams (issue 12, "Answers fast": 50,000
-- offers a second on 1,000,000 movements).
--
-- `offers` takes each offer's latest movement per destination by walking this
-- index in key order beside the offers (a merge, not a probe per offer); with
-- the state included, the walk never reads the outbox's rows. It replaces
-- 006's index of the same key.
CREATE INDEX outbox_latest_state ON outbox_movements (partner, source_ref, destination, id DESC)
  INCLUDE (state);
DROP INDEX outbox_offer_movements;
