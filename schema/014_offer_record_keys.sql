-- 014: the key of the record each offer was last read from (issue 14, the
-- daily path; formats/known_records.h, daemon/store/record_keys.h). A
-- snapshot's record whose key is here, with the content hash the offer
-- still has and the offer active, is not read again: a daily export repeats
-- most of its records byte for byte.
--
-- `content_hash` is the offer's content hash when the key was written: if
-- the offer changed since by any other path (an approved quarantine, an
-- operator's withdrawal, a newer file), the two differ and the key no longer
-- counts. Keys of withdrawn offers stay; they count again only if the offer
-- comes back with that content.
CREATE TABLE offer_record_keys (
  partner       text NOT NULL,
  source_ref    text NOT NULL,
  record_key    text NOT NULL,  -- hex SHA-256 of the record's identity and the reader's version
  content_hash  text NOT NULL,
  PRIMARY KEY (partner, source_ref)
);
