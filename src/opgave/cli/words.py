"""The command line's words in Dutch and English, by key, and the language a command speaks.

One catalogue for the CLI's sentences, table titles and column headers, beside the
dashboard's (:mod:`opgave.web.i18n`) and the report's templates; the words for vocabulary
codes and the way numbers, percentages and dates are written come from :mod:`opgave.i18n`
(Babel: 900.000 and 117,5% in Dutch), so the doors never disagree.

The language is ``--lang`` (before the command), else ``OPGAVE_LANG``, else English.
``overview``, ``status`` and the commands of the programme, the pipeline, the registers, geo
and the BAG speak it; the other commands are English until they are translated, and then the
default becomes Dutch, as on the dashboard.
Markup (Rich) stays out of the catalogue: the commands mark the values they put in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opgave import i18n

if TYPE_CHECKING:
    from opgave.areas import Coverage

ENVIRONMENT = "OPGAVE_LANG"
"""The environment variable that chooses the language when ``--lang`` is not given."""
CLI_DEFAULT_LANGUAGE = "en"
"""The command line's language when neither ``--lang`` nor ``OPGAVE_LANG`` says: English
until every command is translated, then Dutch (:data:`opgave.i18n.DEFAULT_LANGUAGE`)."""
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "synthetic": "SYNTHETIC",
        "synthetic_plans": "SYNTHETIC plans",
        "synthetic_loaded_overview": "Synthetic demo data is loaded: {sources}. "
        "Figures marked SYNTHETIC rest on it.",
        "synthetic_loaded_status": "Synthetic demo data is loaded ({sources}): "
        "figures marked SYNTHETIC rest on it.",
        "coverage_line": "Coverage: {coverage}.",
        "coverage_complete": "{known} of {known} {noun}",
        "coverage_expected": "lower bound: {known} of {expected} {noun}",
        "coverage_not_stated": "lower bound: {known} {noun} known, total not stated",
        "municipality": "municipality",
        "municipalities": "municipalities",
        "realised_line": "Realised {years}{provisional}: {amount} homes added ({definition})"
        "{share}",
        "provisional_years": " ({years} provisional)",
        "at_least": "at least {value}",
        "up_to": "up to {value}",
        "share_of_target": " = {share} of the target",
        "gap_line": "No figure under this definition for {years}: the realised total is a "
        "lower bound.",
        "remaining_line": "Remaining: {remaining} in {years} years -> {needed} a year needed; "
        "mean of the last 3 years {recent} -> {status}",
        "no_realised": "No realised figures yet: run `opgave ingest cbs` (or load a dataset).",
        "capacity_line": "Plan capacity {first}-{last}: {planned} homes in {plans} plans = "
        "{ratio} of the {against} still to be built (hard {hard}); norm {norm}: {verdict}",
        "met": "met",
        "not_met": "not met",
        "plans_line": "Plans in the area: {plans} with {homes} homes{synthetic}.",
        "no_national_target": "No national homes target is loaded; run `opgave init`.",
        "target_source": "Target source: {source}, {section}",
        "source": "Source: {sources}",
        "no_capacity": "Plan capacity: no plan lists loaded yet (norm: 130% of the task, "
        "Kamerstuk 34 682 nr. 90).",
        "regions_title": "Regional urbanisation strategies (letter order); "
        "`opgave status AREA` for their coverage",
        "column_region": "region",
        "column_realised": "realised",
        "column_capacity": "capacity",
        "column_targets": "targets",
        "lower_bound": "lower bound",
        "due_title": "Agreements due at the next meetings",
        "column_meeting": "meeting",
        "column_when": "when",
        "column_due": "due",
        "column_not_done": "not done",
        "as_of": " as of {date}",
        "targets_title": "targets of {area} and inside it",
        "column_target": "target",
        "column_area": "area",
        "column_period": "period",
        "column_pace": "pace needed / last 3 yrs",
        "column_capacity_remaining": "plan capacity vs what remains",
        "capacity_cell": "{planned} = {ratio} (hard {hard}); {norm} {verdict}",
        "of_maximum": "; {ratio} of the maximum",
        "funding_line": "Funding awarded in {area} (and areas inside it): {awards} awards, "
        "EUR {amount} for {homes} homes ({affordable} affordable).",
        "lower_bound_note": "≥ Only the municipalities a source names are counted for such an "
        "area, so its realised figures and plan capacity are lower bounds.",
        "year_so_far": "Year so far (BAG, {months}): {said}; {coverage}",
        "ysf_completed": "{count} homes completed",
        "ysf_new_build": ", of which {count} new-build",
        "ysf_permitted": "{count} homes permitted",
        "ysf_started": "{count} homes started",
        "ysf_previous": " ({count} in the same months of {year})",
        "ysf_coverage": "{count} of {expected} municipalities",
        "ysf_coverage_lower": "lower bound: {count} of {expected} municipalities",
        "ysf_provisional": "; provisional",
        "months": "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
        "homes_suffix": "{value} homes",
        "open": "open",
        "period_to": "to {year}",
        "period_from": "from {year}",
        "no_period": "no period",
        # ---- the other commands (programme, pipeline, registers, geo, bag) ----
        # cli/__init__.py: refusals and failures
        "error": "error:",
        "waiting": "waiting: {text}",
        "more_lines": "  ... and {count} more",
        "problem_found": "{count} problem found, nothing written:",
        "problems_found": "{count} problems found, nothing written:",
        "problem_row": "row {value}",
        "problem_field": "field {value}",
        # cli/render.py
        "or": "or",
        "two_areas": "two areas given: {area} and --area {option}; give one",
        "port_no_address": "cannot listen on {host}: no such address on this machine (--host)",
        "port_in_use": "port {port} on {host} is in use (another `opgave serve`?): stop it or "
        "choose another port with --port",
        "port_no_permission": "no permission to listen on port {port}: choose one above 1023 "
        "(--port)",
        "port_other": "cannot listen on {host}:{port}: {error}",
        # shared words of listings
        "expects": "{option} expects {expected}, got {got}",
        "a_date": "a date YYYY-MM-DD",
        "yes": "yes",
        "column_name": "name",
        "column_source": "source",
        "column_note": "note",
        "column_kind": "kind",
        "column_value": "value",
        "column_measure": "measure",
        "column_years": "years",
        "column_year": "year",
        "column_homes": "homes",
        "more_rows": "... {count} more; use --json for all.",
        # cli/programme.py
        "column_table": "table",
        "table_agreement": "agreement",
        "table_agreement_due": "agreement_due",
        "table_area": "area",
        "table_area_code_change": "area_code_change",
        "table_area_member": "area_member",
        "table_instrument": "instrument",
        "table_instrument_area": "instrument_area",
        "table_meeting": "meeting",
        "table_meeting_area": "meeting_area",
        "table_precondition": "precondition",
        "table_realisation": "realisation",
        "table_source": "source",
        "table_target": "target",
        "column_inserted": "inserted",
        "column_updated": "updated",
        "column_unchanged": "unchanged",
        "rows_written": "{count} rows written.",
        "no_change": "nothing to change.",
        "schema_revision": "Schema at revision {revision}; {written}",
        "areas_of_kind": "areas of the kind {word}",
        "column_complete": "complete",
        "column_in_groups": "in (confidence)",
        "column_lies_in": "lies in",
        "no_lower_bound": "no (lower bound)",
        "since": " (from {date})",
        "succeeds": "{group} {name}{since} succeeds {old} {old_name}.",
        "members_incomplete": "members incomplete",
        "membership": "membership {confidence}",
        "municipalities_hidden": "{count} {noun} (--municipalities to list)",
        "year_range": "YYYY-YYYY",
        "targets": "targets",
        "column_source_section": "source section",
        "meetings": "meetings",
        "preconditions": "preconditions",
        "column_theme": "theme",
        "instruments": "instruments",
        "column_budget": "budget",
        "column_expected_homes": "expected homes",
        "budget_per_year": "EUR {amount} a year x {years}",
        "exported": "Wrote {count} files to {directory}",
        "imported": "Imported {rows} rows into {tables} tables of {url}.",
        # cli/pipeline.py
        "plans_imported": "{file} as of {date}: {added} added, {changed} changed, {dropped} "
        "dropped, {unchanged} unchanged (source {source}).",
        "updates_synthetic": " SYNTHETIC: it updates synthetic plans.",
        "import_report_written": "Import report written to {file}.",
        "reading_summary": "{file} ({kind}, profile {profile}): {rows} rows read, {plans} plans, "
        "{problems} problem(s), {notes} note(s).",
        "read_as": "  read as: {items}",
        "read_encoding": "encoding {value} (detected)",
        "read_attribute_encoding": "attribute encoding {value} (detected)",
        "read_delimiter": "delimiter {value} (detected)",
        "read_decimal_en": "decimal separator {value} (English)",
        "read_decimal_nl": "decimal separator {value} (Dutch)",
        "years_expected": "YYYY or YYYY-YYYY",
        "downloading_cbs": "Downloading CBS table {table} ...",
        "cbs_ingested": "CBS {table}: {figures} figures ({inserted} new, {updated} updated) for "
        "{areas} municipalities.",
        "unknown_region_codes": "Left out {count} unknown region codes:",
        "realisations_title": "realisations ({count})",
        "column_counts": "counts",
        "no_because": "no: {reason}",
        "provisional_mark": "* provisional",
        "aside_other_source": "another source stands: {source} ({tier})",
        "aside_merged": "{area} merged into {new}; from {year} its figures are {new}'s",
        "aside_other_tier": "part of {new}, whose figure comes from another tier ({tier})",
        "aside_several_years": "a figure for several years: shown, not counted per year",
        "tier_cbs_final": "CBS, final",
        "tier_cbs_provisional": "CBS, provisional",
        "tier_bag": "derived from the BAG",
        "tier_document": "stated in a document or dataset",
        "tier_synthetic": "synthetic (demo)",
        "flags_title": "flags on {date} ({count})",
        "column_plan": "plan",
        "column_flag": "flag",
        "column_detail": "detail",
        "flag_stalled": "stalled",
        "flag_duplicate": "duplicate",
        "flag_stalled_detail": "planstatus {status} since {since} ({years} years)",
        "flag_duplicate_detail": "same municipality ({gemeente}), name and homes ({homes}) as "
        "{others}",
        "corrections_applied": "{file}: {applied} of {total} corrections applied.",
        "correction_not_applied": "  row {row} ({plan}.{field}): not applied - {note}",
        "note_no_such_plan": "no such plan",
        "note_dropped": "the plan was dropped on {date}",
        "note_already": "already holds the new value",
        "note_now_holds": "the field now holds {value}, not old_value",
        "plans_title": "plans{as_of} ({count})",
        "column_gemeente": "gemeente",
        "column_planstatus": "planstatus",
        "pipeline_compared": "Pipeline {first} -> {second}: {before} -> {after} homes",
        "change_class": "  {label} ({plans} plans, {homes} homes): {ids}",
        "change_added": "added",
        "change_dropped": "dropped",
        "change_delayed": "delayed",
        "change_reclassified": "reclassified",
        "plan_changed": "  changed {plan}: {changes}",
        "demo_written": "Wrote {count} SYNTHETIC plans to {file}",
        "synthetic_demo": "SYNTHETIC demo data",
        "demo_loaded": " (seed {seed}): {added} plans added, {unchanged} unchanged; {figures} "
        "municipal realisation figures added, as of {date}. Try `opgave status VS-MRA`, "
        "`opgave overview` or `opgave examples`.",
        # cli/registers.py
        "profile_written": "Proposed profile for {file} written to {out}; check every line.",
        "capacity_imported": "{file}: {totals} capacity totals for {areas} areas "
        "(source {source}).",
        "capacity_totals_title": "capacity totals ({count})",
        "column_hardness": "hardness",
        "column_gross_net": "gross/net",
        "hardness_hard": "hard",
        "hardness_soft": "soft",
        "hardness_unknown": "unknown",
        "basis_gross": "gross",
        "basis_net": "net",
        "basis_unknown": "unknown",
        # cli/geo.py
        "cannot_download": "cannot download {file}: {problem}",
        "no_such_file": "{file}: no such file",
        "boundaries_loaded": "{file}: {count} boundaries loaded (source {source}).",
        # cli/bag.py
        "rows_per_second": "{rows} rows, {rate}/s",
        "time_left": "left",
        "bag_read": "BAG {file} ({kind}, as of {date}) read in {seconds} s: {dwellings} dwellings "
        "with an event since {since}.",
        "voorkomens_read": "Voorkomens read: {parsed}.",
        "municipality_via": "Municipality of each VBO voorkomen: ",
        "note": "Note:",
        "skipped": "Skipped {what}",
        "bag_stored": "Years {first}-{last} (realisation): {inserted} new, {updated} updated, "
        "{unchanged} unchanged; {year} by month (realisation_month, provisional): "
        "{months_inserted} new, {months_updated} updated; {municipalities} municipalities "
        "(source {source}).",
        "no_pand_file": "No pand file: 'started' and the new-build split are absent.",
        "unknown_municipality_codes": "Left out {count} unknown municipality codes:",
        "and_more_json": " and {count} more (--json lists all)",
        "polygons_title": "dwellings inside the polygons of {file} ({since}-{date})",
        "column_polygon": "polygon",
        "column_permitted": "permitted",
        "column_started": "started",
        "column_completed": "completed",
        "column_new_build": "new-build",
        "column_other": "other",
        "column_stored": "stored",
        "no_not_an_area": "no (not an area)",
        "reconcile_title": "BAG ({source}) against CBS: {count} area-years",
        "column_new_build_bag": "new-build BAG",
        "column_cbs": "CBS",
        "column_diff": "diff",
        "column_other_bag": "other BAG",
        "column_verdict": "verdict",
        "verdict_agrees": "agrees",
        "verdict_differs": "differs",
        "verdict_no_cbs": "no CBS figure",
        "verdict_no_bag": "no BAG figure",
        "why_they_differ": "Why they differ",
        "no_cbs_figures": "No CBS figures in the database: run `opgave ingest cbs` first.",
        "provisional_cbs": "* provisional CBS figure",
    },
    "nl": {
        "synthetic": "SYNTHETISCH",
        "synthetic_plans": "SYNTHETISCHE plannen",
        "synthetic_loaded_overview": "Er zijn synthetische demogegevens geladen: {sources}. "
        "Cijfers met SYNTHETISCH erbij rusten daarop.",
        "synthetic_loaded_status": "Er zijn synthetische demogegevens geladen ({sources}): "
        "cijfers met SYNTHETISCH erbij rusten daarop.",
        "coverage_line": "Dekking: {coverage}.",
        "coverage_complete": "{known} van {known} {noun}",
        "coverage_expected": "ondergrens: {known} van {expected} {noun}",
        "coverage_not_stated": "ondergrens: {known} {noun} bekend, het totaal is niet genoemd",
        "municipality": "gemeente",
        "municipalities": "gemeenten",
        "realised_line": "Gerealiseerd {years}{provisional}: {amount} woningen toegevoegd "
        "({definition}){share}",
        "provisional_years": " ({years} voorlopig)",
        "at_least": "ten minste {value}",
        "up_to": "tot {value}",
        "share_of_target": " = {share} van de opgave",
        "gap_line": "Geen cijfer onder deze telling voor {years}: het gerealiseerde totaal is "
        "een ondergrens.",
        "remaining_line": "Nog te bouwen: {remaining} in {years} jaar -> {needed} per jaar "
        "nodig; gemiddelde van de laatste 3 jaar {recent} -> {status}",
        "no_realised": "Nog geen realisatiecijfers: draai `opgave ingest cbs` (of laad een "
        "dataset).",
        "capacity_line": "Plancapaciteit {first}-{last}: {planned} woningen in {plans} plannen "
        "= {ratio} van de {against} die nog gebouwd moeten worden (hard {hard}); norm {norm}: "
        "{verdict}",
        "met": "gehaald",
        "not_met": "niet gehaald",
        "plans_line": "Plannen in het gebied: {plans} met {homes} woningen{synthetic}.",
        "no_national_target": "Er is geen landelijke woningbouwopgave geladen; draai "
        "`opgave init`.",
        "target_source": "Bron van de opgave: {source}, {section}",
        "source": "Bron: {sources}",
        "no_capacity": "Plancapaciteit: nog geen planlijsten geladen (norm: 130% van de "
        "opgave, Kamerstuk 34 682 nr. 90).",
        "regions_title": "Verstedelijkingsstrategieën (volgorde van de brief); "
        "`opgave status GEBIED` voor hun dekking",
        "column_region": "regio",
        "column_realised": "gerealiseerd",
        "column_capacity": "plancapaciteit",
        "column_targets": "doelen",
        "lower_bound": "ondergrens",
        "due_title": "Afspraken die bij de volgende overleggen aan de beurt zijn",
        "column_meeting": "overleg",
        "column_when": "wanneer",
        "column_due": "aan de beurt",
        "column_not_done": "niet afgerond",
        "as_of": " stand per {date}",
        "targets_title": "doelen van {area} en de gebieden daarbinnen",
        "column_target": "doel",
        "column_area": "gebied",
        "column_period": "periode",
        "column_pace": "benodigd tempo / laatste 3 jaar",
        "column_capacity_remaining": "plancapaciteit t.o.v. wat nog moet",
        "capacity_cell": "{planned} = {ratio} (hard {hard}); {norm} {verdict}",
        "of_maximum": "; {ratio} van het maximum",
        "funding_line": "Toegekende financiering in {area} (en de gebieden daarbinnen): "
        "{awards} toekenningen, EUR {amount} voor {homes} woningen ({affordable} betaalbaar).",
        "lower_bound_note": "≥ Voor zo'n gebied tellen alleen de gemeenten die een bron noemt, "
        "dus de gerealiseerde cijfers en de plancapaciteit zijn ondergrenzen.",
        "year_so_far": "Dit jaar tot nu toe (BAG, {months}): {said}; {coverage}",
        "ysf_completed": "{count} woningen opgeleverd",
        "ysf_new_build": ", waarvan {count} nieuwbouw",
        "ysf_permitted": "{count} woningen vergund",
        "ysf_started": "{count} woningen in aanbouw genomen",
        "ysf_previous": " ({count} in dezelfde maanden van {year})",
        "ysf_coverage": "{count} van {expected} gemeenten",
        "ysf_coverage_lower": "ondergrens: {count} van {expected} gemeenten",
        "ysf_provisional": "; voorlopig",
        "months": "jan,feb,mrt,apr,mei,jun,jul,aug,sep,okt,nov,dec",
        "homes_suffix": "{value} woningen",
        "open": "open",
        "period_to": "t/m {year}",  # the last year is included
        "period_from": "vanaf {year}",
        "no_period": "geen periode",
        # ---- the other commands (programme, pipeline, registers, geo, bag) ----
        "error": "fout:",
        "waiting": "wachten: {text}",
        "more_lines": "  ... en nog {count}",
        "problem_found": "{count} probleem gevonden, er is niets opgeslagen:",
        "problems_found": "{count} problemen gevonden, er is niets opgeslagen:",
        "problem_row": "rij {value}",
        "problem_field": "kolom {value}",
        "or": "of",
        "two_areas": "twee gebieden opgegeven: {area} en --area {option}; geef er één",
        "port_no_address": "kan niet luisteren op {host}: dat adres bestaat niet op deze machine "
        "(--host)",
        "port_in_use": "poort {port} op {host} is al in gebruik (nog een `opgave serve`?): stop "
        "die of kies een andere poort met --port",
        "port_no_permission": "geen toestemming om op poort {port} te luisteren: kies er een boven "
        "1023 (--port)",
        "port_other": "kan niet luisteren op {host}:{port}: {error}",
        "expects": "{option} verwacht {expected}, niet {got}",
        "a_date": "een datum JJJJ-MM-DD",
        "yes": "ja",
        "column_name": "naam",
        "column_source": "bron",
        "column_note": "toelichting",
        "column_kind": "soort",
        "column_value": "waarde",
        "column_measure": "grootheid",
        "column_years": "jaren",
        "column_year": "jaar",
        "column_homes": "woningen",
        "more_rows": "... nog {count}; --json geeft ze allemaal.",
        "column_table": "tabel",
        "table_agreement": "afspraak",
        "table_agreement_due": "agendering van afspraken",
        "table_area": "gebied",
        "table_area_code_change": "codewijziging van gebieden",
        "table_area_member": "lidmaatschap van gebieden",
        "table_instrument": "instrument",
        "table_instrument_area": "instrument per gebied",
        "table_meeting": "overleg",
        "table_meeting_area": "overleg per gebied",
        "table_precondition": "randvoorwaarde",
        "table_realisation": "realisatiecijfer",
        "table_source": "bron",
        "table_target": "doel",
        "column_inserted": "toegevoegd",
        "column_updated": "bijgewerkt",
        "column_unchanged": "ongewijzigd",
        "rows_written": "{count} rijen geschreven.",
        "no_change": "niets te wijzigen.",
        "schema_revision": "Schema op revisie {revision}; {written}",
        "areas_of_kind": "gebieden van de soort {word}",
        "column_complete": "compleet",
        "column_in_groups": "in (betrouwbaarheid)",
        "column_lies_in": "ligt in",
        "no_lower_bound": "nee (ondergrens)",
        "since": " (vanaf {date})",
        "succeeds": "{group} {name}{since} is de opvolger van {old} {old_name}.",
        "members_incomplete": "leden onvolledig",
        "membership": "lidmaatschap {confidence}",
        "municipalities_hidden": "{count} {noun} (--municipalities om ze te tonen)",
        "year_range": "JJJJ-JJJJ",
        "targets": "doelen",
        "column_source_section": "vindplaats",
        "meetings": "overleggen",
        "preconditions": "randvoorwaarden",
        "column_theme": "thema",
        "instruments": "instrumenten",
        "column_budget": "budget",
        "column_expected_homes": "verwachte woningen",
        "budget_per_year": "EUR {amount} per jaar x {years}",
        "exported": "{count} bestanden geschreven naar {directory}",
        "imported": "{rows} rijen ingelezen in {tables} tabellen van {url}.",
        "plans_imported": "{file} per {date}: {added} toegevoegd, {changed} gewijzigd, {dropped} "
        "vervallen, {unchanged} ongewijzigd (bron {source}).",
        "updates_synthetic": " SYNTHETISCH: de lijst werkt synthetische plannen bij.",
        "import_report_written": "Importrapport geschreven naar {file}.",
        "reading_summary": "{file} ({kind}, profiel {profile}): {rows} rijen gelezen, {plans} "
        "plannen, {problems} problemen, {notes} opmerkingen.",
        "read_as": "  gelezen als: {items}",
        "read_encoding": "tekenset {value} (herkend)",
        "read_attribute_encoding": "tekenset van de attributen {value} (herkend)",
        "read_delimiter": "scheidingsteken {value} (herkend)",
        "read_decimal_en": "decimaalteken {value} (Engels)",
        "read_decimal_nl": "decimaalteken {value} (Nederlands)",
        "years_expected": "JJJJ of JJJJ-JJJJ",
        "downloading_cbs": "CBS-tabel {table} downloaden ...",
        "cbs_ingested": "CBS {table}: {figures} cijfers ({inserted} nieuw, {updated} bijgewerkt) "
        "voor {areas} gemeenten.",
        "unknown_region_codes": "{count} onbekende regiocodes weggelaten:",
        "realisations_title": "realisatiecijfers ({count})",
        "column_counts": "telt mee",
        "no_because": "nee: {reason}",
        "provisional_mark": "* voorlopig",
        "aside_other_source": "een andere bron gaat voor: {source} ({tier})",
        "aside_merged": "{area} is opgegaan in {new}; vanaf {year} zijn de cijfers die van {new}",
        "aside_other_tier": "deel van {new}, waarvan het cijfer uit een andere bron komt ({tier})",
        "aside_several_years": "een cijfer over meerdere jaren: getoond, niet per jaar geteld",
        "tier_cbs_final": "CBS, definitief",
        "tier_cbs_provisional": "CBS, voorlopig",
        "tier_bag": "afgeleid uit de BAG",
        "tier_document": "genoemd in een document of dataset",
        "tier_synthetic": "synthetisch (demo)",
        "flags_title": "signalen op {date} ({count})",
        "column_plan": "plan",
        "column_flag": "signaal",
        "column_detail": "toelichting",
        "flag_stalled": "stilgevallen",
        "flag_duplicate": "dubbel",
        "flag_stalled_detail": "planstatus {status} sinds {since} ({years} jaar)",
        "flag_duplicate_detail": "zelfde gemeente ({gemeente}), naam en aantal woningen ({homes}) "
        "als {others}",
        "corrections_applied": "{file}: {applied} van {total} correcties doorgevoerd.",
        "correction_not_applied": "  rij {row} ({plan}.{field}): niet doorgevoerd - {note}",
        "note_no_such_plan": "dit plan bestaat niet",
        "note_dropped": "het plan is vervallen op {date}",
        "note_already": "heeft de nieuwe waarde al",
        "note_now_holds": "het veld heeft nu {value}, niet old_value",
        "plans_title": "plannen{as_of} ({count})",
        "column_gemeente": "gemeente",
        "column_planstatus": "planstatus",
        "pipeline_compared": "Plannen {first} -> {second}: {before} -> {after} woningen",
        "change_class": "  {label} ({plans} plannen, {homes} woningen): {ids}",
        "change_added": "toegevoegd",
        "change_dropped": "vervallen",
        "change_delayed": "vertraagd",
        "change_reclassified": "andere planstatus",
        "plan_changed": "  gewijzigd {plan}: {changes}",
        "demo_written": "{count} SYNTHETISCHE plannen geschreven naar {file}",
        "synthetic_demo": "SYNTHETISCHE demogegevens",
        "demo_loaded": " (startgetal {seed}): {added} plannen toegevoegd, {unchanged} ongewijzigd; "
        "{figures} realisatiecijfers van gemeenten toegevoegd, stand per {date}. Probeer "
        "`opgave status VS-MRA`, `opgave overview` of `opgave examples`.",
        "profile_written": "Voorstel voor een profiel voor {file} geschreven naar {out}; "
        "controleer elke regel.",
        "capacity_imported": "{file}: {totals} totalen plancapaciteit voor {areas} gebieden "
        "(bron {source}).",
        "capacity_totals_title": "totalen plancapaciteit ({count})",
        "column_hardness": "hardheid",
        "column_gross_net": "bruto/netto",
        "hardness_hard": "hard",
        "hardness_soft": "zacht",
        "hardness_unknown": "onbekend",
        "basis_gross": "bruto",
        "basis_net": "netto",
        "basis_unknown": "onbekend",
        "cannot_download": "kan {file} niet downloaden: {problem}",
        "no_such_file": "{file}: dit bestand bestaat niet",
        "boundaries_loaded": "{file}: {count} gebiedsgrenzen geladen (bron {source}).",
        "rows_per_second": "{rows} rijen, {rate}/s",
        "time_left": "nog",
        "bag_read": "BAG {file} ({kind}, stand per {date}) gelezen in {seconds} s: {dwellings} "
        "woningen met een gebeurtenis sinds {since}.",
        "voorkomens_read": "Voorkomens gelezen: {parsed}.",
        "municipality_via": "Gemeente van elk VBO-voorkomen: ",
        "note": "Let op:",
        "skipped": "Overgeslagen: {what}",
        "bag_stored": "Jaren {first}-{last} (realisatie): {inserted} nieuw, {updated} bijgewerkt, "
        "{unchanged} ongewijzigd; {year} per maand (realisation_month, voorlopig): "
        "{months_inserted} nieuw, {months_updated} bijgewerkt; {municipalities} gemeenten "
        "(bron {source}).",
        "no_pand_file": "Geen pandbestand: 'in aanbouw genomen' en de splitsing in nieuwbouw "
        "ontbreken.",
        "unknown_municipality_codes": "{count} onbekende gemeentecodes weggelaten:",
        "and_more_json": " en nog {count} (--json toont ze allemaal)",
        "polygons_title": "woningen binnen de polygonen van {file} ({since}-{date})",
        "column_polygon": "polygoon",
        "column_permitted": "vergund",
        "column_started": "in aanbouw",
        "column_completed": "opgeleverd",
        "column_new_build": "nieuwbouw",
        "column_other": "overig",
        "column_stored": "opgeslagen",
        "no_not_an_area": "nee (geen gebied)",
        "reconcile_title": "BAG ({source}) tegenover CBS: {count} gebied-jaren",
        "column_new_build_bag": "nieuwbouw BAG",
        "column_cbs": "CBS",
        "column_diff": "verschil",
        "column_other_bag": "overig BAG",
        "column_verdict": "oordeel",
        "verdict_agrees": "komt overeen",
        "verdict_differs": "wijkt af",
        "verdict_no_cbs": "geen CBS-cijfer",
        "verdict_no_bag": "geen BAG-cijfer",
        "why_they_differ": "Waarom ze verschillen",
        "no_cbs_figures": "Geen CBS-cijfers in de database: draai eerst `opgave ingest cbs`.",
        "provisional_cbs": "* voorlopig CBS-cijfer",
    },
}
"""The sentences, titles and column headers of the translated commands, per language."""


def language(option: str | None, environ: Mapping[str, str]) -> str:
    """The language a command speaks: ``--lang``, else ``OPGAVE_LANG``, else English.

    Raises ValueError with the one line to print for a language opgave does not speak."""
    for name, value in (("--lang", option), (ENVIRONMENT, environ.get(ENVIRONMENT))):
        if value is None or (name == ENVIRONMENT and not value.strip()):
            continue
        chosen = value.strip().lower()
        if chosen not in i18n.LANGUAGES:
            spoken = " or ".join(i18n.LANGUAGES)
            raise ValueError(f"{name} expects {spoken}, got {value!r}")
        return chosen
    return CLI_DEFAULT_LANGUAGE


class Words:
    """The words of one language: ``t(key, **values)`` fills in a sentence; numbers,
    percentages, dates and vocabulary codes as that language writes them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._texts = TEXTS[lang]

    def __call__(self, key: str, **values: Any) -> str:
        """The sentence ``key`` with ``values`` filled in."""
        text = self._texts[key]
        return text.format(**values) if values else text

    def knows(self, key: str) -> bool:
        """Whether the catalogue has ``key`` (for words made from codes, e.g. ``flag_stalled``)."""
        return key in self._texts

    def number(self, value: float | None, digits: int = 0) -> str:
        """A number of homes (or any count): 900.000 in Dutch, 900,000 in English."""
        return i18n.number(value, self.lang, digits)

    def percent(self, value: float | None, digits: int = 0) -> str:
        """A ratio as a percentage with a fixed number of decimals: 117,5% in Dutch."""
        return i18n.percent(value, self.lang, digits)

    def date(self, value: dt.date) -> str:
        """A date: 1 januari 2025 in Dutch; ISO (2025-01-01) in English, as before."""
        return value.isoformat() if self.lang == "en" else i18n.long_date(value, self.lang)

    def word(self, vocabulary: str, code: str | None) -> str:
        """The word for a vocabulary code ('on_track' -> 'op koers')."""
        return i18n.label(vocabulary, code, self.lang)

    def coverage(self, c: Coverage) -> str:
        """An area's coverage: "30 van 30 gemeenten (3 secundair)", "ondergrens: 21 van 22
        gemeenten" (the line :func:`opgave.areas.coverage_text` writes in English)."""
        noun = self("municipality" if (c.expected or c.known) == 1 else "municipalities")
        known = self.number(c.known)
        if c.complete:
            line = self("coverage_complete", known=known, noun=noun)
        elif c.expected is not None:
            line = self(
                "coverage_expected", known=known, expected=self.number(c.expected), noun=noun
            )
        else:
            line = self("coverage_not_stated", known=known, noun=noun)
        weak = [
            f"{self.number(n)} {self.word('confidence', conf)}"
            for conf, n in c.by_confidence
            if conf != "official" and n
        ]
        return line + (f" ({', '.join(weak)})" if weak else "")

    def period(self, t: Mapping[str, Any]) -> str:
        """A target's inclusive years: 2021-2030, t/m 2040, vanaf 2031, geen periode."""
        first, last = t["first_year"], t["last_year"]
        if first and last:
            return f"{first}-{last}"
        if last:
            return self("period_to", year=last)
        if first:
            return self("period_from", year=first)
        return self("no_period")

    def target_value(self, t: Mapping[str, Any]) -> str:
        """A target's value as the letter says it: ranges, "ca.", "ten minste", open."""
        lo, hi = t["value_min"], t["value_max"]
        unit = t["unit"]

        def fmt(v: float) -> str:
            return self.percent(v) if unit in ("ratio", "share") else self.number(v)

        if lo is None and hi is None:
            text = t["qualitative"] or self("open")
        elif lo is not None and hi is not None:
            text = fmt(lo) if lo == hi else f"{fmt(lo)}-{fmt(hi)}"
        elif lo is not None:
            text = self("at_least", value=fmt(lo))
        else:
            text = self("up_to", value=fmt(hi))
        if unit == "homes" and (lo is not None or hi is not None):
            text = self("homes_suffix", value=text)
        return f"ca. {text}" if t["approximate"] else text

    def months(self, last_month: int, year: int) -> str:
        """The months of a year so far: "jan-sep 2026" ("jan 2026" for January alone)."""
        names = self("months").split(",")
        if last_month > 1:
            return f"{names[0]}-{names[last_month - 1]} {year}"
        return f"{names[0]} {year}"
