-- Device cookies (OWASP): browsers an official has logged in from are throttled on their own failures.
-- Failures from unknown devices throttle and lock only unknown devices (login_throttle), so whoever
-- knows a username can no longer keep its owner out of the browser they usually use.

-- One row per device cookie issued. The cookie holds the official's id, a 128-bit nonce and an
-- HMAC of both; the table holds only SHA-256 of the nonce. A cookie counts as a known device only
-- while its row exists: the row is deleted when the cookie is replaced at the next login, after
-- too many wrong passwords from it, and when it is older than the cookie's lifetime.
create table login_device (
  nonce_hash bytea primary key check (length(nonce_hash) = 32),
  official_id integer not null references official (id) on delete cascade,
  failures integer not null default 0 check (failures >= 0),
  next_attempt_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);

create index login_device_official_idx on login_device (official_id, created_at);

-- Secrets the service generates once and every instance sharing the database reads (a file under
-- DATA_DIR would differ between hosts). device_cookie: the HMAC key of device cookies, 244 random
-- bits from gen_random_uuid() (pg_strong_random; core PostgreSQL since 13). Rotating it (update the
-- row) turns every device cookie into an unknown device; nothing else depends on it.
create table server_secret (
  name text primary key,
  value bytea not null check (length(value) >= 32)
);

insert into server_secret (name, value)
values ('device_cookie', uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));

-- The periodic prune finds stale rows by their last failure.
create index login_throttle_next_attempt_idx on login_throttle (next_attempt_at);
