-- The region tree: city → county → township → village, with each row's path from the root.
create table region (
  id integer generated always as identity primary key,
  parent_id integer references region (id),
  level text not null check (level in ('city', 'county', 'township', 'village')),
  name text not null check (name = btrim(name) and length(name) between 1 and 64),
  -- 统计用区划代码 (statistical division code), optional
  code text check (code ~ '^[0-9]{6,12}$'),
  -- ids from the root to this region, itself included; maintained by the trigger below
  path integer[] not null default '{}',
  created_at timestamptz not null default now(),
  check ((level = 'city') = (parent_id is null))
);

create unique index region_sibling_name_key on region (coalesce(parent_id, 0), name);
create unique index region_code_key on region (code) where code is not null;
create index region_parent_idx on region (parent_id);
create index region_path_idx on region using gin (path);

create function region_before_insert() returns trigger language plpgsql as $$
declare
  parent region%rowtype;
  expected text;
begin
  if new.parent_id is null then
    new.path := array[new.id];
    return new;
  end if;
  select * into parent from region where id = new.parent_id;
  expected := case parent.level when 'city' then 'county' when 'county' then 'township' when 'township' then 'village' end;
  if expected is null or new.level <> expected then
    raise exception 'region level % cannot sit under a %', new.level, parent.level using errcode = 'check_violation';
  end if;
  new.path := parent.path || new.id;
  return new;
end $$;

create trigger region_before_insert before insert on region
  for each row execute function region_before_insert();

create function region_before_update() returns trigger language plpgsql as $$
begin
  if new.parent_id is distinct from old.parent_id or new.level <> old.level or new.path <> old.path then
    raise exception 'a region cannot be moved or change level' using errcode = 'check_violation';
  end if;
  return new;
end $$;

create trigger region_before_update before update on region
  for each row execute function region_before_update();
