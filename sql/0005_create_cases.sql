-- Rectification campaigns, their cases (one per listed village), problem lists and the transition log.
create table campaign (
  id integer generated always as identity primary key,
  -- owned by a county or a city (checked by the service: the level lives on region)
  region_id integer not null references region (id),
  year integer not null check (year between 2000 and 2100),
  title text not null check (title = btrim(title) and length(title) between 1 and 100),
  case_types jsonb not null check (jsonb_typeof(case_types) = 'array' and jsonb_array_length(case_types) between 1 and 20),
  -- 堡垒指数: when required, county acceptance records the grade and exit needs strong or middle
  require_fortress_grade boolean not null default true,
  -- the template its sessions start from (copied into each session: later edits change no session)
  questionnaire jsonb not null check (jsonb_typeof(questionnaire) = 'object'),
  rules jsonb not null check (jsonb_typeof(rules) = 'object'),
  created_by integer not null references official (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create unique index campaign_region_year_title_key on campaign (region_id, year, title);

create table rectification_case (
  id integer generated always as identity primary key,
  campaign_id integer not null references campaign (id),
  village_id integer not null references region (id),
  types jsonb not null check (jsonb_typeof(types) = 'array' and jsonb_array_length(types) >= 1),
  -- 一村一策
  plan text not null default '' check (length(plan) <= 5000),
  -- 四个一: countyLeader, townshipLeader, firstSecretary, pairedUnit
  responsible jsonb not null default '{"countyLeader":"","townshipLeader":"","firstSecretary":"","pairedUnit":""}'
    check (jsonb_typeof(responsible) = 'object'),
  state text not null default 'listed' check (state in (
    'listed', 'rectifying', 'village_evaluation', 'applied', 'township_check',
    'county_acceptance', 'city_review', 'exited', 'monitoring'
  )),
  deadline date not null,
  fortress_grade text check (fortress_grade in ('strong', 'middle', 'weak')),
  -- a look-back that failed re-lists the village as a new case pointing at the old one (at most once)
  previous_case_id integer unique references rectification_case (id),
  created_by integer not null references official (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  state_changed_at timestamptz not null default now(),
  check (previous_case_id is null or previous_case_id <> id)
);

-- One open case per village: a closed one (exited or under look-back) does not block a new listing.
create unique index rectification_case_active_village_key on rectification_case (village_id)
  where state not in ('exited', 'monitoring');
create index rectification_case_campaign_idx on rectification_case (campaign_id);
create index rectification_case_village_idx on rectification_case (village_id);

-- 问题清单: each item has an owner and a deadline; a case passes the township check only when all are done.
create table case_problem (
  id integer generated always as identity primary key,
  case_id integer not null references rectification_case (id),
  description text not null check (length(description) between 1 and 500),
  owner text not null check (length(owner) between 1 and 64),
  deadline date not null,
  status text not null default 'open' check (status in ('open', 'done')),
  done_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'done') = (done_at is not null))
);

create index case_problem_case_idx on case_problem (case_id);

-- Every step of a case: who, when, why, and the evaluation session it rests on. Append-only.
create table case_transition (
  id bigint generated always as identity primary key,
  case_id integer not null references rectification_case (id),
  action text not null check (action in (
    'start', 'request_evaluation', 'apply', 'receive', 'township_pass', 'county_pass',
    'city_pass', 'return', 'monitor', 'lookback_pass', 'relist'
  )),
  from_state text not null,
  to_state text not null,
  at timestamptz not null default now(),
  official_id integer not null references official (id),
  -- the names as they were at the time (an account may be renamed later)
  actor_name text not null,
  actor_role text not null,
  reason text check (reason is null or length(reason) between 1 and 1000),
  deadline date,
  session_id integer references evaluation_session (id),
  evidence text check (evidence is null or length(evidence) <= 2000),
  fortress_grade text check (fortress_grade in ('strong', 'middle', 'weak')),
  new_case_id integer references rectification_case (id),
  detail jsonb not null default '{}',
  -- a return always carries its reason and the new deadline
  check (action <> 'return' or (reason is not null and deadline is not null)),
  check ((action = 'relist') = (new_case_id is not null))
);

create index case_transition_case_idx on case_transition (case_id);
create index case_transition_session_idx on case_transition (session_id) where session_id is not null;

create function case_transition_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '整顿案件的流转记录只能追加，不能修改或删除' using errcode = 'insufficient_privilege';
end $$;

create trigger case_transition_append_only before update or delete on case_transition
  for each row execute function case_transition_refuse_change();
create trigger case_transition_no_truncate before truncate on case_transition
  for each statement execute function case_transition_refuse_change();

-- Callback surveys and look-backs are sessions attached to a case (self-evaluations may be too).
alter table evaluation_session add column case_id integer references rectification_case (id);
create index evaluation_session_case_idx on evaluation_session (case_id) where case_id is not null;
