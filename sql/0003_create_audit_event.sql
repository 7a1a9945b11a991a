-- Append-only, hash-chained log of every official action.
create table audit_event (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_id integer references official (id),
  actor_username text not null,
  actor_role text not null,
  region_id integer references region (id),
  action text not null,
  object_type text not null,
  object_id text,
  detail jsonb not null default '{}',
  prev_hash bytea not null check (length(prev_hash) = 32),
  hash bytea not null unique check (length(hash) = 32)
);

create index audit_event_object_idx on audit_event (object_type, object_id);

create function audit_event_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit_event is append-only' using errcode = 'insufficient_privilege';
end $$;

create trigger audit_event_append_only before update or delete on audit_event
  for each row execute function audit_event_refuse_change();
create trigger audit_event_no_truncate before truncate on audit_event
  for each statement execute function audit_event_refuse_change();
