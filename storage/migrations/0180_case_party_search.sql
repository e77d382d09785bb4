-- Party search on the case list (当事人查询): any part of the party's name, or its exact USCC / ID number,
-- found through one GIN index instead of by reading every case of the department.
-- depends: 0066_case_list
--
-- Not pg_trgm: it makes no trigram of a Chinese character when the database's LC_CTYPE is C (the
-- embedded server takes the locale it is started in), and none from a two-character term under any
-- locale ("石料", "张伟"), which is most of what desk users type. The index holds each character and
-- each pair of adjacent characters of the lower-cased name (the way pg_bigm indexes), so a term of
-- any length is looked up by its own characters and pairs and then checked as a substring; the
-- USCC and ID number are held whole, marked with '='.

CREATE FUNCTION party_name_grams(name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(
        SELECT DISTINCT substr(lower(name), i, n)
          FROM generate_series(1, char_length(name)) AS i, (VALUES (1), (2)) AS sizes (n)
         WHERE i + n - 1 <= char_length(name)
    );

CREATE FUNCTION party_search_terms(party jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(party_name_grams(party ->> 'name'), '{}')
        || ARRAY['=' || coalesce(party ->> 'uscc', ''), '=' || coalesce(party ->> 'id_number', '')];

CREATE INDEX cases_party_search ON cases USING gin (party_search_terms(content -> 'party'));
