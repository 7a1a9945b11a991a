-- 年度排查 (issue 10 item 4a): the county's annual screening round, one per county per year.
--
-- The county opens the round; every village in scope must be graded (堡垒指数) and, when graded
-- 弱村, risk-screened (应纳尽纳). The coverage is computed from those rows while the round is open;
-- the service concludes it only when every village is screened, and the coverage is frozen here at
-- that moment. A concluded round is final: it never changes and no round is ever deleted.
create table screening_round (
  id integer generated always as identity primary key,
  -- the county (checked by the service: the level lives on region)
  region_id integer not null references region (id),
  year integer not null check (year between 2000 and 2100),
  status text not null default 'open' check (status in ('open', 'concluded')),
  opened_by integer not null references official (id),
  opened_at timestamptz not null default now(),
  concluded_by integer references official (id),
  concluded_at timestamptz,
  -- the coverage frozen at conclusion (应纳尽纳: all of them)
  screened integer check (screened >= 0),
  total integer check (total >= 0),
  unique (region_id, year),
  check (
    (status = 'open' and concluded_by is null and concluded_at is null and screened is null and total is null)
    or (status = 'concluded' and concluded_by is not null and concluded_at is not null and screened = total)
  )
);

create function screening_round_refuse_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.status = 'open' then
    return new;
  end if;
  raise exception '已完成的年度排查不能修改，年度排查不能删除' using errcode = 'insufficient_privilege';
end $$;

create trigger screening_round_final before update or delete on screening_round
  for each row execute function screening_round_refuse_change();
create trigger screening_round_no_truncate before truncate on screening_round
  for each statement execute function screening_round_refuse_change();
