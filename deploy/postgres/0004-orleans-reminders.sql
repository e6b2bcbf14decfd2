-- Orleans reminders for the ADO.NET provider: one row per (service, grain, reminder name) with an int
-- version as the ETag. Each silo owns a slice of the consistent-hash ring and reloads "its" reminders by
-- grain hash every few minutes, so (service_id, grain_hash) is indexed.

create table orleans_reminders
(
    service_id    text        not null,
    grain_id      text        not null, -- GrainId.ToString(), parsed back by Orleans
    reminder_name text        not null,
    start_time    timestamptz not null,
    period_ms     bigint      not null, -- milliseconds; Orleans binds int or bigint depending on size
    grain_hash    int         not null, -- GrainId uniform hash, stored as signed int (the provider's cast)
    version       int         not null,
    constraint orleans_reminders_pk primary key (service_id, grain_id, reminder_name)
);

create index orleans_reminders_by_hash on orleans_reminders (service_id, grain_hash);

insert into OrleansQuery (QueryKey, QueryText)
values
('UpsertReminderRowKey', $q$
insert into orleans_reminders (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
values (@ServiceId::text, @GrainId::text, @ReminderName::text, @StartTime::timestamptz, @Period::bigint,
        @GrainHash::int, 1)
on conflict on constraint orleans_reminders_pk do update
   set start_time = excluded.start_time, period_ms = excluded.period_ms, grain_hash = excluded.grain_hash,
       version = orleans_reminders.version + 1
returning version as "Version"
$q$),

('ReadReminderRowsKey', $q$
select grain_id as "GrainId", reminder_name as "ReminderName", start_time as "StartTime", period_ms as "Period",
       version as "Version"
  from orleans_reminders
 where service_id = @ServiceId::text and grain_id = @GrainId::text
$q$),

('ReadReminderRowKey', $q$
select grain_id as "GrainId", reminder_name as "ReminderName", start_time as "StartTime", period_ms as "Period",
       version as "Version"
  from orleans_reminders
 where service_id = @ServiceId::text and grain_id = @GrainId::text and reminder_name = @ReminderName::text
$q$),

-- A ring range (Begin, End] that does not wrap around in signed order...
('ReadRangeRows1Key', $q$
select grain_id as "GrainId", reminder_name as "ReminderName", start_time as "StartTime", period_ms as "Period",
       version as "Version"
  from orleans_reminders
 where service_id = @ServiceId::text and grain_hash > @BeginHash::int and grain_hash <= @EndHash::int
$q$),

-- ...and one that does.
('ReadRangeRows2Key', $q$
select grain_id as "GrainId", reminder_name as "ReminderName", start_time as "StartTime", period_ms as "Period",
       version as "Version"
  from orleans_reminders
 where service_id = @ServiceId::text and (grain_hash > @BeginHash::int or grain_hash <= @EndHash::int)
$q$),

('DeleteReminderRowKey', $q$
with deleted as (
    delete from orleans_reminders
     where service_id = @ServiceId::text and grain_id = @GrainId::text and reminder_name = @ReminderName::text
       and version = @Version::int
    returning 1)
select count(*)::int from deleted
$q$),

('DeleteReminderRowsKey', $q$
delete from orleans_reminders where service_id = @ServiceId::text
$q$)
on conflict (QueryKey) do update set QueryText = excluded.QueryText;
