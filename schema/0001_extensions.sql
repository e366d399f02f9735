-- Extensions the data model needs, and the immutable unaccent wrapper that the
-- search index is built on. All three are trusted extensions: the database
-- owner may create them without being a superuser (PostgreSQL 13 and later).

CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;   -- case-insensitive username, email
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;  -- substring search on reports
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public; -- "financiele" finds "Financiële"

-- unaccent() is only STABLE (its dictionary could in theory change), so it
-- cannot appear in an index expression. Naming the dictionary and the schema
-- makes the result independent of search_path, which makes IMMUTABLE honest
-- enough; the declared IMMUTABLE also keeps the planner from inlining the body,
-- so the index expression and the query expression stay the same.
CREATE FUNCTION public.f_unaccent(text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	AS $$SELECT public.unaccent('public.unaccent'::regdictionary, $1)$$;

COMMENT ON FUNCTION public.f_unaccent(text) IS
	'unaccent() fixed to the public.unaccent dictionary, IMMUTABLE for use in indexes';
