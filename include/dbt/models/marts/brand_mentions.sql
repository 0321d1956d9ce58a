-- depends_on: {{ ref('int_signal_rebuild_dates') }}
{{ config(replace_dates='signals') }}
{#
    Grain: brand x video x snapshot date. Every captured video (creator feeds, the brands' own
    accounts and query results: int_video_observations) that mentions a tracked brand
    (int_brand_terms), as tiktok_engagement.brands.match_mentions decides (docs/brands.md), on the
    caption folded (accents stripped, lower case, whitespace collapsed):
      - a handle as `@handle`, not inside a word, an e-mail address or a longer handle;
      - a hashtag the video carries exactly (hashtags column or a #tag in the caption);
      - a keyword on word boundaries in the caption's words, @handles and #hashtags left out;
      - or the video's author being one of the brand's handles (matched_on `author`).
    mention_type: `owned` when the author is one of the brand's handles, else `sponsored` when
    fct_video_snapshots.sponsored_signal is `disclosed` or `likely`, else `earned`.
    matched_on: the first term that matched, handles, then hashtags, then keywords, each in the
    brands file's order.
    first_seen_date: the video's first snapshot date on which it mentioned the brand.
    On an incremental build only the videos seen on the replaced dates are matched, with their
    earlier snapshots (for first_seen_date). The `signals` dates: a date loaded late also
    recomputes the later dates (up to the signals look-back) whose first_seen_date and, in
    brand_share_of_voice, new UGC creators may look back at it.
#}
with terms as (
    select * from {{ ref('int_brand_terms') }}
),

{% if is_incremental() %}
replaced_dates as (
    {{ replaced_snapshot_dates_sql() }}
),

touched_videos as (
    select distinct video_id
    from {{ ref('int_video_observations') }}
    where snapshot_date in (select snapshot_date from replaced_dates)
),

candidates as not materialized (
    select observations.*
    from {{ ref('int_video_observations') }} as observations
    semi join touched_videos on observations.video_id = touched_videos.video_id
    where observations.snapshot_date <= (select max(snapshot_date) from replaced_dates)
        and exists (select 1 from terms)
),
{% else %}
candidates as not materialized (
    select *
    from {{ ref('int_video_observations') }}
    where exists (select 1 from terms)
),
{% endif %}

-- A video's caption, author and hashtags are the same on most of its snapshots: each distinct
-- variant is folded and matched once, and its matches joined back to the snapshots that carry it
-- (macros/variants.sql).
{% set caption_columns = [
    ('author', 'coalesce(author_unique_id, creator_username)'),
    ('description', 'description'),
    ('hashtags', 'hashtags'),
] %}
variants as (
    {{ caption_variants('candidates', caption_columns) }}
),

folded as (
    select
        video_id,
        caption_key,
        lower(regexp_replace(trim(author), '^@', '')) as author_key,
        {{ brand_fold('description') }} as caption,
        hashtags
    from variants
),

captions as (
    select
        video_id,
        caption_key,
        author_key,
        {{ caption_handles('caption') }} as handles,
        {{ caption_hashtags('caption', 'hashtags') }} as tags,
        {{ caption_words('caption') }} as words
    from folded
),

caption_handles as (
    select distinct video_id, caption_key, unnest(handles) as handle
    from captions
),

caption_tags as (
    select distinct video_id, caption_key, unnest(tags) as tag
    from captions
),

keyword_terms as (
    select * from terms where term_type = 'keyword'
),

matches as (
    select caption_handles.video_id, caption_handles.caption_key, terms.brand,
        1 as term_rank, terms.position, '@' || terms.term as matched_on, false as is_author
    from caption_handles
    inner join terms on terms.term_type = 'handle' and terms.term = caption_handles.handle
    union all
    select caption_tags.video_id, caption_tags.caption_key, terms.brand,
        2 as term_rank, terms.position, '#' || terms.term as matched_on, false as is_author
    from caption_tags
    inner join terms on terms.term_type = 'hashtag' and terms.term = caption_tags.tag
    union all
    select captions.video_id, captions.caption_key, keyword_terms.brand,
        3 as term_rank, keyword_terms.position, keyword_terms.term as matched_on, false as is_author
    from captions
    inner join keyword_terms on {{ keyword_in_words('keyword_terms.term', 'captions.words') }}
    union all
    select captions.video_id, captions.caption_key, terms.brand,
        4 as term_rank, 0 as position, 'author' as matched_on, true as is_author
    from captions
    inner join terms on terms.term_type = 'handle' and terms.term = captions.author_key
),

per_variant as (
    select
        video_id,
        caption_key,
        brand,
        arg_min(matched_on, term_rank * 1000000 + position) as matched_on,
        bool_or(is_author) as is_owned
    from matches
    group by all
),

per_brand as (
    select observed.snapshot_date, per_variant.video_id, per_variant.brand, per_variant.matched_on,
        per_variant.is_owned
    from (
        select snapshot_date, video_id, {{ caption_key(caption_columns) }} as caption_key
        from candidates
    ) as observed
    inner join per_variant using (video_id, caption_key)
),

with_first_seen as (
    select
        *,
        min(snapshot_date) over (partition by brand, video_id) as first_seen_date
    from per_brand
),

brands as (
    select distinct brand, competitive_set from terms
)

select
    mentions.brand,
    mentions.video_id,
    mentions.snapshot_date,
    snapshots.creator_username,
    case
        when mentions.is_owned then 'owned'
        when snapshots.sponsored_signal in ('disclosed', 'likely') then 'sponsored'
        else 'earned'
    end as mention_type,
    mentions.matched_on,
    snapshots.play_count,
    snapshots.engagement_rate,
    mentions.first_seen_date,
    brands.competitive_set,
    snapshots.author_unique_id,
    snapshots.niche,
    snapshots.seen_in_creator_posts,
    snapshots.search_appearances,
    snapshots.sponsored_signal,
    snapshots.digg_count,
    snapshots.comment_count,
    snapshots.share_count,
    snapshots.digg_count + snapshots.comment_count + snapshots.share_count as engagements
from with_first_seen as mentions
inner join brands using (brand)
inner join {{ ref('fct_video_snapshots') }} as snapshots
    on snapshots.video_id = mentions.video_id
    and snapshots.snapshot_date = mentions.snapshot_date
where {{ in_replaced_dates('mentions.snapshot_date') }}
