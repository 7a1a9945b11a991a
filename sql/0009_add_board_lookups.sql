-- What the campaign board reads for a thousand villages at once without touching ballots or the
-- whole stored result: the result's counts and verdict without the questionnaire, per-question
-- counts and comments (a few hundred bytes kept in the row instead of a detoasted 10 kB), and the
-- latest non-void session of each kind of a village by when it began.
alter table evaluation_session add column result_summary jsonb
  generated always as (result - array['questionnaire', 'counts', 'rules', 'identityQuestionId', 'ballotDigest']) stored;

create index evaluation_session_village_latest_idx
  on evaluation_session (village_id, kind, (coalesce(opened_at, created_at)) desc, id desc)
  where status <> 'void';
