-- The query table the Orleans ADO.NET providers read at start-up.
--
-- Orleans never touches our tables directly: each provider runs
--   SELECT QueryKey, QueryText FROM OrleansQuery
-- once when it starts and afterwards only executes those query texts, binding parameters by name
-- (@DeploymentId, @GrainIdHash, ...). The table name is hard-coded in the providers, unquoted, so
-- PostgreSQL folds it to orleansquery; the columns come back as querykey/querytext, which Npgsql
-- matches to the providers' "QueryKey"/"QueryText" look-ups case-insensitively.
--
-- Contract notes that every query text below relies on:
--   * "true" for a provider means a single column holding a value > 0;
--   * an ETag is an opaque int version that only ever moves forward; a write that does not match the
--     caller's version must change nothing and report so (no row, or the old version);
--   * every parameter is cast explicitly, so a NULL (first write, no key extension) still has a type.
-- Later files register their texts with INSERT ... ON CONFLICT (querykey) DO UPDATE, so a later
-- migration may replace a text; providers pick the new text up on their next start.

create table OrleansQuery
(
    QueryKey  text not null constraint orleans_query_pk primary key,
    QueryText text not null
);
