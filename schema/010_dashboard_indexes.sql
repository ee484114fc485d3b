-- 010: the dashboard's chart (issue 13, dashboard.md "Every page answers in
-- under 200 ms on 100,000 offers and 1,000,000 movements").
--
-- Accueil's "offers online per day over 90 days" sums each day's changes of
-- a partner's offers (offer_history) since 90 days ago. offer_history_offer
-- (partner, source_ref, id) would read the partner's whole history; this
-- reads only the last 90 days, and the statuses it sums come with the index
-- (an index-only scan once vacuumed: no heap visit per change).
CREATE INDEX offer_history_partner_at ON offer_history (partner, at)
  INCLUDE (old_status, new_status);
