-- Orleans clustering (membership) for the ADO.NET provider: one version row per cluster, one row per silo
-- incarnation, and the nine query texts the provider requires (plus the optional per-row clean-up).
--
-- Optimistic concurrency: the provider passes @Version = the table version it last read. An insert or
-- update of a member row succeeds only while the cluster's version row still holds that value, and bumps
-- it in the same transaction; otherwise nothing changes and the query answers 0, and Orleans re-reads.
-- Every member write goes through the version row's lock, so concurrent writers of one cluster serialise.
-- @DeploymentId is Orleans' ClusterOptions.ClusterId.

create table orleans_membership_version
(
    cluster_id text        not null constraint orleans_membership_version_pk primary key,
    version    int         not null default 0,
    changed_at timestamptz not null default now()
);

create table orleans_membership
(
    cluster_id      text        not null references orleans_membership_version (cluster_id) on delete cascade,
    address         text        not null,
    port            int         not null,
    generation      int         not null,
    silo_name       text        not null,
    host_name       text        not null,
    status          int         not null, -- Orleans SiloStatus: 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead
    proxy_port      int         not null, -- gateway port, 0 when the silo is no gateway
    suspect_times   text,                 -- Orleans' own "silo,time|silo,time" encoding of suspicion votes
    start_time      timestamptz not null, -- timestamptz: Npgsql 6+ refuses UTC DateTimes for plain timestamp
    i_am_alive_time timestamptz not null,
    constraint orleans_membership_pk primary key (cluster_id, address, port, generation)
);

-- Inserts a member row if the cluster version is still p_version; answers 1 and bumps the version, or 0.
create function orleans_membership_insert(
    p_cluster_id text, p_address text, p_port int, p_generation int, p_silo_name text, p_host_name text,
    p_status int, p_proxy_port int, p_start_time timestamptz, p_i_am_alive_time timestamptz, p_version int)
    returns int
    language plpgsql as
$$
begin
    -- The row lock taken here is what orders concurrent membership writers of one cluster.
    perform 1 from orleans_membership_version
     where cluster_id = p_cluster_id and version = p_version
       for update;
    if not found then
        return 0;
    end if;

    insert into orleans_membership (cluster_id, address, port, generation, silo_name, host_name, status,
                                    proxy_port, start_time, i_am_alive_time)
    values (p_cluster_id, p_address, p_port, p_generation, coalesce(p_silo_name, ''), coalesce(p_host_name, ''),
            p_status, coalesce(p_proxy_port, 0), p_start_time, p_i_am_alive_time)
    on conflict on constraint orleans_membership_pk do nothing;
    if not found then
        return 0;
    end if;

    update orleans_membership_version set version = version + 1, changed_at = now()
     where cluster_id = p_cluster_id;
    return 1;
end
$$;

-- Updates a member row's status, suspicions and liveness if the cluster version is still p_version.
create function orleans_membership_update(
    p_cluster_id text, p_address text, p_port int, p_generation int, p_status int, p_suspect_times text,
    p_i_am_alive_time timestamptz, p_version int)
    returns int
    language plpgsql as
$$
begin
    perform 1 from orleans_membership_version
     where cluster_id = p_cluster_id and version = p_version
       for update;
    if not found then
        return 0;
    end if;

    update orleans_membership
       set status          = p_status,
           suspect_times   = p_suspect_times,
           -- liveness never goes backwards, whichever of two racing writers lands last
           i_am_alive_time = greatest(i_am_alive_time, p_i_am_alive_time)
     where cluster_id = p_cluster_id and address = p_address and port = p_port and generation = p_generation;
    if not found then
        return 0;
    end if;

    update orleans_membership_version set version = version + 1, changed_at = now()
     where cluster_id = p_cluster_id;
    return 1;
end
$$;

insert into OrleansQuery (QueryKey, QueryText)
values
('InsertMembershipVersionKey', $q$
with created as (
    insert into orleans_membership_version (cluster_id) values (@DeploymentId::text)
    on conflict on constraint orleans_membership_version_pk do nothing
    returning 1)
select count(*)::int from created
$q$),

-- Both reads start from the version row and LEFT JOIN the members, so a cluster with no member (yet)
-- still answers one row carrying the table version; Orleans reads a NULL StartTime as "no member".
('MembershipReadAllKey', $q$
select v.cluster_id as "DeploymentId", m.address as "Address", m.port as "Port", m.generation as "Generation",
       m.silo_name as "SiloName", m.host_name as "HostName", m.status as "Status", m.proxy_port as "ProxyPort",
       m.suspect_times as "SuspectTimes", m.start_time as "StartTime", m.i_am_alive_time as "IAmAliveTime",
       v.version as "Version"
  from orleans_membership_version v
  left join orleans_membership m on m.cluster_id = v.cluster_id
 where v.cluster_id = @DeploymentId::text
$q$),

('MembershipReadRowKey', $q$
select v.cluster_id as "DeploymentId", m.address as "Address", m.port as "Port", m.generation as "Generation",
       m.silo_name as "SiloName", m.host_name as "HostName", m.status as "Status", m.proxy_port as "ProxyPort",
       m.suspect_times as "SuspectTimes", m.start_time as "StartTime", m.i_am_alive_time as "IAmAliveTime",
       v.version as "Version"
  from orleans_membership_version v
  left join orleans_membership m
    on m.cluster_id = v.cluster_id
   and m.address = @Address::text and m.port = @Port::int and m.generation = @Generation::int
 where v.cluster_id = @DeploymentId::text
$q$),

('InsertMembershipKey', $q$
select orleans_membership_insert(@DeploymentId::text, @Address::text, @Port::int, @Generation::int,
       @SiloName::text, @HostName::text, @Status::int, @ProxyPort::int, @StartTime::timestamptz,
       @IAmAliveTime::timestamptz, @Version::int)
$q$),

('UpdateMembershipKey', $q$
select orleans_membership_update(@DeploymentId::text, @Address::text, @Port::int, @Generation::int,
       @Status::int, @SuspectTimes::text, @IAmAliveTime::timestamptz, @Version::int)
$q$),

-- The heartbeat: not versioned (Orleans does not check its result), and never moves time backwards.
('UpdateIAmAlivetimeKey', $q$
update orleans_membership
   set i_am_alive_time = greatest(i_am_alive_time, @IAmAliveTime::timestamptz)
 where cluster_id = @DeploymentId::text and address = @Address::text and port = @Port::int
   and generation = @Generation::int
$q$),

('GatewaysQueryKey', $q$
select address as "Address", proxy_port as "ProxyPort", generation as "Generation"
  from orleans_membership
 where cluster_id = @DeploymentId::text and status = @Status::int and proxy_port > 0
$q$),

-- Forgets a whole cluster (Orleans uses it for test and tear-down paths); members go by the cascade.
('DeleteMembershipTableEntriesKey', $q$
delete from orleans_membership_version where cluster_id = @DeploymentId::text
$q$),

-- Required since Orleans 3.7: prunes Dead (6) silos that have been silent since before @IAmAliveTime.
('CleanupDefunctSiloEntriesKey', $q$
delete from orleans_membership
 where cluster_id = @DeploymentId::text and status = 6
   and i_am_alive_time < @IAmAliveTime::timestamptz and start_time < @IAmAliveTime::timestamptz
$q$),

-- Optional (Orleans 10.4): when present the provider uses it instead of the bulk query above, deleting one
-- Dead row at a time and only if it is still exactly the row Orleans judged defunct (times as read back).
('CleanupDefunctSiloEntryKey', $q$
delete from orleans_membership
 where cluster_id = @DeploymentId::text and status = 6
   and address = @Address::text and port = @Port::int and generation = @Generation::int
   and start_time = @StartTime::timestamptz and i_am_alive_time = @IAmAliveTime::timestamptz
   and coalesce(suspect_times, '') = coalesce(@SuspectTimes::text, '')
$q$)
on conflict (QueryKey) do update set QueryText = excluded.QueryText;
