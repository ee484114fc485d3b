-- 004: what the national services hold, whatever fails (issue 10,
-- shared/specs/destinations/lba.md "Behaviour required of the connector").

-- Per offer and destination:
--  accepted_body     the last body the service accepted (lba): a close is
--                    that body with status Cancelled, never one built from
--                    the current offer, which may be why it can't be sent;
--  unsettled_body    the body of a write whose answer never came (timeout,
--                    5xx): it may have been applied;
--  possibly_present  such a write happened and no later write settled it:
--                    the offer's close is sent even without a service id;
--  dropped_channels  apply channels left out because the service would
--                    refuse them (EMAIL_REFUSED, PHONE_REFUSED);
--  audited_at        when reconcile last read the offer back from the service.
ALTER TABLE destination_offers
  ADD COLUMN accepted_body     text,
  ADD COLUMN unsettled_body    text,
  ADD COLUMN possibly_present  boolean NOT NULL DEFAULT false,
  ADD COLUMN dropped_channels  text[] NOT NULL DEFAULT '{}',
  ADD COLUMN audited_at        timestamptz;
CREATE INDEX destination_offers_audit ON destination_offers (destination, audited_at NULLS FIRST)
  WHERE service_id IS NOT NULL OR possibly_present;

-- Order under backlog (the write quota is the bottleneck): 0 closes, 1 new
-- offers, 2 changes, 3 refreshes (rolling expiration).
ALTER TABLE outbox_movements ADD COLUMN priority smallint NOT NULL DEFAULT 2;
UPDATE outbox_movements SET priority = 0 WHERE kind = 'close';
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox_movements (destination, priority, id)
  WHERE state IN ('pending', 'in_flight');

-- Quotas shared by every process using one API key (daemons, `push`,
-- `reconcile`): the grants of the current window, and a pause after a 429.
-- `quota` names the key without holding it (a hash) and the kind of call.
CREATE TABLE quota_grants (
  quota       text NOT NULL,
  granted_at  timestamptz NOT NULL
);
CREATE INDEX quota_grants_by_quota ON quota_grants (quota, granted_at);
CREATE TABLE quota_pauses (
  quota         text PRIMARY KEY,
  paused_until  timestamptz NOT NULL
);

-- Reconcile's audit of the service.
ALTER TABLE reconcile_runs
  ADD COLUMN audited         integer NOT NULL DEFAULT 0,  -- offers read back from the service
  ADD COLUMN audit_closed    integer NOT NULL DEFAULT 0,  -- active there, not here: close queued
  ADD COLUMN audit_resent    integer NOT NULL DEFAULT 0;  -- missing there, active here: re-sent
