-- Tollgate schema, version 2: the spend journal's commit marks (spend/spend_journal.h). Each
-- process journals its settled spend under a journal id of its own; every batch the spend
-- writer commits records, in the same transaction, the last journal sequence number it holds,
-- so a journal replayed after a crash skips what was committed before (never counted twice).
-- A row is deleted once the journal's files are gone.

CREATE TABLE spend_journal_commits (
  journal_id TEXT PRIMARY KEY,
  committed_seq BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
