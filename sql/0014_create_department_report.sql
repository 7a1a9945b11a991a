-- 年内动态排查 (issue 10 item 4b): department accounts and the village problem reports they file.
alter table official drop constraint official_role_check;
alter table official add constraint official_role_check
  check (role in ('admin', 'city', 'county', 'township', 'village', 'department'));
-- 行业部门: the department's name (纪委监委, 信访 … or the name given under 其他), only on its accounts
alter table official add column department text
  check (department is null or (department = btrim(department) and length(department) between 1 and 32));
alter table official add constraint official_department_role_check check ((role = 'department') = (department is not null));

create table department_report (
  id integer generated always as identity primary key,
  -- the county the department serves and the village reported on (checked by the service)
  county_id integer not null references region (id),
  village_id integer not null references region (id),
  -- the department and author as they were when filed (an account may be renamed later)
  department text not null check (length(department) between 1 and 32),
  reported_by integer not null references official (id),
  category text not null check (category in ('petition', 'integrity', 'security', 'governance', 'economy', 'other')),
  description text not null check (description = btrim(description) and length(description) between 10 and 2000),
  event_date date not null,
  status text not null default 'submitted' check (status in ('submitted', 'dismissed', 'screening_requested')),
  created_at timestamptz not null default now(),
  status_changed_at timestamptz not null default now()
);

create index department_report_county_idx on department_report (county_id, status, id desc);
create index department_report_village_idx on department_report (village_id);
create index department_report_author_idx on department_report (reported_by, id desc);

-- Every step of a report: filed, dismissed (with its reason), screening requested, a township's note.
create table department_report_step (
  id bigint generated always as identity primary key,
  report_id integer not null references department_report (id),
  action text not null check (action in ('submit', 'dismiss', 'request_screening', 'note')),
  from_status text,
  to_status text not null,
  at timestamptz not null default now(),
  official_id integer not null references official (id),
  actor_name text not null,
  actor_role text not null,
  text text check (text is null or (text = btrim(text) and length(text) between 1 and 1000)),
  check (action <> 'dismiss' or text is not null),
  check (action <> 'note' or text is not null),
  check ((action = 'submit') = (from_status is null))
);

create index department_report_step_report_idx on department_report_step (report_id, id);

create function department_report_step_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '部门报送的处理记录只能追加，不能修改或删除' using errcode = 'insufficient_privilege';
end $$;

create trigger department_report_step_append_only before update or delete on department_report_step
  for each row execute function department_report_step_refuse_change();
create trigger department_report_step_no_truncate before truncate on department_report_step
  for each statement execute function department_report_step_refuse_change();

-- 0012 left risk_screening.report_id without a foreign key until this table existed.
alter table risk_screening add constraint risk_screening_report_fkey
  foreign key (report_id) references department_report (id);
