-- Which documents are versions of one report, and which version is canonical: one row per
-- active document (int_reports).
--
-- Two documents are versions of one report (the same report_key) when
--   (a) their identity attributes agree: series (a region's aggregate reports, or one
--       scope, region and issuer: int_reports.series_key), report year and template, and
--       their statistics do not contradict that: of the cells not 0 of the document that
--       prints fewer of them, the other prints at least var('version_min_agreement') with
--       the same number in the same cell (a rendering that read fewer cells, or a corrected
--       number, is still the report). A document with no cell not 0 (no table, or zeros
--       only) joins the first-landed document of its attributes that has one; or
--   (b) their statistics are the same although the attributes were read differently (a
--       crawler's header taken for the title): the same year and template and the same
--       statistics fingerprint, with at least var('version_min_nonzero_cells') cells that
--       are not 0, so two small bodies' tables of zeros are never merged this way.
-- and versions of versions are versions (the connected groups of those links). Two
-- departments, a region's aggregate report and its office's own, or one issuer's two years
-- differ in series or year, so they are never versions, however alike their tables.
--
-- report_key names the group by its first-landed version: its attributes (series, year,
-- template) and the first 8 hex digits of its statistics fingerprint; `document:<id>` for a
-- document outside every series (not a report, no year, an agency report without issuer).
--
-- The canonical version, ranked in this order (version_rule names the deciding rule):
--   pinned             a reviewer's choice (int_canonical_pins: seeds/canonical_choices.csv
--                      and the reviews store's pins, the store's first, then the latest)
--   text_layer         a text layer beats OCR, which beats no text (stg_documents.text_source)
--   correction         a correction (seeds/correction_markers.csv, in the title or the text)
--                      beats the publication it corrects; the later of two corrections wins
--                      (published_on, then the later landing). A later publication that is
--                      no correction does not beat an earlier one.
--   fuller_statistics  more printed cells
--   fewer_uncertain    fewer cells read as uncertain
--   agreed_attributes  attributes shared by more of the report's versions
--   first_landed       the version landed first (then the smaller report_id)
-- version_reason says why the canonical version was chosen, and why each other version lost.
-- A report with one version is its own canonical version (`only_version`; a pin naming it
-- has nothing to choose).
-- What is compared and ranked comes from int_report_fingerprints.
with recursive

reports as (

    select
        reports.report_id,
        reports.source_file,
        reports.title,
        reports.report_year,
        reports.template,
        reports.text_source,
        reports.landed_at,
        case
            when reports.series_key is not null
                then reports.series_key || ':' || reports.report_year || ':' || reports.template
        end as attributes_key,
        fingerprints.n_printed,
        fingerprints.n_nonzero,
        fingerprints.n_uncertain,
        fingerprints.statistics_fingerprint,
        fingerprints.nonzero_cells,
        fingerprints.is_correction,
        fingerprints.published_on
    from {{ ref('int_reports') }} as reports
    inner join {{ ref('int_report_fingerprints') }} as fingerprints
        on reports.report_id = fingerprints.report_id

),

-- (a) the same attributes, and cells that agree (identical statistics trivially do)
attribute_pairs as (

    select
        a.report_id as report_a,
        b.report_id as report_b
    from reports as a
    inner join reports as b
        on a.attributes_key = b.attributes_key and a.report_id < b.report_id
    where
        a.n_nonzero > 0
        and b.n_nonzero > 0
        and (
            a.statistics_fingerprint = b.statistics_fingerprint
            or len(list_intersect(a.nonzero_cells, b.nonzero_cells))
            >= {{ var('version_min_agreement') }} * least(a.n_nonzero, b.n_nonzero)
        )

),

-- a document with no cell not 0 cannot tell which report of its attributes it is: it joins
-- the first-landed one that can (or, where none can, the first landed), so it never links
-- two reports of the same attributes into one
attribute_heads as (

    select
        attributes_key,
        report_id
    from reports
    where attributes_key is not null
    qualify row_number() over (
            partition by attributes_key order by n_nonzero = 0, landed_at, report_id
        ) = 1

),

evidence_free_pairs as (

    select
        reports.report_id as report_a,
        attribute_heads.report_id as report_b
    from reports
    inner join attribute_heads
        on reports.attributes_key = attribute_heads.attributes_key
    where reports.n_nonzero = 0 and reports.report_id <> attribute_heads.report_id

),

-- (b) the same statistics
fingerprint_pairs as (

    select
        a.report_id as report_a,
        b.report_id as report_b
    from reports as a
    inner join reports as b
        on
            a.statistics_fingerprint = b.statistics_fingerprint
            and a.report_year = b.report_year
            and a.template = b.template
            and a.report_id < b.report_id
    where a.n_nonzero >= {{ var('version_min_nonzero_cells') }}

),

links as (

    select
        report_a,
        report_b
    from attribute_pairs

    union

    select
        report_a,
        report_b
    from evidence_free_pairs

    union

    select
        report_a,
        report_b
    from fingerprint_pairs

),

edges as (

    select
        report_a as report_id,
        report_b as linked_id
    from links
    union all
    select
        report_b,
        report_a
    from links

),

-- every document a linked document reaches through the links (its whole group)
reach (report_id, member_id) as (

    select distinct
        report_id,
        report_id as member_id
    from edges

    union

    select
        reach.report_id,
        edges.linked_id
    from reach
    inner join edges
        on reach.member_id = edges.report_id

),

anchors as (

    select
        reach.report_id,
        reach.member_id as anchor_id
    from reach
    inner join reports as members
        on reach.member_id = members.report_id
    qualify row_number() over (
            partition by reach.report_id order by members.landed_at, members.report_id
        ) = 1

),

grouped as (

    select
        reports.*,
        coalesce(anchor.attributes_key, 'document:' || anchor.report_id)
        || '#' || coalesce(left(anchor.statistics_fingerprint, 8), 'none') as report_key,
        anchors.report_id is not null as has_versions
    from reports
    left join anchors
        on reports.report_id = anchors.report_id
    inner join reports as anchor
        on coalesce(anchors.anchor_id, reports.report_id) = anchor.report_id

),

-- the reports with several versions, ranked below (most reports have one: see final)
counted as (

    select
        * exclude (has_versions),
        count(*) over (partition by report_key) as version_count,
        -- how many of the report's versions read the same attributes
        count(*) over (partition by report_key, attributes_key) as attribute_support
    from grouped
    where has_versions

),

-- a reviewer's choice: of the pins whose chosen document is a version of the report the
-- pin names (by report_key, or by the report_id of any of its versions), the reviews
-- store's before the seed's, then the latest
pins as (

    select
        chosen.report_key,
        canonical_pins.chosen_report_id,
        canonical_pins.reason,
        canonical_pins.reviewed_by,
        canonical_pins.reviewed_at,
        canonical_pins.pin_source
    from {{ ref('int_canonical_pins') }} as canonical_pins
    inner join counted as chosen
        on canonical_pins.chosen_report_id = chosen.report_id
    where
        canonical_pins.report = chosen.report_key
        or canonical_pins.report in (
            select named.report_id from counted as named
            where named.report_key = chosen.report_key
        )
    qualify row_number() over (
            partition by chosen.report_key
            order by
                canonical_pins.pin_order asc,
                canonical_pins.reviewed_at desc,
                canonical_pins.review_id desc,
                canonical_pins.chosen_report_id asc
        ) = 1

),

ranked as (

    select
        counted.*,
        pins.chosen_report_id is not null as is_pinned,
        pins.reason as pin_reason,
        pins.reviewed_by as pinned_by,
        cast(pins.reviewed_at as date) as pinned_at,
        pins.pin_source,
        case counted.text_source when 'text_layer' then 0 when 'ocr' then 1 else 2 end
            as text_rank,
        row_number() over (
            partition by counted.report_key
            order by
                coalesce(pins.chosen_report_id = counted.report_id, false) desc,
                case counted.text_source when 'text_layer' then 0 when 'ocr' then 1 else 2 end,
                counted.is_correction desc,
                case when counted.is_correction then counted.published_on end desc nulls last,
                case when counted.is_correction then counted.landed_at end desc nulls last,
                counted.n_printed desc,
                counted.n_uncertain asc,
                counted.attribute_support desc,
                counted.landed_at asc,
                counted.report_id asc
        ) as version_rank
    from counted
    left join pins
        on counted.report_key = pins.report_key

),

-- each version beside its report's canonical version: the first rule that tells them apart
compared as (

    select
        version.*,
        canonical.report_id as canonical_report_id,
        canonical.source_file as canonical_source_file,
        case
            when version.is_pinned then 'pinned'
            when version.text_rank <> canonical.text_rank then 'text_layer'
            when version.is_correction <> canonical.is_correction then 'correction'
            when
                canonical.is_correction
                and (
                    canonical.published_on is distinct from version.published_on
                    or canonical.landed_at <> version.landed_at
                )
                then 'correction'
            when version.n_printed <> canonical.n_printed then 'fuller_statistics'
            when version.n_uncertain <> canonical.n_uncertain then 'fewer_uncertain'
            when version.attribute_support <> canonical.attribute_support then 'agreed_attributes'
            else 'first_landed'
        end as lost_by,
        canonical.text_source as canonical_text_source,
        canonical.published_on as canonical_published_on,
        canonical.n_printed as canonical_n_printed,
        canonical.n_uncertain as canonical_n_uncertain,
        canonical.attribute_support as canonical_attribute_support
    from ranked as version
    inner join ranked as canonical
        on version.report_key = canonical.report_key and canonical.version_rank = 1

),

explained as (

    select
        *,
        case lost_by
            when 'pinned'
                then
                    pin_reason || ' (' || pinned_by || ', '
                    || pinned_at || ', ' || pin_source || ')'
            when 'text_layer'
                then
                    'its text was read from '
                    || case text_source
                        when 'text_layer' then 'a text layer' when 'ocr' then 'page images by OCR'
                        else 'nothing (no text layer)'
                    end
                    || ', the canonical version''s from '
                    || case canonical_text_source
                        when 'text_layer' then 'a text layer' when 'ocr' then 'page images by OCR'
                        else 'nothing (no text layer)'
                    end
            when 'correction'
                then
                    'the canonical version is a correction'
                    || case
                        when is_correction
                            then ' published later ('
                                || coalesce(cast(canonical_published_on as varchar), 'landed later')
                                || ' against ' || coalesce(cast(published_on as varchar), 'no date')
                                || ')'
                        else ''
                    end
            when 'fuller_statistics'
                then
                    n_printed || ' printed cells against the canonical version''s '
                    || canonical_n_printed
            when 'fewer_uncertain'
                then
                    n_uncertain || ' uncertain cells against the canonical version''s '
                    || canonical_n_uncertain
            when 'agreed_attributes'
                then
                    'its attributes (series, year, template) are read by ' || attribute_support
                    || ' of the ' || version_count || ' versions, the canonical version''s by '
                    || canonical_attribute_support
            else 'the same on every rule; the canonical version was landed first'
        end as rule_detail
    from compared

),

several_versions as (

    select
        report_id,
        report_key,
        statistics_fingerprint,
        version_count,
        version_rank,
        version_rank = 1 as is_canonical,
        canonical_report_id,
        -- the canonical version: the rule that put it before the runner-up
        case
            when version_rank = 1
                then max(lost_by) filter (where version_rank = 2) over (partition by report_key)
            else lost_by
        end as version_rule,
        case
            when version_rank = 1 and is_pinned
                then
                    'canonical of ' || version_count || ' versions, chosen by a reviewer: '
                    || rule_detail
            when version_rank = 1
                then
                    'canonical of ' || version_count || ' versions ('
                    || max(lost_by) filter (where version_rank = 2) over (partition by report_key)
                    || '; see the other versions'' reasons)'
            else
                'lost to ' || canonical_report_id || ' (' || canonical_source_file || ', rule '
                || lost_by || '): ' || rule_detail
        end as version_reason,
        text_source,
        n_printed,
        n_uncertain,
        is_correction,
        published_on,
        attributes_key,
        is_pinned,
        pin_reason,
        pinned_by,
        pinned_at
    from explained

),

final as (

    select * from several_versions

    union all

    select
        report_id,
        report_key,
        statistics_fingerprint,
        1 as version_count,
        1 as version_rank,
        true as is_canonical,
        report_id as canonical_report_id,
        'only_version' as version_rule,
        'the only version' as version_reason,
        text_source,
        n_printed,
        n_uncertain,
        is_correction,
        published_on,
        attributes_key,
        false as is_pinned,
        null as pin_reason,
        null as pinned_by,
        null as pinned_at
    from grouped
    where not has_versions

)

select * from final
