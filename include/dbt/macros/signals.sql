{#-
    Comment and content signals shared by the marts. Word boundaries are written as "not a
    letter, digit or underscore" (\p{L}, \p{N}), so that accented tags (#sponsorisé) and
    tags followed by punctuation match while #adventure does not match #ad.
-#}

{#- The key two comments share when their texts are the same up to case, spaces and repeated
    characters: lower case, whitespace runs collapsed to one space and trimmed, then every run of
    one repeated character collapsed to one ("NICE  🔥🔥🔥" and "niiice 🔥" both give "nice 🔥";
    "good" gives "god", which is fine for a key that is never shown). -#}
{% macro comment_text_key(text) -%}
    array_to_string(
        list_filter(
            string_split(trim(regexp_replace(lower({{ text }}), '\s+', ' ', 'g')), ''),
            lambda ch, i: i = 1
                or ch <> string_split(trim(regexp_replace(lower({{ text }}), '\s+', ' ', 'g')), '')[i - 1]
        ),
        ''
    )
{%- endmacro %}

{#- The tags and phrases that disclose a paid post, by language (#ad, #sponsored, ... "paid
    partnership"); they make sponsored_signal `disclosed`. Lower case, without the '#'. -#}
{% macro disclosure_tags() -%}
    {{ return([
        'ad', 'ads', 'sponsored', 'paidpartnership', 'paidpartner', 'partnership',
        'anzeige', 'werbung',
        'publicidad', 'publi', 'patrocinado', 'patrocinada',
        'pub', 'sponsorisé', 'sponsorise', 'partenariat',
        'reklame', 'reklam', 'sponsoreret',
        'adv', 'sponsorizzato',
    ]) }}
{%- endmacro %}

{% macro disclosure_phrases() -%}
    {{ return([
        'paid partnership', 'sponsored by', 'in partnership with',
        'bezahlte partnerschaft', 'colaboración pagada', 'partenariat rémunéré',
    ]) }}
{%- endmacro %}

{#- The softer signals: gifted or collaboration tags; they make sponsored_signal `likely`. -#}
{% macro likely_sponsored_tags() -%}
    {{ return(['collab', 'gifted', 'giftedby', 'prgift', 'prpackage', 'brandpartner', 'ambassador']) }}
{%- endmacro %}

{%- macro _not_word() -%}[^\p{L}\p{N}_]{%- endmacro -%}

{#- The text the signal is matched on: the description and the hashtags (each as '#tag'), lower case. -#}
{% macro sponsorship_text(description, hashtags) -%}
    lower(
        coalesce({{ description }}, '') || ' '
        || coalesce(array_to_string(list_transform({{ hashtags }}, lambda tag: '#' || ltrim(tag, '#')), ' '), '')
    )
{%- endmacro %}

{#-
    sponsored_signal: `disclosed` when the platform flags the post as an ad (is_ads) or the text
    carries a disclosure tag or phrase; `likely` for a gifted/collab tag, "thanks to @brand"
    (thanks, thank you, thx, gracias, danke, merci), or an @mention together with a discount code
    ("code MAYA20": the word code, codigo, código, rabattcode or gutscheincode followed by a token
    with a digit); `none` otherwise.
-#}
{% macro sponsored_signal(description, hashtags, is_ads) -%}
    {%- set text = sponsorship_text(description, hashtags) -%}
    {%- set nw = _not_word() -%}
    case
        when coalesce({{ is_ads }}, false) then 'disclosed'
        when regexp_matches({{ text }}, '(^|{{ nw }})#({{ disclosure_tags() | join("|") }})({{ nw }}|$)')
            or regexp_matches({{ text }}, '(^|{{ nw }})({{ disclosure_phrases() | join("|") }})({{ nw }}|$)')
            then 'disclosed'
        when regexp_matches({{ text }}, '(^|{{ nw }})#({{ likely_sponsored_tags() | join("|") }})({{ nw }}|$)')
            or regexp_matches({{ text }}, '(^|{{ nw }})(thanks|thank you|thx|gracias|danke|merci)( so much)?( to)? @[\p{L}\p{N}_.]+')
            or (
                regexp_matches({{ text }}, '(^|{{ nw }})@[\p{L}\p{N}_.]+')
                and regexp_matches({{ text }}, '(^|{{ nw }})(code|codigo|código|rabattcode|gutscheincode)\s*:?\s*[\p{L}]*[0-9][\p{L}\p{N}]*')
            )
            then 'likely'
        else 'none'
    end
{%- endmacro %}

{#- The share of `condition` among the rows where `population` holds; NULL without such rows. -#}
{% macro share(condition, population='true') -%}
    cast(count(*) filter (where ({{ population }}) and ({{ condition }})) as double)
        / nullif(count(*) filter (where {{ population }}), 0)
{%- endmacro %}

{#- A video's comments call for a look: at least 10 scored comments, at least 40 % negative
    (negative / scored >= 0.40, compared in integers: 5 * negative >= 2 * scored, exact at 0.40). -#}
{% macro negative_alert(scored_comments, negative_comments) -%}
    coalesce({{ scored_comments }} >= 10 and 5 * {{ negative_comments }} >= 2 * {{ scored_comments }}, false)
{%- endmacro %}

{#- A scored comment: a sentiment label other than `unscored` (NULL until the scoring step ran). -#}
{% macro is_scored(label) -%}
    ({{ label }} in ('positive', 'neutral', 'negative'))
{%- endmacro %}

{#- The up-to-5 terms most of the rows' comments contain (ties alphabetical), from a relation
    with columns `group_columns` and `terms` (list). Returns a select grouped by group_columns. -#}
{% macro top_terms_select(relation, group_columns, limit=5) -%}
    {%- set keys = group_columns | join(', ') %}
    select {{ keys }}, list(term order by comments desc, term) as top_terms
    from (
        select *
        from (
            select {{ keys }}, term, count(*) as comments
            from (
                select distinct {{ keys }}, comment_id, unnest(terms) as term
                from {{ relation }}
            )
            where term is not null and term <> ''
            group by {{ keys }}, term
        )
        qualify row_number() over (partition by {{ keys }} order by comments desc, term) <= {{ limit }}
    )
    group by {{ keys }}
{%- endmacro %}
