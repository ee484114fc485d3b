-- 011: the dashboard's offer search (issue 13, dashboard.md "Offres": search
-- by reference, title, employer, SIRET; every page under 200 ms on 100,000
-- offers).
--
-- offers.search_text: the reference, title, employer's name and SIRET,
-- folded (ASCII capitals lower-cased, the accented letters of French mapped
-- to their base letter), written by the import in the client
-- (daemon/store/offer_search_text.h, the same fold as offer_search_fold()
-- below, which folds the words searched). A trigram index (pg_trgm, shipped
-- with PostgreSQL 15 in Debian, and a trusted extension: the store's owner
-- may create it) answers "contains" in milliseconds where LIKE '%...%' would
-- read every offer.
--
-- The column is the client's rather than an index expression over the
-- JSON: parsing each offer's JSON on the server doubled a first import.
--
-- Where the extension cannot be created (a role without CREATE on the
-- database), the search still works, unindexed: a scan under the page's
-- LIMIT.

-- translate(), not lower(): the same bytes whatever the server's locale
-- (a store created with LC_CTYPE=C lower-cases ASCII only).
CREATE FUNCTION offer_search_fold(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN translate(t,
                   'ABCDEFGHIJKLMNOPQRSTUVWXYZàâäáãåÀÂÄÁÃÅçÇéèêëÉÈÊËíìîïÍÌÎÏñÑóòôöõÓÒÔÖÕúùûüÚÙÛÜýÿÝŸ',
                   'abcdefghijklmnopqrstuvwxyzaaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooouuuuuuuuyyyy');

ALTER TABLE offers ADD COLUMN search_text text;

-- The offers stored before this migration (once; the imports write it).
UPDATE offers SET search_text = offer_search_fold(concat_ws(' ', source_ref,
  json::jsonb ->> 'title', json::jsonb -> 'employer' ->> 'name',
  json::jsonb -> 'employer' ->> 'siret'));

DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
  RAISE NOTICE 'pg_trgm not available (%): the offer search is not indexed', SQLERRM;
END
$$;

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX offers_search ON offers USING gin (search_text gin_trgm_ops);
  END IF;
END
$$;
