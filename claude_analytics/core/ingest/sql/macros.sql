-- The macros the parsing queries call, created on each parsing connection (parse.py).
-- DuckDB inlines a macro where it is called, so a macro costs nothing per line.

-- A line's text: rewritten if it was (a secret redacted, a lone surrogate replaced), else the
-- line itself; invalid UTF-8 keeps an escaped copy. Recomputing it (a UTF-8 check, a join on
-- the few rewritten lines) is cheaper than storing it.
create temp macro stored_text(rewritten_text, line) as (
    coalesce(rewritten_text, try(decode(line)), line::varchar)
);

-- The fields lines.sql extracts. json_extract writes each field as minified JSON, so the
-- first characters of a fragment tell its JSON type; parsing every fragment again
-- (json_type, json_extract_string) cost more than parsing the whole line. A missing field
-- (a SQL null) and a JSON null are both a null value, never a wrong type.
create temp macro is_string_fragment(fragment) as starts_with(fragment, '"');

create temp macro is_boolean_fragment(fragment) as fragment in ('true', 'false');

create temp macro is_integer_fragment(fragment) as regexp_full_match(fragment, '-?[0-9]+');

-- a string fragment without escapes is its value between the quotes
create temp macro string_field(fragment) as (
    case
        when fragment = 'null' then null
        when contains(fragment, '\') then json_extract_string(fragment, '$')
        else fragment[2:-2]
    end
);

create temp macro boolean_field(fragment) as (
    case when fragment = 'null' then null else fragment = 'true' end
);

create temp macro integer_field(fragment) as (
    case when fragment = 'null' then null else try_cast(fragment as bigint) end
);

-- `path` (the field's name in a `wrong_type` reason) when the fragment holds a value of
-- another JSON type
create temp macro not_a_string(fragment, path) as (
    case when fragment <> 'null' and not is_string_fragment(fragment) then path end
);

create temp macro not_a_boolean(fragment, path) as (
    case when fragment <> 'null' and not is_boolean_fragment(fragment) then path end
);

create temp macro not_an_integer(fragment, path) as (
    case when fragment <> 'null' and not is_integer_fragment(fragment) then path end
);

-- A text DuckDB's JSON parser refuses that holds a surrogate escape: it may be a lone one,
-- which JavaScript (so Claude Code) accepts and json_strings.replace_lone_surrogates turns
-- into U+FFFD. Its pattern is the lone-surrogate branch of `_SURROGATE_OR_ESCAPE` there.
create temp macro may_hold_lone_surrogate(json_text) as (
    regexp_matches(json_text, '\\u[dD][89a-fA-F][0-9a-fA-F]{2}') and not json_valid(json_text)
);

-- JSON's escapes decoded far enough for the redaction candidate filter (`may_hold_secret`):
-- the exact decoding runs in Python on the lines it selects (an escaped backslash before an
-- n only adds a candidate).
create temp macro roughly_decoded(json_text) as (
    case
        when contains(json_text, '\')
            then replace(
                replace(
                    replace(
                        replace(replace(json_text, '\n', chr(10)), '\t', chr(9)),
                        '\r',
                        chr(13)
                    ),
                    '\"',
                    '"'
                ),
                '\/',
                '/'
            )
        else json_text
    end
);
