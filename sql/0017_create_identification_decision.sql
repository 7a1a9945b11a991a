-- 三级认定 (issue 10 items 5 and 6): each township's yearly list, its steps, 重点防控村 records and risk reviews.
--
-- A township builds one list per year (draft), proposes it (乡镇党委会), the county organization
-- department determines it (部务会) and the county committee approves it (常委会); a step may send
-- it back. On approval each 'rectify' entry gets its case and each 'prevent' entry its prevention
-- record, in the same transaction (decisions.service.ts). The steps and the risk reviews are
-- append-only evidence, like the case transitions.

create table identification_list (
  id integer generated always as identity primary key,
  -- the township that proposes it and its county (checked by the service: the level lives on region)
  township_id integer not null references region (id),
  county_id integer not null references region (id),
  year integer not null check (year between 2000 and 2100),
  stage text not null default 'draft' check (stage in ('draft', 'proposed', 'determined', 'approved')),
  -- the campaign the county picked on approval: where the cases went
  campaign_id integer references campaign (id),
  -- bumped on every change of the entries or the stage (PUT carries it: two editors do not overwrite each other)
  version integer not null default 1 check (version >= 1),
  created_by integer not null references official (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (township_id, year),
  -- a list without a 软弱涣散村 is approved without a campaign
  check (campaign_id is null or stage = 'approved')
);

create index identification_list_county_year_idx on identification_list (county_id, year);

create table prevention_record (
  id integer generated always as identity primary key,
  village_id integer not null references region (id),
  county_id integer not null references region (id),
  year integer not null check (year between 2000 and 2100),
  -- the list that decided it and the screening it rests on
  list_id integer not null references identification_list (id),
  screening_id integer references risk_screening (id),
  -- 防控措施等级: 1 (一级, strictest) .. 3; kept at its last level once lifted
  level integer not null check (level between 1 and 3),
  risk_level text not null check (risk_level in ('high', 'middle', 'low')),
  status text not null default 'active' check (status in ('active', 'lifted')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- one record per village and year
  unique (village_id, year)
);

create index prevention_record_county_year_idx on prevention_record (county_id, year, status);
create index prevention_record_list_idx on prevention_record (list_id);

create table identification_entry (
  list_id integer not null references identification_list (id),
  village_id integer not null references region (id),
  outcome text not null check (outcome in ('rectify', 'prevent', 'none')),
  prevention_level integer check (prevention_level between 1 and 3),
  -- the evidence: the screening (its marks, grade_id, report_id) and the grade it was judged on
  screening_id integer references risk_screening (id),
  grade_id integer references village_grade (id),
  -- why the township deviates from the screening's proposal (the service requires it then)
  note text not null default '' check (length(note) <= 500),
  case_id integer references rectification_case (id),
  prevention_id integer references prevention_record (id),
  primary key (list_id, village_id),
  check ((outcome = 'prevent') = (prevention_level is not null)),
  check (case_id is null or outcome = 'rectify'),
  check (prevention_id is null or outcome = 'prevent')
);

create index identification_entry_village_idx on identification_entry (village_id);
create index identification_entry_case_idx on identification_entry (case_id) where case_id is not null;
create index identification_entry_prevention_idx on identification_entry (prevention_id) where prevention_id is not null;

create table identification_step (
  id bigint generated always as identity primary key,
  list_id integer not null references identification_list (id),
  action text not null check (action in ('propose', 'determine', 'approve', 'return')),
  from_stage text not null check (from_stage in ('draft', 'proposed', 'determined')),
  to_stage text not null check (to_stage in ('draft', 'proposed', 'determined', 'approved')),
  meeting text check (meeting in ('乡镇党委会', '部务会', '常委会')),
  meeting_date date,
  document_no text check (document_no is null or (document_no = btrim(document_no) and length(document_no) between 1 and 64)),
  decision text check (decision is null or (decision = btrim(decision) and length(decision) between 1 and 2000)),
  reason text check (reason is null or (reason = btrim(reason) and length(reason) between 1 and 1000)),
  official_id integer not null references official (id),
  -- the names as they were at the time (an account may be renamed later)
  actor_name text not null,
  actor_role text not null,
  at timestamptz not null default now(),
  -- the stage machine of decisions.rules.ts, kept true in the database too
  check (
    (action = 'propose' and from_stage = 'draft' and to_stage = 'proposed' and meeting = '乡镇党委会'
      and meeting_date is not null and decision is not null and reason is null)
    or (action = 'determine' and from_stage = 'proposed' and to_stage = 'determined' and meeting = '部务会'
      and meeting_date is not null and document_no is not null and reason is null)
    or (action = 'approve' and from_stage = 'determined' and to_stage = 'approved' and meeting = '常委会'
      and meeting_date is not null and document_no is not null and reason is null)
    or (action = 'return' and reason is not null
      and ((from_stage = 'proposed' and to_stage = 'draft') or (from_stage = 'determined' and to_stage = 'proposed')))
  )
);

create index identification_step_list_idx on identification_step (list_id, id);

-- 调低防控措施等级 and the risk level after exit (item 6): one row per review.
create table risk_review (
  id bigint generated always as identity primary key,
  village_id integer not null references region (id),
  case_id integer references rectification_case (id),
  prevention_id integer references prevention_record (id),
  risk_level text not null check (risk_level in ('high', 'middle', 'low')),
  from_prevention_level integer check (from_prevention_level between 1 and 3),
  -- null: lifted (for a prevention record) or not applicable (for a case)
  to_prevention_level integer check (to_prevention_level between 1 and 3),
  note text not null check (note = btrim(note) and length(note) between 1 and 1000),
  official_id integer not null references official (id),
  actor_name text not null,
  at timestamptz not null default now(),
  check ((case_id is null) <> (prevention_id is null)),
  check ((prevention_id is not null) = (from_prevention_level is not null)),
  check (prevention_id is not null or to_prevention_level is null),
  -- a level is only ever lowered (a larger number), one step at a time
  check (to_prevention_level is null or to_prevention_level between from_prevention_level and from_prevention_level + 1)
);

create index risk_review_case_idx on risk_review (case_id, id) where case_id is not null;
create index risk_review_prevention_idx on risk_review (prevention_id, id) where prevention_id is not null;
create index risk_review_village_idx on risk_review (village_id);

create function identification_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '认定步骤和风险复核记录只能追加，不能修改或删除' using errcode = 'insufficient_privilege';
end $$;

create trigger identification_step_append_only before update or delete on identification_step
  for each row execute function identification_refuse_change();
create trigger identification_step_no_truncate before truncate on identification_step
  for each statement execute function identification_refuse_change();
create trigger risk_review_append_only before update or delete on risk_review
  for each row execute function identification_refuse_change();
create trigger risk_review_no_truncate before truncate on risk_review
  for each statement execute function identification_refuse_change();

-- The board shows each village's decision and prevention level: its cache (0013) moves with them.
create constraint trigger identification_list_board_epoch after insert or update or delete on identification_list
  deferrable initially deferred for each row execute function board_epoch_bump();
create constraint trigger identification_entry_board_epoch after insert or update or delete on identification_entry
  deferrable initially deferred for each row execute function board_epoch_bump();
create constraint trigger prevention_record_board_epoch after insert or update or delete on prevention_record
  deferrable initially deferred for each row execute function board_epoch_bump();
