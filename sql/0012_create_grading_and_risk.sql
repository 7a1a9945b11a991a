-- 正向测评 (堡垒指数 positive list) and 负向测评 (risk negative list): county sheets per year, village scorings and screenings.
--
-- A county keeps one scoring sheet and one negative list per year. Once a village is scored on a
-- sheet (or screened on a list) the sheet's maxima and cut-offs are frozen by the service; besides,
-- every scoring and screening stores the numbers it was judged by, so a stored grade or level never
-- changes after the fact. Scorings and screenings are append-only: a new scoring of the same village
-- and year is a new row, the latest one counts, and the earlier ones stay as evidence (item 5 of
-- issue 10 refers to them by id).

create table grading_sheet (
  id integer generated always as identity primary key,
  -- the county that owns it (checked by the service: the level lives on region)
  region_id integer not null references region (id),
  year integer not null check (year between 2000 and 2100),
  strong_min integer not null,
  middle_min integer not null,
  created_by integer not null references official (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (middle_min >= 1 and strong_min > middle_min),
  unique (region_id, year),
  unique (id, year)
);

create table grading_item (
  id integer generated always as identity primary key,
  sheet_id integer not null references grading_sheet (id) on delete cascade,
  -- the three 有 of the source: leadership, members (and reserve talent), mechanism
  section text not null check (section in ('leadership', 'members', 'mechanism')),
  position integer not null check (position between 1 and 100),
  title text not null check (title = btrim(title) and length(title) between 1 and 100),
  max_score integer not null check (max_score between 1 and 100)
);

create index grading_item_sheet_idx on grading_item (sheet_id);

create table village_grade (
  id integer generated always as identity primary key,
  sheet_id integer not null,
  year integer not null,
  village_id integer not null references region (id),
  total integer not null check (total >= 0),
  -- the numbers it was judged by, copied from the sheet at the time
  max_total integer not null check (max_total >= 1),
  strong_min integer not null,
  middle_min integer not null,
  grade text not null check (grade in ('strong', 'middle', 'weak')),
  scored_by integer not null references official (id),
  actor_name text not null,
  scored_at timestamptz not null default now(),
  foreign key (sheet_id, year) references grading_sheet (id, year),
  check (total <= max_total),
  -- the grading rule (grading.rules.ts grade), kept true in the database too
  check (grade = case when total >= strong_min then 'strong' when total >= middle_min then 'middle' else 'weak' end)
);

create index village_grade_village_year_idx on village_grade (village_id, year, id desc);
create index village_grade_sheet_idx on village_grade (sheet_id);

create table village_grade_item (
  grade_id integer not null references village_grade (id),
  item_id integer not null references grading_item (id),
  score integer not null check (score >= 0),
  note text not null default '' check (length(note) <= 500),
  primary key (grade_id, item_id)
);

create index village_grade_item_item_idx on village_grade_item (item_id);

create table risk_list (
  id integer generated always as identity primary key,
  region_id integer not null references region (id),
  year integer not null check (year between 2000 and 2100),
  high_min integer not null,
  middle_min integer not null,
  created_by integer not null references official (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (middle_min >= 1 and high_min > middle_min),
  unique (region_id, year),
  unique (id, year)
);

create table risk_item (
  id integer generated always as identity primary key,
  list_id integer not null references risk_list (id) on delete cascade,
  -- the four types of the source
  type text not null check (type in ('party_building', 'integrity', 'governance', 'revitalization')),
  position integer not null check (position between 1 and 100),
  title text not null check (title = btrim(title) and length(title) between 1 and 100),
  weight integer not null check (weight between 1 and 10)
);

create index risk_item_list_idx on risk_item (list_id);

create table risk_screening (
  id integer generated always as identity primary key,
  list_id integer not null,
  year integer not null,
  village_id integer not null references region (id),
  -- why the village is screened: its 弱村 grade, or (issue 10 item 4) a department report
  trigger text not null check (trigger in ('weak_grade', 'report')),
  grade_id integer references village_grade (id),
  -- the report of item 4; its table does not exist yet, so no foreign key here
  report_id integer,
  score integer not null check (score >= 0),
  high_min integer not null,
  middle_min integer not null,
  level text not null check (level in ('high', 'middle', 'low')),
  outcome text not null check (outcome in ('rectify', 'prevent', 'none')),
  -- 防控措施等级 1 (一级, strictest) .. 3, only for 重点防控村
  prevention_level integer check (prevention_level between 1 and 3),
  screened_by integer not null references official (id),
  actor_name text not null,
  screened_at timestamptz not null default now(),
  foreign key (list_id, year) references risk_list (id, year),
  check ((trigger = 'weak_grade') = (grade_id is not null)),
  check ((trigger = 'report') = (report_id is not null)),
  check (level = case when score >= high_min then 'high' when score >= middle_min then 'middle' else 'low' end),
  check ((outcome = 'prevent') = (prevention_level is not null))
);

create index risk_screening_village_year_idx on risk_screening (village_id, year, id desc);

create table risk_mark (
  screening_id integer not null references risk_screening (id),
  item_id integer not null references risk_item (id),
  present boolean not null,
  evidence text not null default '' check (length(evidence) <= 1000),
  primary key (screening_id, item_id),
  check (not present or length(btrim(evidence)) >= 1)
);

create index risk_mark_item_idx on risk_mark (item_id);

-- Scorings and screenings are evidence: append-only, like the case transitions.
create function grading_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '评分和排查记录只能追加，不能修改或删除' using errcode = 'insufficient_privilege';
end $$;

create trigger village_grade_append_only before update or delete on village_grade
  for each row execute function grading_refuse_change();
create trigger village_grade_item_append_only before update or delete on village_grade_item
  for each row execute function grading_refuse_change();
create trigger risk_screening_append_only before update or delete on risk_screening
  for each row execute function grading_refuse_change();
create trigger risk_mark_append_only before update or delete on risk_mark
  for each row execute function grading_refuse_change();

-- The board shows a village's grade: its cache moves with these rows by 0015's triggers.
