-- Counted records are append-only for the application: ballots, receipts and a session's result.
-- The only writers of ballot and receipt are submit_ballot (session open, its lock held shared)
-- and the unlinking rewrite of close and void (session still open, its lock held exclusively: the
-- status changes only after the rewrite). Everything else is refused with insufficient_privilege.
-- The session lock is the advisory lock (727100, session id); two int4 keys appear in pg_locks as
-- classid = first key, objid = second key, objsubid = 2.

create function counted_record_refuse() returns trigger language plpgsql as $$
begin
  raise exception '%', tg_argv[0] using errcode = 'insufficient_privilege';
end $$;

-- Rows may be added only to an open session, with its lock held (taken here, shared, when not yet
-- held: a writer that skipped it then waits for a close in flight and sees the session closed).
create function counted_record_check_insert() returns trigger language plpgsql as $$
declare
  v_session integer;
  v_status text;
begin
  for v_session in select distinct session_id from new_rows loop
    perform pg_advisory_xact_lock_shared(727100, v_session);
    select status into v_status from evaluation_session where id = v_session;
    if v_status is distinct from 'open' then
      raise exception '测评场次 % 不在进行中（%），不能向 % 表写入', v_session, coalesce(v_status, '不存在'), tg_table_name
        using errcode = 'insufficient_privilege';
    end if;
  end loop;
  return null;
end $$;

-- Rows may be removed only by the rewrite of close or void: session open, its lock held exclusively.
create function counted_record_check_delete() returns trigger language plpgsql as $$
declare
  v_session integer;
  v_status text;
begin
  for v_session in select distinct session_id from old_rows loop
    select status into v_status from evaluation_session where id = v_session;
    if v_status is distinct from 'open' or not exists (
      select 1 from pg_locks
      where locktype = 'advisory' and pid = pg_backend_pid() and mode = 'ExclusiveLock' and granted
        and database = (select oid from pg_database where datname = current_database())
        and classid = 727100::oid and objid = v_session::oid and objsubid = 2
    ) then
      raise exception '% 表的记录只能在结束或作废测评时整体重写，不能删除（测评场次 %）', tg_table_name, v_session
        using errcode = 'insufficient_privilege';
    end if;
  end loop;
  return null;
end $$;

create trigger ballot_no_update before update on ballot
  for each statement execute function counted_record_refuse('选票不可修改');
create trigger ballot_no_truncate before truncate on ballot
  for each statement execute function counted_record_refuse('选票不可清空');
create trigger ballot_insert_open after insert on ballot referencing new table as new_rows
  for each statement execute function counted_record_check_insert();
create trigger ballot_delete_rewrite after delete on ballot referencing old table as old_rows
  for each statement execute function counted_record_check_delete();

create trigger receipt_no_update before update on receipt
  for each statement execute function counted_record_refuse('回执不可修改');
create trigger receipt_no_truncate before truncate on receipt
  for each statement execute function counted_record_refuse('回执不可清空');
create trigger receipt_insert_open after insert on receipt referencing new table as new_rows
  for each statement execute function counted_record_check_insert();
create trigger receipt_delete_rewrite after delete on receipt referencing old table as old_rows
  for each statement execute function counted_record_check_delete();

-- A result, once written, never changes; a counted session never returns to voting and is never
-- deleted (void after close keeps the result, so it stays protected too).
create function evaluation_session_protect_result() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    if old.status in ('closed', 'certified') or old.result is not null then
      raise exception '已结束的测评场次 % 不能删除', old.id using errcode = 'insufficient_privilege';
    end if;
    return old;
  end if;
  if (old.result is not null or old.result_hash is not null)
     and (new.result is distinct from old.result or new.result_hash is distinct from old.result_hash) then
    raise exception '测评场次 % 的结果已写定，不能修改', old.id using errcode = 'insufficient_privilege';
  end if;
  if old.status in ('closed', 'certified', 'void') and new.status in ('draft', 'open') then
    raise exception '测评场次 % 已结束或作废，不能回到 %', old.id, new.status using errcode = 'insufficient_privilege';
  end if;
  if old.status = 'certified' and new.status <> 'certified' then
    raise exception '测评场次 % 已确认，状态不能再改变', old.id using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create trigger evaluation_session_protect_result before update or delete on evaluation_session
  for each row execute function evaluation_session_protect_result();
create trigger evaluation_session_no_truncate before truncate on evaluation_session
  for each statement execute function counted_record_refuse('测评场次不可清空');
