{#- The class of a failed tool call, from its result text: a small fixed set, tried in this
    order (the first that matches wins). Claude Code writes these texts itself; the patterns
    follow its wording and the operating system's (ENOENT, EACCES).

      user_rejected           the user declined or interrupted the call
      command_failed          a shell command ran and exited non-zero ("Exit code N"),
                              whatever its output says
      edit_target_not_found   Edit's old_string is not in the file (or not unique); before
                              the word matches below, as the text quotes that string
      permission_denied       a permission rule or the sandbox refused it, or the OS did
      timeout                 the command or request ran out of time
      file_not_found          the file or path does not exist
      other                   anything else (input validation, file too large, ...) -#}
{% macro tool_error_class(text, is_interrupted='false') -%}
    case
        when {{ is_interrupted }}
            or {{ text }} ilike 'the user doesn''t want to proceed%'
            or {{ text }} ilike '%[request interrupted by user%'
            or {{ text }} ilike 'user rejected%'
            then 'user_rejected'
        when regexp_matches({{ text }}, '^\s*exit code [0-9]+', 'i')
            then 'command_failed'
        when {{ text }} ilike '%string to replace not found%'
            or {{ text }} ilike '%matches of the string to replace%'
            then 'edit_target_not_found'
        when {{ text }} ilike '%permission to use % has been denied%'
            or {{ text }} ilike '%requested permissions to %'
            or {{ text }} ilike '%permission denied%'
            or {{ text }} ilike '%operation not permitted%'
            or {{ text }} ilike '%eacces%'
            or {{ text }} ilike '%sandbox%'
            then 'permission_denied'
        when {{ text }} ilike '%timed out%'
            or {{ text }} ilike '%timeout%'
            then 'timeout'
        when {{ text }} ilike '%file does not exist%'
            or {{ text }} ilike '%no such file or directory%'
            or {{ text }} ilike '%enoent%'
            or {{ text }} ilike '%path does not exist%'
            then 'file_not_found'
        else 'other'
    end
{%- endmacro %}

{#- The first line of an error with what varies from call to call masked, so the same
    failure groups under one pattern: quoted text, paths and numbers. -#}
{% macro tool_error_pattern(message) -%}
    left(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    split_part(trim({{ message }}), chr(10), 1),
                    '''[^'']*''|"[^"]*"', '…', 'g'
                ),
                '(~|\.{1,2})?(/[^\s/:]+)+/?', '<path>', 'g'
            ),
            '[0-9]+', 'N', 'g'
        ),
        120
    )
{%- endmacro %}
