-- 村情档案 (village file): one file per village per year, kept by the township, with an append-only log of every change.
--
-- The structured fields live in one jsonb object, validated against the field catalogue of
-- server/modules/villagefiles/villagefiles.rules.ts (FIELDS): the catalogue is the one place that
-- names a field, its aspect, unit, bounds and whether completeness counts it, and the form, the
-- XLSX columns, the completeness rule and the change log's diff are all read from it. A county that
-- asks for one more figure gets it without a migration, and a file of an older year keeps the
-- fields it was kept with. What the database itself guarantees: the object shape, one file per
-- village and year, the village level, and a log that can only grow.
create table village_file (
  id integer generated always as identity primary key,
  village_id integer not null references region (id),
  year smallint not null check (year between 2000 and 2100),
  data jsonb not null default '{}' check (jsonb_typeof(data) = 'object'),
  -- bumped on every change: a save names the version it was made on (optimistic concurrency)
  version integer not null default 1 check (version >= 1),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by integer not null references official (id),
  unique (village_id, year)
);

create index village_file_year_idx on village_file (year, village_id);

create function village_file_check_village() returns trigger language plpgsql as $$
begin
  if (select level from region where id = new.village_id) is distinct from 'village' then
    raise exception '村情档案只能建在村一级' using errcode = 'check_violation';
  end if;
  return new;
end $$;

create trigger village_file_check_village before insert or update of village_id on village_file
  for each row execute function village_file_check_village();

-- Every change of a file: who, when, how (a form save, carried forward from last year, an
-- import) and the field-level diff [{ "field", "from", "to" }]. Append-only, like case_transition.
create table village_file_change (
  id bigint generated always as identity primary key,
  file_id integer not null references village_file (id),
  action text not null check (action in ('create', 'update', 'carry_forward', 'import')),
  at timestamptz not null default now(),
  official_id integer not null references official (id),
  -- the names as they were at the time (an account may be renamed later)
  actor_name text not null,
  actor_role text not null,
  changes jsonb not null check (jsonb_typeof(changes) = 'array'),
  -- the file's version this change produced
  version integer not null check (version >= 1)
);

create index village_file_change_file_idx on village_file_change (file_id, id);

create function village_file_change_refuse() returns trigger language plpgsql as $$
begin
  raise exception '村情档案的修改记录只能追加，不能修改或删除' using errcode = 'insufficient_privilege';
end $$;

create trigger village_file_change_append_only before update or delete on village_file_change
  for each row execute function village_file_change_refuse();
create trigger village_file_change_no_truncate before truncate on village_file_change
  for each statement execute function village_file_change_refuse();

-- The board shows each village's file completeness; its cache moves with this table by 0015's trigger.
