-- A random public id for every session, used in every URL a villager or the public sees.
-- The sequential key let anyone list every closed session's title and village by counting
-- (GET /api/public/sessions/1/receipts, 2, 3 …). The public id is 20 characters from the slip
-- alphabet (32 symbols, no 0 1 I O), 5 bits each: 100 bits, so a guess hits one of even a million
-- sessions with probability 2^-80. The bits come from gen_random_uuid() (core PostgreSQL since 13,
-- no extension; pg_strong_random underneath). Of a version 4 UUID's 16 bytes only byte 6 (version
-- in its high half) and byte 8 (variant in its top 2 bits) are not wholly random: byte 6 is left
-- out, and the low 5 bits used of every other byte, byte 8 included, are uniform.
create function new_public_id() returns text language sql volatile parallel safe as $$
  select string_agg(substr('23456789ABCDEFGHJKLMNPQRSTUVWXYZ', (get_byte(r.b, g.i) & 31) + 1, 1), '' order by g.i)
  from (select uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) as b) as r,
    lateral (select i from generate_series(0, 31) as i where i % 16 <> 6 order by i limit 20) as g
$$;

-- A volatile default is evaluated for each existing row while the table is rewritten.
alter table evaluation_session
  add column public_id text not null default new_public_id()
    constraint evaluation_session_public_id_key unique
    constraint evaluation_session_public_id_check check (public_id ~ '^[2-9A-HJ-NP-Z]{20}$');
