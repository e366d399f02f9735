-- test/data/large.sql: a large, deterministic data set for the plan tests
-- (test/browse/run) and the benchmark (make bench). For a scratch database
-- with every migration applied; load it once, as portal_owner (it switches
-- the access triggers off and on, which only the owner may do):
--
--   PGOPTIONS='-c role=portal_owner' psql -X -q -v ON_ERROR_STOP=1 -d DB -f test/data/large.sql
--
-- It holds, next to whatever is there already (the demo seed, say):
--   10,000 users u00001 ... u10000 (u09801 and up inactive), password hash
--          copied from the demo user bram when present (so the demo password
--          works for them), else NULL (no password sign-in)
--   200 roles "Rol 001" ... "Rol 200" (every 40th inactive)
--   5,000 reports in 12 categories, about 90% published, 6% draft, 4% archived
--   1-5 roles per user, 20-200 reports per role, then the access structures
--          (role sets, their reports with the copied report columns, the
--          category counts; schema/0013_role_sets.sql) rebuilt
--   1,000 live sessions, one for each of u00001 ... u01000, with favourites
--          and recent views for those users
--
-- Session n (1..1000) belongs to user u0000n (lpad to 5 digits). Its token is
-- sha256('bench-session-' || n), stored as sha256(token) like every session;
-- its cookie (__Host-portal_session) is the token in base64url without
-- padding. The cookies, one a line, in session order:
--
--   SELECT rtrim(translate(encode(sha256(convert_to('bench-session-' || n, 'UTF8')), 'base64'),
--                          '+/', '-_'), '=')
--   FROM generate_series(1, 1000) n ORDER BY n;
--
-- The sessions start with last_seen_at = now(), so they die after the idle
-- timeout (PORTAL_SESSION_IDLE, 30 minutes) unless used; reload the database
-- rather than this file (the usernames are unique: a second load fails).
--
-- The same rows come out on every load: random() is seeded, and every
-- statement that draws from it reads its input in a fixed order.
--
-- Two psql variables scale it (make bench's growth runs and smoke mode use
-- them); their defaults give the numbers above, row for row:
--   -v users=N     users u00001 ... (10000); the last 2% inactive; sessions
--                  for the first min(N, 1000)
--   -v reports=N   reports (5000); N must have no prime factor but 2 and 5
--                  (500, 1000, 10000, 100000) and be at least 200

\set ON_ERROR_STOP 1
\if :{?users}
\else
\set users 10000
\endif
\if :{?reports}
\else
\set reports 5000
\endif
BEGIN;

DO $$ BEGIN PERFORM setseed(0.2026); END $$;

-- Lists to draw names and words from (1-based, like SQL arrays).
CREATE TEMP TABLE words ON COMMIT DROP AS
SELECT
	ARRAY['Anna', 'Bram', 'Carla', 'Dirk', 'Eva', 'Femke', 'Gijs', 'Hanna', 'Iris', 'Joost',
	      'Karim', 'Lotte', 'Maarten', 'Noor', 'Olaf', 'Priya', 'Ruben', 'Sanne', 'Thijs',
	      'Zoë', 'Chloë', 'Anaïs', 'Søren', 'Fatima'] AS first_names,
	ARRAY['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder',
	      'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Dijk', 'Dekker', 'Brouwer',
	      'van der Meer', 'Çelik', 'Yılmaz', 'El Amrani', 'Ruïs', 'Kuiper'] AS last_names,
	ARRAY['Financiën', 'HR', 'Operatie', 'Klantcontact', 'Kwaliteit', 'ICT', 'Inkoop',
	      'Juridisch', 'Communicatie', 'Facilitair', 'Strategie', 'Veiligheid'] AS categories,
	-- Four subjects per category, in the order of categories.
	ARRAY['Financiële maandrapportage', 'Begroting en realisatie', 'Liquiditeitsprognose',
	      'Debiteurenanalyse',
	      'Verzuimoverzicht', 'Formatie en bezetting', 'Instroom en uitstroom',
	      'Reïntegratie en opleidingsbudget',
	      'Doorlooptijden', 'Productiviteit per team', 'Capaciteitsplanning', 'Werkvoorraad',
	      'Klanttevredenheid', 'Bereikbaarheid', 'Klachtenafhandeling', 'Contactmomenten',
	      'Auditbevindingen', 'Kwaliteitsindicatoren', 'Foutregistratie', 'Procesmetingen',
	      'Storingen en incidenten', 'Beschikbaarheid systemen', 'Licentiegebruik',
	      'Wijzigingsbeheer',
	      'Contractbeheer', 'Leveranciersprestaties', 'Inkoopvolume',
	      'Financiering inkooptrajecten',
	      'Bezwaar en beroep', 'Privacyverzoeken (AVG)', 'Juridische procedures',
	      'Aansprakelijkheidsdossiers',
	      'Websitebezoek', 'Mediabereik', 'Interne nieuwsbrief', 'Campagne-effecten',
	      'Gebouwbezetting', 'Energieverbruik', 'Schoonmaak en onderhoud', 'Catering en café',
	      'Jaarplan voortgang', 'Kerncijfers directie', 'Scenario-analyse',
	      'Financiële meerjarenraming',
	      'Incidentmeldingen', 'Toegangsbeheer', 'Bedrijfshulpverlening', 'Risicoregister']
		AS subjects,
	ARRAY['Noord', 'Oost', 'Zuid', 'West', 'Midden', 'Landelijk', 'Zeeland', 'Fryslân',
	      'Coöperatie', 'Hoofdkantoor'] AS units,
	ARRAY['Overzicht per maand, met vergelijking met vorig jaar.',
	      'Gebaseerd op gegevens uit het datawarehouse; dagelijks bijgewerkt.',
	      'Inclusief het privé-aandeel en de coördinatiekosten.',
	      'Voor managers en controllers van de financiële afdeling.',
	      'Afwijkingen ten opzichte van de norm zijn gemarkeerd.',
	      'Cijfers per afdeling en per regio, met een trend over twaalf maanden.',
	      'Bevat ook de reïntegratietrajecten en de ziekteverzuimcijfers.',
	      'Let op: de cijfers van de laatste week zijn voorlopig.',
	      'Uitgesplitst naar product, kanaal en klantsegment.',
	      'Bron: het grootboek en de kasadministratie.',
	      'Zie ook de toelichting in het kwartaalverslag (café-overleg).',
	      ''] AS sentences;

-- ---- users ---------------------------------------------------------------

INSERT INTO users (username, email, display_name, hashed_password, is_active,
		   password_changed_at, created_at, updated_at)
SELECT 'u' || lpad(n::text, 5, '0'),
       'u' || lpad(n::text, 5, '0') || '@bench.ced.example',
       w.first_names[1 + floor(random() * array_length(w.first_names, 1))::int] || ' ' ||
	       w.last_names[1 + floor(random() * array_length(w.last_names, 1))::int],
       (SELECT hashed_password FROM users WHERE username = 'bram'),
       n <= :users - :users / 50, now(), now() - interval '400 days', now() - interval '400 days'
FROM generate_series(1, :users) n, words w
ORDER BY n;

-- ---- roles -----------------------------------------------------------------

INSERT INTO roles (name, description, is_active)
SELECT 'Rol ' || lpad(n::text, 3, '0'),
       'Benchmarkrol ' || n || ' (' || w.categories[1 + n % 12] || ')',
       n % 40 <> 0
FROM generate_series(1, 200) n, words w
ORDER BY n;

-- ---- reports ---------------------------------------------------------------

INSERT INTO reports (title, description, url, category, status, created_at, updated_at)
SELECT s.subject || ' ' || s.unit || ' ' || s.year || '-Q' || s.quarter,
       btrim(s.d1 || ' ' || s.d2),
       'https://bi.ced.example/bench/' || s.n,
       s.category,
       CASE WHEN s.p < 0.90 THEN 'published' WHEN s.p < 0.96 THEN 'draft' ELSE 'archived' END
	       ::report_status,
       s.updated - interval '30 days', s.updated
FROM (
	SELECT n, w.categories[c] AS category,
	       w.subjects[(c - 1) * 4 + 1 + floor(random() * 4)::int] AS subject,
	       w.units[1 + floor(random() * array_length(w.units, 1))::int] AS unit,
	       2023 + floor(random() * 3)::int AS year, 1 + floor(random() * 4)::int AS quarter,
	       w.sentences[1 + floor(random() * array_length(w.sentences, 1))::int] AS d1,
	       w.sentences[1 + floor(random() * array_length(w.sentences, 1))::int] AS d2,
	       random() AS p,
	       now() - random() * interval '730 days' AS updated
	FROM (SELECT n, 1 + floor(random() * 12)::int AS c FROM generate_series(1, :reports) n
	      ORDER BY n) g, words w
	ORDER BY n
) s
ORDER BY s.n;

-- Our rows by number, whatever ids the database gave them.
CREATE TEMP TABLE b_users ON COMMIT DROP AS
SELECT substr(username::text, 2)::int AS n, id FROM users WHERE email LIKE '%@bench.ced.example';
CREATE TEMP TABLE b_roles ON COMMIT DROP AS
SELECT substr(name::text, 5)::int AS n, id FROM roles WHERE name LIKE 'Rol ___'
	AND description LIKE 'Benchmarkrol %';
CREATE TEMP TABLE b_reports ON COMMIT DROP AS
SELECT substr(url, length('https://bi.ced.example/bench/') + 1)::int AS n, id FROM reports
WHERE url LIKE 'https://bi.ced.example/bench/%';
CREATE UNIQUE INDEX ON b_users (n);
CREATE UNIQUE INDEX ON b_roles (n);
CREATE UNIQUE INDEX ON b_reports (n);

-- ---- grants ----------------------------------------------------------------

-- Bulk grants with the per-statement access triggers off; the access
-- structures are rebuilt once below, which is what those triggers would have
-- produced. access_rebuild() also recomputes the list's counts
-- (role_set_category_counts, report_category_counts), so the triggers on
-- role_set_reports that keep those are off for the rebuild as well.
ALTER TABLE user_roles DISABLE TRIGGER USER;
ALTER TABLE role_reports DISABLE TRIGGER USER;
ALTER TABLE role_set_reports DISABLE TRIGGER USER;

-- k = 1..5 roles per user: start, start + step, ... (mod 200) with step odd
-- and not a multiple of 5, so the k roles are distinct.
INSERT INTO user_roles (user_id, role_id, granted_at)
SELECT u.id, r.id, now() - interval '300 days'
FROM (SELECT n, 1 + floor(random() * 5)::int AS k, floor(random() * 200)::int AS start,
	     (ARRAY[1, 3, 7, 9, 11, 13, 17, 19])[1 + floor(random() * 8)::int] AS step
      FROM generate_series(1, :users) n ORDER BY n) g
CROSS JOIN generate_series(0, g.k - 1) i
JOIN b_users u ON u.n = g.n
JOIN b_roles r ON r.n = 1 + (g.start + i * g.step) % 200;

-- 20..200 reports per role: a random start and a stride coprime with :reports
-- give distinct reports.
INSERT INTO role_reports (role_id, report_id, granted_at)
SELECT r.id, p.id, now() - interval '300 days'
FROM (SELECT n, 20 + floor(random() * 181)::int AS k, floor(random() * :reports)::int AS start,
	     (ARRAY[1, 3, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41])[1 + floor(random() * 12)::int]
		     AS stride
      FROM generate_series(1, 200) n ORDER BY n) g
CROSS JOIN generate_series(0, g.k - 1) i
JOIN b_roles r ON r.n = g.n
JOIN b_reports p ON p.n = 1 + (g.start + i * g.stride) % :reports;

-- role_set_reports gets about 3 million rows (with 1-5 random roles of 200,
-- nearly every user has a set of their own). Filled under its keys and
-- indexes that takes ten times as long as building them afterwards, so they
-- go first and come back from their own definitions, whatever the schema
-- says they are.
CREATE TEMP TABLE access_defs ON COMMIT DROP AS
SELECT 1 AS ord, conname::text AS name, 'ALTER TABLE role_set_reports ADD CONSTRAINT '
	|| quote_ident(conname) || ' ' || pg_get_constraintdef(oid) AS def
FROM pg_constraint WHERE conrelid = 'role_set_reports'::regclass AND contype IN ('p', 'u')
UNION ALL
SELECT 2, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i WHERE i.indrelid = 'role_set_reports'::regclass
	AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
			AND c.conrelid = i.indrelid)
UNION ALL
SELECT 3, conname::text, 'ALTER TABLE role_set_reports ADD CONSTRAINT '
	|| quote_ident(conname) || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE conrelid = 'role_set_reports'::regclass AND contype = 'f';

DO $$
DECLARE
	d record;
BEGIN
	FOR d IN SELECT * FROM access_defs ORDER BY ord DESC, name LOOP
		IF d.ord = 2 THEN
			EXECUTE format('DROP INDEX %s', d.name);
		ELSE
			EXECUTE format('ALTER TABLE role_set_reports DROP CONSTRAINT %I', d.name);
		END IF;
	END LOOP;
END
$$;

SET LOCAL work_mem = '64MB';
SET LOCAL maintenance_work_mem = '256MB';
DO $$ BEGIN PERFORM access_rebuild(); END $$;

DO $$
DECLARE
	d record;
BEGIN
	FOR d IN SELECT * FROM access_defs ORDER BY ord, name LOOP
		EXECUTE d.def;
	END LOOP;
END
$$;

ALTER TABLE user_roles ENABLE TRIGGER USER;
ALTER TABLE role_reports ENABLE TRIGGER USER;
ALTER TABLE role_set_reports ENABLE TRIGGER USER;

-- ---- sessions, favourites, views -----------------------------------------

INSERT INTO sessions (token_hash, user_id, csrf_secret, created_at, last_seen_at, expires_at,
		      ip, user_agent)
SELECT sha256(sha256(convert_to('bench-session-' || u.n, 'UTF8'))), u.id,
       sha256(convert_to('bench-csrf-' || u.n, 'UTF8')), now(), now(),
       now() + interval '12 hours', '10.0.0.1', 'test/data/large.sql'
FROM b_users u WHERE u.n <= 1000
ORDER BY u.n;

-- About 3 favourites and 20 views per session user, among what they may see.
CREATE TEMP TABLE b_seen ON COMMIT DROP AS
SELECT a.user_id, a.report_id
FROM b_users u JOIN report_access a ON a.user_id = u.id
WHERE u.n <= 1000
ORDER BY a.user_id, a.report_id;

INSERT INTO favourites (user_id, report_id, created_at)
SELECT user_id, report_id, now() - interval '10 days'
FROM (SELECT user_id, report_id, random() AS p FROM b_seen) s
WHERE p < 0.01;

INSERT INTO report_views (user_id, report_id, viewed_at)
SELECT user_id, report_id, now() - random() * interval '30 days'
FROM (SELECT user_id, report_id, random() AS p FROM b_seen) s
WHERE p < 0.06;

COMMIT;

ANALYZE users, roles, reports, user_roles, role_reports, role_sets, user_role_sets,
	role_set_reports, role_set_category_counts, report_category_counts, sessions, favourites,
	report_views;
