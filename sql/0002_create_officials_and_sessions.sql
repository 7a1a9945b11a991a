-- Officials bound to one region, their login throttling and their server-side sessions.
create table official (
  id integer generated always as identity primary key,
  username text not null check (username ~ '^[A-Za-z0-9_.-]{3,32}$'),
  display_name text not null default '' check (length(display_name) <= 32),
  role text not null check (role in ('admin', 'city', 'county', 'township', 'village')),
  region_id integer not null references region (id),
  password_hash text not null,
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create unique index official_username_key on official (lower(username));
create index official_region_idx on official (region_id);

-- Keyed by the lower-cased username whether or not such an account exists, so an unknown user
-- and a wrong password are throttled, and answered, alike.
create table login_throttle (
  username_key text primary key,
  failures integer not null default 0 check (failures >= 0),
  next_attempt_at timestamptz not null default now()
);

create table auth_session (
  -- SHA-256 of the cookie value: a leaked table does not yield usable cookies
  id_hash bytea primary key check (length(id_hash) = 32),
  official_id integer not null references official (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);

create index auth_session_official_idx on auth_session (official_id);
