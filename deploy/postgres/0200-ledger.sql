-- The ledger: append-only money history, one gap-free sequence per account (see shared/ARCHITECTURE.md §3).
-- Idempotent: safe to apply on every start-up and on a database that has it already.
-- Corrections are new reversing entries; UPDATE, DELETE and TRUNCATE are rejected by triggers below.

CREATE TABLE IF NOT EXISTS ledger (
    account_id          text        NOT NULL,
    seq                 bigint      NOT NULL,
    kind                smallint    NOT NULL,                -- LedgerEntryKind; numbers never change
    amount_minor        bigint      NOT NULL,                -- signed effect on the balance, minor units
    currency            char(3)     NOT NULL,                -- ISO 4217
    balance_after_minor bigint      NOT NULL,                -- balance once this entry is applied
    occurred_at         timestamptz NOT NULL,
    external_id         text,                                -- payment / refund / adjustment id (first entry of an external commit)
    request_hash        text,                                -- tells a replay of external_id from a conflicting reuse
    external_entries    integer,                             -- on the external_id row: entries written by that commit (this and the next ones)
    meter_id            text,                                -- usage: the meter billed
    register_from_wh    bigint,                              -- usage: register range billed (from, to]
    register_to_wh      bigint,
    exact_minor         numeric,                             -- charges: exact unrounded amount, minor units
    reverses_seq        bigint,                              -- reversals: the entry reversed
    details             jsonb,                               -- for people and statements
    recorded_at         timestamptz NOT NULL DEFAULT now(),  -- commit-transaction time, for audit
    CONSTRAINT ledger_pk PRIMARY KEY (account_id, seq),
    CONSTRAINT ledger_seq_positive CHECK (seq >= 1),
    CONSTRAINT ledger_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT ledger_kind_known CHECK (kind BETWEEN 1 AND 8),
    CONSTRAINT ledger_account_not_empty CHECK (account_id <> ''),
    CONSTRAINT ledger_external_complete CHECK (
        (external_id IS NULL AND request_hash IS NULL AND external_entries IS NULL)
        OR (external_id <> '' AND request_hash IS NOT NULL AND external_entries >= 1)),
    CONSTRAINT ledger_register_range CHECK (
        register_from_wh IS NULL OR register_to_wh IS NULL OR register_from_wh <= register_to_wh),
    CONSTRAINT ledger_reverses_earlier CHECK (reverses_seq IS NULL OR (reverses_seq >= 1 AND reverses_seq < seq))
);

-- Tail reads (activation replays entries after the snapshot's sequence) use the primary key (account_id, seq).
-- Statements for a period:
CREATE INDEX IF NOT EXISTS ledger_account_occurred ON ledger (account_id, occurred_at);
-- At most one external commit per payment / refund / adjustment id: the database is the judge of idempotency.
CREATE UNIQUE INDEX IF NOT EXISTS ledger_external_id ON ledger (external_id) WHERE external_id IS NOT NULL;

-- Append-only: no role may change or remove history. (The owner and superusers could disable triggers; that
-- is an operator's deliberate act outside the application, not something a bug can do.)
REVOKE UPDATE, DELETE, TRUNCATE ON ledger FROM PUBLIC;

CREATE OR REPLACE FUNCTION ledger_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % is not allowed; append a reversing entry instead', TG_OP
        USING ERRCODE = 'insufficient_privilege', HINT = 'Corrections are new entries of kind Reversal or Adjustment.';
END
$$;

CREATE OR REPLACE TRIGGER ledger_no_update_delete
    BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_reject_change();

CREATE OR REPLACE TRIGGER ledger_no_truncate
    BEFORE TRUNCATE ON ledger
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change();

-- Gap-free: every new row must follow a row that exists (committed, or inserted earlier in the same transaction
-- or statement). One set-based check per statement, so a group commit of a thousand rows costs one query.
CREATE OR REPLACE FUNCTION ledger_check_gap_free() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    gap record;
BEGIN
    -- A primary-key probe per new row. The sub-select with LIMIT is not turned into a join, so the plan that
    -- PL/pgSQL caches for the session can never become a scan of the whole ledger as the table grows.
    SELECT n.account_id, n.seq INTO gap
    FROM ledger_new n
    WHERE n.seq > 1
      AND (SELECT l.seq FROM ledger l WHERE l.account_id = n.account_id AND l.seq = n.seq - 1 LIMIT 1) IS NULL
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger sequence % of account % would leave a gap: sequence % is missing', gap.seq, gap.account_id, gap.seq - 1
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_gap_free';
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER ledger_gap_free
    AFTER INSERT ON ledger
    REFERENCING NEW TABLE AS ledger_new
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_gap_free();
