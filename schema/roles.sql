-- Database roles and the database itself. Run by a PostgreSQL superuser with
-- psql; safe to rerun (it creates what is missing and re-asserts attributes):
--
--   psql -v ON_ERROR_STOP=1 -U postgres -f schema/roles.sql \
--        -v owner_password=... -v web_password=... -v admin_password=...
--
-- The password variables are optional: a role whose variable is not given keeps
-- the password it has (or none, for peer or certificate authentication).
-- -v dbname=... creates the database under another name (the tests use this).
--
--   portal_owner  owns the database and every object in it; migrations run as it
--   portal_web    the portal pool: reads the catalogue, writes sessions and audit
--   portal_admin  the admin pool: may also change users, roles, reports, grants
-- What each may do is granted by the migrations (schema/0003_grants.sql).

\set ON_ERROR_STOP on

\if :{?dbname}
\else
\set dbname rapportageportaal
\endif

SELECT format('CREATE ROLE %I LOGIN', r)
FROM unnest(ARRAY['portal_owner', 'portal_web', 'portal_admin']) AS r
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
\gexec

-- Least privilege, asserted on every run in case someone widened a role by hand.
ALTER ROLE portal_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE portal_web LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE portal_admin LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

\if :{?owner_password}
ALTER ROLE portal_owner PASSWORD :'owner_password';
\endif
\if :{?web_password}
ALTER ROLE portal_web PASSWORD :'web_password';
\endif
\if :{?admin_password}
ALTER ROLE portal_admin PASSWORD :'admin_password';
\endif

-- Dutch collation where the server has ICU, so that listings sort as a Dutch
-- reader expects ("Écht" next to "Echt", case-insensitive), else the cluster's.
SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collprovider = 'i' AND collname = 'nl-NL-x-icu')
	AS have_icu_nl
\gset

\if :have_icu_nl
SELECT format('CREATE DATABASE %I OWNER portal_owner ENCODING %L TEMPLATE template0 '
	      'LOCALE_PROVIDER icu ICU_LOCALE %L', :'dbname', 'UTF8', 'nl-NL')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname')
\gexec
\else
SELECT format('CREATE DATABASE %I OWNER portal_owner ENCODING %L TEMPLATE template0',
	      :'dbname', 'UTF8')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname')
\gexec
\endif

SELECT format('ALTER DATABASE %I OWNER TO portal_owner', :'dbname')
\gexec
-- Only our roles may connect; everything inside is granted by the migrations.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'dbname')
\gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO portal_web, portal_admin', :'dbname')
\gexec
