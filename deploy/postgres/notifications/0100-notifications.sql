-- Notification outbox: one row per (event deduplication key, channel); written by the account side, drained by the
-- notification dispatcher. Idempotent: safe to apply on every start-up and by the schema migrator.
--
-- status:  pending   waiting for next_attempt_at
--          sending   claimed by a dispatcher (claim_token); next_attempt_at is the lease's end, after which the
--                    row is due again (the claimer died or hung)
--          delivered done (delivered_at)
--          dead      failed permanently or ran out of attempts (last_error says why)
-- All times come from the application's clock, not now(), so that every dispatcher agrees with its own tests.

create table if not exists notification_outbox (
    id              bigserial   primary key,
    dedup_key       text        not null,
    channel         text        not null,
    payload         jsonb       not null,
    status          text        not null default 'pending',
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null,
    claim_token     uuid        null,
    last_error      text        null,
    created_at      timestamptz not null,
    delivered_at    timestamptz null,
    constraint notification_outbox_dedup unique (dedup_key, channel),
    constraint notification_outbox_status check (status in ('pending', 'sending', 'delivered', 'dead')),
    constraint notification_outbox_channel check (channel in ('sms', 'push', 'email', 'log')),
    constraint notification_outbox_attempts check (attempts >= 0)
);

-- The dispatcher's claim scans only unfinished rows, oldest due first.
create index if not exists notification_outbox_due
    on notification_outbox (next_attempt_at)
    where status in ('pending', 'sending');
