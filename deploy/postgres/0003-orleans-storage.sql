-- Orleans grain storage for the ADO.NET provider: one row per grain state, keyed by service, grain type and
-- grain id, with an int version as the ETag. Payloads are whatever the configured IGrainStorageSerializer
-- writes (PrepaidPower configures Orleans' binary serializer; see UsePrepaidPowerPostgres).
--
-- Identity, as the provider binds it: @ServiceId (ClusterOptions.ServiceId), @GrainTypeString and its hash
-- @GrainTypeHash, and the grain key split into @GrainIdN0/@GrainIdN1 (integer key: 0/key; Guid key: its two
-- halves) and @GrainIdExtensionString (the key extension, or the whole key for string-keyed grains; NULL
-- when there is none), plus the hash of the key @GrainIdHash. The hashes lead the unique key so look-ups
-- are narrow; the unique constraint makes two racing first writes of one grain impossible (the loser sees
-- a conflict) and guarantees the read below never answers two rows. NULLS NOT DISTINCT (PostgreSQL 15+)
-- so that "no key extension" is one identity, not many.

create table orleans_storage
(
    service_id      text        not null,
    grain_id_hash   int         not null,
    grain_type_hash int         not null,
    grain_id_n0     bigint      not null,
    grain_id_n1     bigint      not null,
    grain_type      text        not null,
    grain_id_ext    text,
    payload         bytea,                -- NULL after a clear: the grain reads its default state
    version         int         not null, -- the ETag: 1 on first write, +1 on every write or clear
    modified_at     timestamptz not null default now(),
    constraint orleans_storage_identity unique nulls not distinct
        (service_id, grain_id_hash, grain_type_hash, grain_id_n0, grain_id_n1, grain_type, grain_id_ext)
);

insert into OrleansQuery (QueryKey, QueryText)
values
-- No row, or a NULL payload, means "never written / cleared": Orleans then activates with default state.
('ReadFromStorageKey', $q$
select payload as "PayloadBinary", version as "Version"
  from orleans_storage
 where service_id = @ServiceId::text and grain_id_hash = @GrainIdHash::int and grain_type_hash = @GrainTypeHash::int
   and grain_id_n0 = @GrainIdN0::bigint and grain_id_n1 = @GrainIdN1::bigint and grain_type = @GrainTypeString::text
   and grain_id_ext is not distinct from @GrainIdExtensionString::text
$q$),

-- With a version: update only if the stored version still equals it. Without one (the grain has never seen
-- a row): insert version 1, unless a row appeared meanwhile. Either way a conflict answers no row, which
-- Orleans turns into InconsistentStateException.
('WriteToStorageKey', $q$
with updated as (
    update orleans_storage
       set payload = @PayloadBinary::bytea, version = version + 1, modified_at = now()
     where @GrainStateVersion::int is not null and version = @GrainStateVersion::int
       and service_id = @ServiceId::text and grain_id_hash = @GrainIdHash::int and grain_type_hash = @GrainTypeHash::int
       and grain_id_n0 = @GrainIdN0::bigint and grain_id_n1 = @GrainIdN1::bigint and grain_type = @GrainTypeString::text
       and grain_id_ext is not distinct from @GrainIdExtensionString::text
    returning version),
inserted as (
    insert into orleans_storage (service_id, grain_id_hash, grain_type_hash, grain_id_n0, grain_id_n1, grain_type,
                                 grain_id_ext, payload, version)
    select @ServiceId::text, @GrainIdHash::int, @GrainTypeHash::int, @GrainIdN0::bigint, @GrainIdN1::bigint,
           @GrainTypeString::text, @GrainIdExtensionString::text, @PayloadBinary::bytea, 1
     where @GrainStateVersion::int is null
    on conflict on constraint orleans_storage_identity do nothing
    returning version)
select version as "NewGrainStateVersion" from updated
union all
select version from inserted
$q$),

-- Clear keeps the row (and so the version history) but drops the payload.
('ClearStorageKey', $q$
update orleans_storage
   set payload = null, version = version + 1, modified_at = now()
 where version = @GrainStateVersion::int
   and service_id = @ServiceId::text and grain_id_hash = @GrainIdHash::int and grain_type_hash = @GrainTypeHash::int
   and grain_id_n0 = @GrainIdN0::bigint and grain_id_n1 = @GrainIdN1::bigint and grain_type = @GrainTypeString::text
   and grain_id_ext is not distinct from @GrainIdExtensionString::text
returning version
$q$),

-- Used instead of the clear when DeleteStateOnClear is set; answers a version other than the caller's
-- (Orleans only checks that it moved) and the next write starts again at 1.
('DeleteStorageKey', $q$
delete from orleans_storage
 where version = @GrainStateVersion::int
   and service_id = @ServiceId::text and grain_id_hash = @GrainIdHash::int and grain_type_hash = @GrainTypeHash::int
   and grain_id_n0 = @GrainIdN0::bigint and grain_id_n1 = @GrainIdN1::bigint and grain_type = @GrainTypeString::text
   and grain_id_ext is not distinct from @GrainIdExtensionString::text
returning version + 1
$q$)
on conflict (QueryKey) do update set QueryText = excluded.QueryText;
