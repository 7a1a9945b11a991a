-- Optional scheduled open and close times for a session, carried out by the server's job queue.
-- Null means not scheduled. The queue (pg-boss, its own schema) only says when to look: the job
-- re-reads these columns under the session lock and acts only if the stored time is still the one
-- it was scheduled for, so changing or clearing a time cancels the old job.
alter table evaluation_session
  add column scheduled_open_at timestamptz,
  add column scheduled_close_at timestamptz,
  add constraint evaluation_session_schedule_check
    check (scheduled_open_at is null or scheduled_close_at is null or scheduled_close_at > scheduled_open_at);
