-- 012: an operator pauses a partner's polling (dashboard.md: "Operators ...
-- pause or resume a partner's polling"). While its row exists, no daemon
-- sharing the store lists or takes the partner's drop folder; its stored
-- offers and queued movements are untouched.
CREATE TABLE partner_pauses (
  partner    text PRIMARY KEY,
  paused_at  timestamptz NOT NULL,
  paused_by  text NOT NULL
);
