{#-
    Brands (docs/brands.md): which landed rows are brand accounts, and the caption parts a
    mention is matched on, as tiktok_engagement.brands.match_mentions reads them. RE2 has no
    look-behind, so "not after a word character" is written as a group `(^|[^...])` that the match
    consumes; the replacements put that character back (`\1`). A word character is a letter, a
    digit or `_`.
-#}

{#- A niche of a brand's own account (`brand:<name>`; a roster niche never holds a ':'). -#}
{% macro is_brand_niche(niche) -%}
    coalesce(starts_with({{ niche }}, 'brand:'), false)
{%- endmacro %}

{#- Folded text: accents stripped, lower case, whitespace runs (Python's str.split() set: ASCII
    and Unicode separators, \v, \x1c-\x1f, \x85) as one space, trimmed. -#}
{% macro brand_fold(text) -%}
    trim(regexp_replace(lower(strip_accents(coalesce({{ text }}, ''))), '[\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}]+', ' ', 'g'))
{%- endmacro %}

{#- An @handle not inside a word, an e-mail address or a longer handle; group 2 the handle with
    any final dots (TikTok handles are [a-z0-9_.], lower case once folded). -#}
{% macro brand_handle_pattern() -%}
    '(^|[^\p{L}\p{N}_@.])@([a-z0-9_.]+)'
{%- endmacro %}

{#- A #hashtag not inside a word or after another '#'; group 2 the tag. -#}
{% macro brand_hashtag_pattern() -%}
    '(^|[^\p{L}\p{N}_#])#([\p{L}\p{N}_]+)'
{%- endmacro %}

{#- The handles a folded caption mentions, final dots dropped (`@glowlab.` is @glowlab). -#}
{% macro caption_handles(folded) -%}
    list_transform(regexp_extract_all({{ folded }}, {{ brand_handle_pattern() }}, 2), lambda handle: rtrim(handle, '.'))
{%- endmacro %}

{#- The video's hashtags: its hashtags column folded (a leading '#' dropped) and the caption's #tags. -#}
{% macro caption_hashtags(folded, hashtags) -%}
    list_distinct(list_concat(
        list_transform(
            list_filter(coalesce({{ hashtags }}, cast([] as varchar[])), lambda tag: tag is not null and tag <> ''),
            lambda tag: ltrim({{ brand_fold('tag') }}, '#')
        ),
        regexp_extract_all({{ folded }}, {{ brand_hashtag_pattern() }}, 2)
    ))
{%- endmacro %}

{#- The caption's other words, padded with a space: @handles, then #hashtags, taken out (they
    match as such, never as keywords). -#}
{% macro caption_words(folded) -%}
    ' ' || trim(regexp_replace(
        regexp_replace(
            regexp_replace({{ folded }}, {{ brand_handle_pattern() }}, '\1 ', 'g'),
            {{ brand_hashtag_pattern() }}, '\1 ', 'g'
        ),
        ' +', ' ', 'g'
    )) || ' '
{%- endmacro %}

{#- Whether the folded keyword occurs in the words on word boundaries. -#}
{% macro keyword_in_words(keyword, words) -%}
    (contains({{ words }}, {{ keyword }})
        and regexp_matches({{ words }}, '(^|[^\p{L}\p{N}_])' || regexp_escape({{ keyword }}) || '([^\p{L}\p{N}_]|$)'))
{%- endmacro %}
