-- Evaluation sessions, single-use slips, anonymous ballots, receipts, and the one submission function.
create table evaluation_session (
  id integer generated always as identity primary key,
  village_id integer not null references region (id),
  title text not null check (title = btrim(title) and length(title) between 1 and 100),
  kind text not null default 'self_evaluation'
    check (kind in ('self_evaluation', 'township_check', 'county_callback', 'look_back')),
  -- snapshot of the questionnaire: editable while draft, frozen once open
  questionnaire jsonb not null,
  -- the rule set in force: a list of checks that must all hold
  rules jsonb not null,
  -- 在村人数, the certified denominator: declared by the secretary, confirmed by the township
  residents_present integer not null check (residents_present between 0 and 100000),
  residents_confirmed_by integer references official (id),
  residents_confirmed_at timestamptz,
  status text not null default 'draft' check (status in ('draft', 'open', 'closed', 'certified', 'void')),
  void_reason text check (void_reason is null or length(void_reason) between 1 and 500),
  -- non-voided slips issued; kept by the slip-issuing transaction
  issued_count integer not null default 0 check (issued_count >= 0),
  opened_at timestamptz,
  closed_at timestamptz,
  certified_at timestamptz,
  -- written once at close: raw counts, reconciliation and verdict; result_hash fingerprints it
  result jsonb,
  result_hash bytea check (result_hash is null or length(result_hash) = 32),
  -- names recorded at certification: 主持人, 监票人, 计票人
  certification jsonb,
  created_by integer not null references official (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (issued_count <= residents_present),
  check ((status = 'void') = (void_reason is not null)),
  check (status not in ('open', 'closed', 'certified') or residents_confirmed_at is not null),
  check (status not in ('closed', 'certified') or (result is not null and result_hash is not null))
);

create index evaluation_session_village_idx on evaluation_session (village_id);

-- Every change to a session, with who and when (the audit chain records official actions too).
create table session_event (
  id bigint generated always as identity primary key,
  session_id integer not null references evaluation_session (id),
  at timestamptz not null default now(),
  official_id integer references official (id),
  action text not null,
  detail jsonb not null default '{}'
);

create index session_event_session_idx on session_event (session_id);

create table slip_batch (
  id integer generated always as identity primary key,
  session_id integer not null references evaluation_session (id),
  slip_count integer not null check (slip_count between 1 and 5000),
  created_by integer not null references official (id),
  created_at timestamptz not null default now(),
  voided_at timestamptz,
  voided_by integer references official (id)
);

create index slip_batch_session_idx on slip_batch (session_id);

-- Only SHA-256(token) is stored. client_id and receipt exist so that a villager whose reply was
-- lost gets the same receipt on retry, even after the close. They link a slip to a receipt, never
-- to a ballot: a receipt says nothing of the choices, and the close rewrites ballots and receipts
-- in separate subtransactions and random order so that no xmin or position joins them.
create table slip (
  token_hash bytea primary key check (length(token_hash) = 32),
  session_id integer not null references evaluation_session (id),
  batch_id integer not null references slip_batch (id),
  used boolean not null default false,
  voided boolean not null default false,
  client_id text check (client_id is null or length(client_id) between 8 and 64),
  receipt text,
  check (not (used and voided)),
  check (used or (client_id is null and receipt is null))
);

create index slip_session_idx on slip (session_id);
create index slip_batch_idx on slip (batch_id);

-- A ballot is its answers and its session: no time, no address, no device, no slip, no client,
-- and no surrogate key (a sequence would order ballots by time of submission).
create table ballot (
  session_id integer not null references evaluation_session (id),
  answers jsonb not null check (jsonb_typeof(answers) = 'object')
);

create index ballot_session_idx on ballot (session_id);

-- Published after close so a villager can see their receipt was counted; it reveals no choice.
create table receipt (
  session_id integer not null references evaluation_session (id),
  code text not null check (code ~ '^[0-9A-Z]{8,16}$'),
  primary key (session_id, code)
);

-- Live turnout without a hot row: each submission adds to one of 16 shards picked at random.
create table turnout_shard (
  session_id integer not null references evaluation_session (id),
  shard smallint not null check (shard between 0 and 15),
  online integer not null default 0 check (online >= 0),
  paper integer not null default 0 check (paper >= 0),
  primary key (session_id, shard)
);

-- The whole submission in one round trip and one transaction (READ COMMITTED):
--   1. find the slip's session; 2. take the session's lock shared (close takes it exclusively, so
--   nothing commits after a close); 3. the session must be open; 4. consume the slip with a
--   conditional UPDATE … RETURNING; 5. insert ballot, receipt and turnout.
-- Outcomes: 'accepted' | 'retry' (same client id: same receipt) | 'used' | 'not_open' | 'not_found'.
-- p_session, when given (paper entry), must be the slip's session.
create function submit_ballot(
  p_token_hash bytea,
  p_client_id text,
  p_receipt text,
  p_answers jsonb,
  p_paper boolean,
  p_session integer default null
) returns table (outcome text, receipt text, session_id integer)
language plpgsql as $$
declare
  v_session integer;
  v_status text;
  v_client text;
  v_receipt text;
  v_voided boolean;
begin
  select s.session_id into v_session from slip s where s.token_hash = p_token_hash;
  if v_session is null or (p_session is not null and p_session <> v_session) then
    return query select 'not_found'::text, null::text, null::integer;
    return;
  end if;
  perform pg_advisory_xact_lock_shared(727100, v_session);
  select e.status into v_status from evaluation_session e where e.id = v_session;
  update slip s set used = true, client_id = p_client_id, receipt = p_receipt
    where s.token_hash = p_token_hash and not s.used and not s.voided and v_status = 'open';
  if found then
    insert into ballot (session_id, answers) values (v_session, p_answers);
    insert into receipt (session_id, code) values (v_session, p_receipt);
    insert into turnout_shard as t (session_id, shard, online, paper)
      values (v_session, floor(random() * 16)::smallint, (not p_paper)::int, p_paper::int)
      -- the constraint by name: the output column session_id would make (session_id, shard) ambiguous
      on conflict on constraint turnout_shard_pkey do update
        set online = t.online + excluded.online, paper = t.paper + excluded.paper;
    return query select 'accepted'::text, p_receipt, v_session;
    return;
  end if;
  select s.client_id, s.receipt, s.voided into v_client, v_receipt, v_voided from slip s where s.token_hash = p_token_hash;
  if v_voided then
    return query select 'not_found'::text, null::text, null::integer;
  elsif v_client is not null and v_client = p_client_id then
    return query select 'retry'::text, v_receipt, v_session;
  elsif v_status <> 'open' then
    return query select 'not_open'::text, null::text, v_session;
  else
    return query select 'used'::text, null::text, v_session;
  end if;
end $$;
