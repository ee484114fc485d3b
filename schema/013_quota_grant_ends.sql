-- 013: the service counts a request when it arrives, anywhere between our
-- grant and the request's end, not at the grant (a system test saw 91
-- writes in a window of 90). Each grant now keeps when its request ends
-- (connectors/http/rate_limiter.h has the rule and its proof;
-- daemon/store/shared_quota.h how the store keeps it):
--  - id: the grant, so that its process can record the end (RETURNING id);
--  - ends_at: granted_at + the request's deadline while it is in flight (an
--    upper bound: a process killed mid-request leaves a grant that stops
--    counting by itself), lowered to the request's real end when it ends.
-- Rows already there were written by the former rule, which took a request
-- as counted at its grant: they end then.
ALTER TABLE quota_grants ADD COLUMN id bigserial PRIMARY KEY;
ALTER TABLE quota_grants ADD COLUMN ends_at timestamptz;
UPDATE quota_grants SET ends_at = granted_at;
ALTER TABLE quota_grants ALTER COLUMN ends_at SET NOT NULL;

-- A process of the former program still running against this store (hosts
-- upgraded one after the other) inserts no ends_at: give its grant the
-- deadline bound of the default request deadline (60 s), rather than fail
-- every one of its requests.
CREATE FUNCTION quota_grants_default_end() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  NEW.ends_at := coalesce(NEW.ends_at, NEW.granted_at + interval '60 seconds');
  RETURN NEW;
END
$$;
CREATE TRIGGER quota_grants_default_end BEFORE INSERT ON quota_grants
  FOR EACH ROW EXECUTE FUNCTION quota_grants_default_end();

-- The rule reads, and the pruning deletes, a quota's grants by their end.
DROP INDEX quota_grants_by_quota;
CREATE INDEX quota_grants_by_quota_end ON quota_grants (quota, ends_at);
