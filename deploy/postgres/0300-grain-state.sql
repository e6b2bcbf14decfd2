-- Grain state for the group-commit storage (PostgresGroupCommitGrainStorage): the hot grains, accounts and meters,
-- a million of each in a city. One row per grain state, keyed by service, grain type, grain key and state name, with
-- an int version as the ETag (1 on first write, +1 on every write or clear). Many grains' writes share one statement
-- and one transaction, and many activations' reads share one query; each row still carries its own version check.
--
-- fillfactor 80 leaves room on each page so that the constant rewrites of a row stay heap-only (HOT) updates, which
-- touch no index.

create table grain_state
(
    service_id  text        not null,
    grain_type  text        not null,
    grain_key   text        not null,
    state_name  text        not null,
    payload     bytea,                -- NULL after a clear: the grain reads its default state
    version     int         not null,
    modified_at timestamptz not null default now(),
    constraint grain_state_pk primary key (service_id, grain_type, grain_key, state_name),
    constraint grain_state_version_positive check (version >= 1)
) with (fillfactor = 80);
