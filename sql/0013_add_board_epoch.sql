-- A change counter for the campaign board's cache: every row change of what the board reads bumps it.
--
-- The board of a county is the same reply for every request until one of these rows changes, so an
-- instance may keep it in memory and serve it again while the counter has not moved
-- (board.service.ts). The counter is an ordinary transactional row, not a sequence: a reader that
-- sees the old sum cannot have read the uncommitted change either, so nothing stale is cached under
-- a new value. It is spread over 16 rows (like turnout_shard) so that concurrent changes rarely wait
-- on one another. Ballots are not counted here: the board takes live turnout fresh on every request,
-- and the ballot path never writes to these tables.
create table board_epoch (
  shard smallint primary key check (shard between 0 and 15),
  n bigint not null default 0
);

insert into board_epoch (shard) select generate_series(0, 15);

-- Runs at commit (a deferred constraint trigger), once per transaction, on the one row its
-- transaction id picks: by then the transaction holds every other lock it will take, so waiting for
-- the counter row cannot close a cycle with another transaction's row locks (no deadlock).
create function board_epoch_bump() returns trigger language plpgsql as $$
begin
  if current_setting('vre.board_bumped', true) = 'y' then
    return null;
  end if;
  perform set_config('vre.board_bumped', 'y', true);
  update board_epoch set n = n + 1 where shard = (txid_current() % 16)::smallint;
  return null;
end $$;

create constraint trigger region_board_epoch after insert or update or delete on region
  deferrable initially deferred for each row execute function board_epoch_bump();
create constraint trigger evaluation_session_board_epoch after insert or update or delete on evaluation_session
  deferrable initially deferred for each row execute function board_epoch_bump();
create constraint trigger campaign_board_epoch after insert or update or delete on campaign
  deferrable initially deferred for each row execute function board_epoch_bump();
create constraint trigger rectification_case_board_epoch after insert or update or delete on rectification_case
  deferrable initially deferred for each row execute function board_epoch_bump();
create constraint trigger case_transition_board_epoch after insert on case_transition
  deferrable initially deferred for each row execute function board_epoch_bump();
create constraint trigger case_problem_board_epoch after insert or update or delete on case_problem
  deferrable initially deferred for each row execute function board_epoch_bump();

-- the live turnout read on every board request: open sessions only
create index evaluation_session_open_idx on evaluation_session (village_id) where status = 'open';
