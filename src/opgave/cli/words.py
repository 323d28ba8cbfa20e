"""The command line's words in Dutch and English, by key, and the language a command speaks.

One catalogue for the CLI's sentences, table titles and column headers, beside the
dashboard's (:mod:`opgave.web.i18n`) and the report's templates; the words for vocabulary
codes and the way numbers, percentages and dates are written come from :mod:`opgave.i18n`
(Babel: 900.000 and 117,5% in Dutch), so the doors never disagree.

The language is ``--lang`` (before the command), else ``OPGAVE_LANG``, else Dutch, as on the
dashboard and in the report; every command speaks both (``--json`` is the same in both).
Markup (Rich) stays out of the catalogue: the commands mark the values they put in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from opgave import i18n
from opgave.message import Message

if TYPE_CHECKING:
    from opgave.areas import Coverage

ENVIRONMENT = "OPGAVE_LANG"
"""The environment variable that chooses the language when ``--lang`` is not given."""
CLI_DEFAULT_LANGUAGE = i18n.DEFAULT_LANGUAGE
"""The command line's language when neither ``--lang`` nor ``OPGAVE_LANG`` says: Dutch."""
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "agr_title": "agreements",
        "agr_title_overdue": "agreements overdue at {when}",
        "agr_title_overdue_on": "agreements overdue at {when}",
        "agr_title_overdue_today": "agreements overdue today",
        "column_id": "id",
        "column_agreement": "agreement",
        "column_status": "status",
        "agr_added": "Added {id} ({status}) for {area}.",
        "agr_set_and_cleared": "{name} is both set and cleared",
        "agr_nothing_to_change": "nothing to change: give a field option",
        "agr_no_difference": "{id}: nothing differs; no change recorded.",
        "agr_link_unchanged": "{id}: the link was already as asked; nothing recorded.",
        "agr_status_line": "{id} - status {status}",
        "agr_superseded_by": ", superseded by {id}",
        "agr_linked_target": "linked targets: {ids}",
        "agr_linked_plan": "linked plans: {ids}",
        "agr_linked_precondition": "linked preconditions: {ids}",
        "agr_linked_instrument": "linked instruments: {ids}",
        "agr_history_title": "history of {id}",
        "column_who": "who",
        "column_what": "what",
        "column_why": "why",
        "column_status_after": "status after",
        "agr_recorded": "recorded",
        "agr_added_reason": "added to the register",
        "agr_field_kind": "kind",
        "agr_field_meeting_id": "meeting_id",
        "agr_field_area_id": "area_id",
        "agr_field_parties": "parties",
        "agr_field_themes": "themes",
        "agr_field_text": "text",
        "agr_field_text_en": "text_en",
        "agr_field_due_meeting_id": "due_meeting_id",
        "agr_field_due_date": "due_date",
        "agr_field_due_text": "due_text",
        "agr_field_display_order": "display_order",
        "agr_field_source_id": "source_id",
        "agr_field_source_section": "source_section",
        "agr_field_status": "status",
        "agr_field_superseded_by": "superseded_by",
        "agr_field_link_target": "link_target",
        "agr_field_link_plan": "link_plan",
        "agr_field_link_precondition": "link_precondition",
        "agr_field_link_instrument": "link_instrument",
        "agr_changes_since": "Changes since the previous meeting, {name} (after {since}, up to "
        "{until}).",
        "agr_label_due": "due",
        "agr_label_overdue": "overdue",
        "agr_label_new": "new",
        "agr_label_changed": "changed",
        "agr_changed_by": "{id} {on} by {who}: {what}",
        "agr_nothing_on_the_table": "Nothing on the table for: {names}.",
        "fc_wrote_charts": "Wrote {count} chart files to {folder}",
        "synthetic_not_real": "Synthetic demo data is loaded: these figures are not real.",
        "fc_title": "forecast from {year}: {plans} plans, {runs} runs, seed {seed}",
        "fc_title_scenario": ", scenario {name}",
        "fc_base": "base case",
        "fc_defaults": "defaults",
        "column_p50_of": "P50 {name}",
        "column_p_min_of": "P(min) {name}",
        "column_difference": "difference",
        "column_ratio_now": "ratio now",
        "column_ratio_needed": "needed 50/80/90%",
        "fc_points": ", P(min) {points} pts",
        "fc_unreachable": "unreachable",
        "fc_gap_years": "No realised figures and no planned homes for {years}: these years add "
        "nothing to the forecast (a gap in the data, not a forecast of zero).",
        "fc_silent": "No forecast for {areas}: they have no target in homes with an end year in "
        "the forecast period (see `opgave targets`).",
        "fc_assumptions": "Assumptions: {files}. P(min): probability of reaching the target (its "
        "minimum for a range).",
        "fc_scenario_stored": "Scenario {quoted} stored; try `{command}`.",
        "fc_scenarios_title": "scenarios",
        "column_description": "description",
        "column_created": "created",
        "fc_learned_title": "learned from {plans} plans in {lists} lists ({first} to {last})",
        "column_planstatus": "planstatus",
        "column_plans": "plans",
        "column_dropped": "dropped",
        "column_started": "started",
        "column_pending": "pending",
        "column_dropout": "drop-out (90%)",
        "column_delay": "delay 0/1/2/3+ years",
        "fc_default": "default",
        "fc_learned_until": "learned from the plan lists up to {date} ({plans} plans, "
        "{lists} lists)",
        "fc_wrote_assumptions": "Wrote {file}; use it with `opgave forecast --assumptions {file}`.",
        "fc_backtest_title": "backtest at {at}: {plans} plans pending, forecast {first}-{last} "
        "against what the later lists show",
        "column_year": "year",
        "column_inside_80": "inside 80%",
        "yes": "yes",
        "no": "no",
        "fc_backtest_summary": "Inside the 80% interval: {coverage} of {cells} area-years "
        "({cumulative} cumulative; goal 80%). Stated chance -> observed: {calibration}. Mean "
        "error {error} homes per area-year ({relative} of the forecast).",
        "fc_assumptions_list": "Assumptions: {files}.",
        "fund_imported": "{file}: {added} applications added, {changed} changed, {unchanged} "
        "unchanged.",
        "fund_synthetic": "Synthetic applications (demo data), not real projects.",
        "fund_applications_title": "applications ({count})",
        "column_gemeente": "gemeente",
        "column_homes": "homes",
        "column_affordable": "affordable",
        "column_requested_eur": "requested EUR",
        "column_start": "start",
        "fund_schemes_title": "shipped schemes",
        "column_name": "name",
        "column_title": "title",
        "column_budget": "budget",
        "column_objective": "objective",
        "column_assumed_values": "assumed values",
        "fund_eur": "EUR {amount}",
        "fund_objective_homes": "homes",
        "fund_objective_affordable_homes": "affordable_homes",
        "fund_objective_score": "score",
        "fund_status_optimal": "optimal",
        "fund_status_time_limit": "time_limit",
        "fund_recorded": "Recorded {count} awards (decided {date}).",
        "fund_awards_title": "awards ({count})",
        "column_scheme": "scheme",
        "column_application": "application",
        "column_eur": "EUR",
        "column_decided": "decided",
        "alloc_head": "{scheme}: {eligible} of {applications} applications eligible; objective "
        "{objective}; status {status}",
        "alloc_optimal": "optimal",
        "alloc_ranking": "ranking",
        "alloc_difference": "difference",
        "alloc_objective": "objective",
        "alloc_homes": "homes",
        "alloc_affordable": "affordable homes",
        "alloc_spent": "spent (EUR)",
        "alloc_awards": "awards",
        "alloc_eur_per_home": "EUR per home",
        "alloc_rule": "ranking rule: by {ranked}, descending; award while budget and limits allow",
        "alloc_by_score": "weighted score",
        "alloc_by_ratio": "objective per euro",
        "alloc_marginal": "marginal value of budget: {value} {objective} per extra EUR 1M",
        "alloc_marginal_none": " - no budget increase buys more (the budget does not bind)",
        "alloc_marginal_step": " (EUR 1M more buys nothing with whole applications; the smallest "
        "increase that buys more is EUR {step}, for {gained} more {objective})",
        "alloc_constraint": "  {name}: limit {limit}, used {used}, slack {slack} - {state}",
        "alloc_binds": "binds",
        "alloc_does_not_bind": "does not bind",
        "alloc_unknown": "unknown",
        "alloc_gains": "; dropping it gains {value}",
        "alloc_at_least": "at least {value}",
        "alloc_budget": "budget",
        "alloc_region_cap": "region_cap {area}",
        "alloc_region_floor": "region_floor {area}",
        "alloc_max_awards": "max_awards_per_gemeente",
        "alloc_at_the_limit": "at the limit: {gemeenten}",
        "alloc_awarded": "awarded: {ids}",
        "alloc_ranking_awards": "ranking awards: {ids}",
        "alloc_none": "none",
        "alloc_note": "note: {note}",
        "alloc_note_unmet": "the ranking method leaves the floor(s) for {areas} unmet; its "
        "figures are shown but it is not a valid allocation",
        "alloc_note_stopped": "solver stopped with status {status}; gap {gap}",
        "alloc_note_synthetic": "the applications are (partly) synthetic example data",
        "alloc_note_unproven": "explain_time_limit_s reached: the value of dropping {names} is a "
        "lower bound",
        "ops_backed_up": "Backed up to {file}: {size} bytes, schema revision {revision} "
        "({method}).",
        "ops_restored": "Restored {database} from {file} (schema revision {revision}).",
        "ops_sqlite_backup": "sqlite backup",
        "ops_jobs_title": "jobs",
        "column_kind": "kind",
        "column_progress": "progress",
        "column_stage": "stage",
        "column_user": "user",
        "column_error": "error",
        "ops_jobs_done_one": "{count} job(s) done.",
        "ops_jobs_done": "{count} job(s) done.",
        "ops_job": "Job {id}: {status}.",
        "job_kind_forecast": "forecast",
        "job_kind_plans": "plans",
        "job_queued": "queued",
        "job_running": "running",
        "job_done": "done",
        "job_failed": "failed",
        "job_cancelled": "cancelled",
        "stage_queued": "queued",
        "stage_starting": "starting",
        "stage_loading": "loading",
        "stage_reading": "reading",
        "stage_validating": "validating",
        "stage_writing": "writing",
        "stage_summarising": "summarising",
        "stage_done": "done",
        "stage_failed": "failed",
        "stage_cancelled": "cancelled",
        "stage_forecast": "forecast {i} of {n}",
        "job_error_cancelled_before": "cancelled before it started",
        "job_error_cancelled_while": "cancelled while it ran; nothing written",
        "job_error_memory": "not enough memory; nothing was written",
        "rep_pdf_needs_out": "a PDF needs --out FILE",
        "rep_wrote": "Wrote {file} ({format}, {lang}): after {meeting}, {sections} sections, "
        "{notes} source notes{synthetic}.",
        "rep_synthetic": ", SYNTHETIC data included",
        "srv_listening": "opgave dashboard: {url}  (API: {api})",
        "srv_read_only": "note: the database file is read-only here: serving it to read; writes "
        "are refused",
        "srv_secure_cookies": "Session cookies are HTTPS-only: put a TLS proxy in front "
        "(docs/operations.md), or pass --no-secure-cookies on a trusted network.",
        "srv_no_users": "No users yet: add one with `opgave users add NAME --role admin`, or "
        "serve with --public-read to look around.",
        "usr_password_for": "Password for {name}: ",
        "usr_added": "User {name}: {role}{scope}.",
        "usr_scope": " for {areas}",
        "usr_token": "API token (shown once): {token}",
        "usr_revoked": "{count} token(s) of {name} revoked.",
        "usr_title": "users ({count})",
        "column_role": "role",
        "column_areas": "areas",
        "column_active": "active",
        "ex_written": "written",
        "ex_unchanged": "unchanged",
        "ex_skipped": "skipped",
        "ex_next": "next: {command}",
        "ex_no_demo": "no SYNTHETIC demo plans loaded: run `opgave demo`",
        "ex_what_scenario": "forecast scenario: the Oude Lijn's OV-schaalsprong cancelled",
        "ex_what_applications": "40 SYNTHETIC funding applications (Woningbouwimpuls tranche 4 "
        "columns)",
        "ex_what_plans": "the SYNTHETIC demo plans of Almere, Haarlem and Zaanstad as of {date}",
        "synthetic": "SYNTHETIC",
        "synthetic_plans": "SYNTHETIC plans",
        "synthetic_loaded_overview": "Synthetic demo data is loaded: {sources}. "
        "Figures marked SYNTHETIC rest on it.",
        "synthetic_loaded_status": "Synthetic demo data is loaded ({sources}): "
        "figures marked SYNTHETIC rest on it.",
        "coverage_line": "Coverage: {coverage}.",
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
        "ysf_provisional": "; provisional",
        "homes_suffix": "{value} homes",
        "open": "open",
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
        "column_source": "source",
        "column_note": "note",
        "column_value": "value",
        "column_measure": "measure",
        "column_years": "years",
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
        "column_expected_homes": "expected homes",
        "budget_per_year": "EUR {amount} a year x {years}",
        "exported": "Wrote {count} files to {directory}",
        "imported": "Imported {rows} rows into {tables} tables of {url}.",
        # cli/pipeline.py
        "plans_imported": "{file} as of {date}: {added} added, {changed} changed, {dropped} "
        "dropped, {unchanged} unchanged (source {source}).",
        "updates_synthetic": " SYNTHETIC: it updates synthetic plans.",
        "marked_synthetic": " SYNTHETIC: the file marks every row synthetic.",
        "import_report_written": "Import report written to {file}.",
        "reading_summary": "{file} ({kind}, profile {profile}): {rows} rows read, {plans} plans, "
        "{problems} problem(s), {notes} note(s).",
        "read_as": "  read as: {items}",
        "read_encoding": "encoding {value} (detected)",
        "read_attribute_encoding": "attribute encoding {value} (detected)",
        "read_delimiter": "delimiter {value} (detected)",
        "read_decimal_en": "decimal separator {value} (English)",
        "read_decimal_nl": "decimal separator {value} (Dutch)",
        "read_synthetic": "SYNTHETIC: every row is marked synthetic",
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
        "aside_unknown_source": "unknown source",
        "aside_part_month": "the extract of {reference} covers this month only in part",
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
        "agr_title": "afspraken",
        "agr_title_overdue": "afspraken die bij {when} over tijd zijn",
        "agr_title_overdue_on": "afspraken die op {when} over tijd zijn",
        "agr_title_overdue_today": "afspraken die vandaag over tijd zijn",
        "column_id": "id",
        "column_agreement": "afspraak",
        "column_status": "stand",
        "agr_added": "{id} toegevoegd ({status}) voor {area}.",
        "agr_set_and_cleared": "{name} wordt tegelijk gezet en leeggemaakt",
        "agr_nothing_to_change": "niets te wijzigen: geef een veld als optie",
        "agr_no_difference": "{id}: er verschilt niets; geen wijziging vastgelegd.",
        "agr_link_unchanged": "{id}: de koppeling was al zoals gevraagd; niets vastgelegd.",
        "agr_status_line": "{id} - stand {status}",
        "agr_superseded_by": ", vervangen door {id}",
        "agr_linked_target": "gekoppelde doelen: {ids}",
        "agr_linked_plan": "gekoppelde plannen: {ids}",
        "agr_linked_precondition": "gekoppelde randvoorwaarden: {ids}",
        "agr_linked_instrument": "gekoppelde instrumenten: {ids}",
        "agr_history_title": "geschiedenis van {id}",
        "column_who": "wie",
        "column_what": "wat",
        "column_why": "toelichting",
        "column_status_after": "stand daarna",
        "agr_recorded": "vastgelegd",
        "agr_added_reason": "opgenomen in het register",
        "agr_field_kind": "soort",
        "agr_field_meeting_id": "gemaakt in",
        "agr_field_area_id": "gebied",
        "agr_field_parties": "partijen",
        "agr_field_themes": "thema's",
        "agr_field_text": "tekst",
        "agr_field_text_en": "tekst in het Engels",
        "agr_field_due_meeting_id": "agenderen voor",
        "agr_field_due_date": "uiterste datum",
        "agr_field_due_text": "moment in woorden",
        "agr_field_display_order": "volgorde",
        "agr_field_source_id": "bron",
        "agr_field_source_section": "onderdeel van de bron",
        "agr_field_status": "stand",
        "agr_field_superseded_by": "vervangen door",
        "agr_field_link_target": "koppeling met doel",
        "agr_field_link_plan": "koppeling met plan",
        "agr_field_link_precondition": "koppeling met randvoorwaarde",
        "agr_field_link_instrument": "koppeling met instrument",
        "agr_changes_since": "Wijzigingen sinds het vorige overleg, {name} (na {since}, t/m "
        "{until}).",
        "agr_label_due": "aan de beurt",
        "agr_label_overdue": "over tijd",
        "agr_label_new": "nieuw",
        "agr_label_changed": "gewijzigd",
        "agr_changed_by": "{id} {on} door {who}: {what}",
        "agr_nothing_on_the_table": "Niets te bespreken voor: {names}.",
        "fc_wrote_charts": "{count} grafiekbestanden geschreven naar {folder}",
        "synthetic_not_real": "Er zijn synthetische demogegevens geladen: deze cijfers zijn niet "
        "echt.",
        "fc_title": "prognose vanaf {year}: {plans} plannen, {runs} simulaties, startgetal {seed}",
        "fc_title_scenario": ", scenario {name}",
        "fc_base": "basisscenario",
        "fc_defaults": "standaardaannames",
        "column_p50_of": "P50 {name}",
        "column_p_min_of": "P(min) {name}",
        "column_difference": "verschil",
        "column_ratio_now": "verhouding nu",
        "column_ratio_needed": "nodig voor 50/80/90%",
        "fc_points": ", P(min) {points} procentpunt",
        "fc_unreachable": "onhaalbaar",
        "fc_gap_years": "Geen realisatiecijfers en geen geplande woningen voor {years}: deze "
        "jaren tellen niet mee in de prognose (een gat in de gegevens, geen prognose van nul).",
        "fc_silent": "Geen prognose voor {areas}: zij hebben geen doel in woningen met een "
        "eindjaar in de prognoseperiode (zie `opgave targets`).",
        "fc_assumptions": "Aannames: {files}. P(min): de kans dat het doel wordt gehaald (bij "
        "een bandbreedte het minimum).",
        "fc_scenario_stored": "Scenario {quoted} opgeslagen; probeer `{command}`.",
        "fc_scenarios_title": "scenario's",
        "column_description": "omschrijving",
        "column_created": "aangemaakt",
        "fc_learned_title": "geleerd van {plans} plannen in {lists} lijsten ({first} t/m {last})",
        "column_planstatus": "planstatus",
        "column_plans": "plannen",
        "column_dropped": "vervallen",
        "column_started": "in aanbouw",
        "column_pending": "nog open",
        "column_dropout": "uitval (90%)",
        "column_delay": "vertraging 0/1/2/3+ jaar",
        "fc_default": "standaard",
        "fc_learned_until": "geleerd uit de planlijsten t/m {date} ({plans} plannen, "
        "{lists} lijsten)",
        "fc_wrote_assumptions": "{file} geschreven; gebruik het met `opgave forecast "
        "--assumptions {file}`.",
        "fc_backtest_title": "terugtoets per {at}: {plans} plannen nog open, prognose "
        "{first}-{last} naast wat de latere lijsten laten zien",
        "column_year": "jaar",
        "column_inside_80": "binnen 80%",
        "yes": "ja",
        "no": "nee",
        "fc_backtest_summary": "Binnen het 80%-interval: {coverage} van {cells} gebiedsjaren "
        "({cumulative} cumulatief; doel 80%). Opgegeven kans -> waargenomen: {calibration}. "
        "Gemiddelde fout {error} woningen per gebiedsjaar ({relative} van de prognose).",
        "fc_assumptions_list": "Aannames: {files}.",
        "fund_imported": "{file}: {added} aanvragen toegevoegd, {changed} gewijzigd, {unchanged} "
        "ongewijzigd.",
        "fund_synthetic": "Synthetische aanvragen (demogegevens), geen echte projecten.",
        "fund_applications_title": "aanvragen ({count})",
        "column_gemeente": "gemeente",
        "column_homes": "woningen",
        "column_affordable": "betaalbaar",
        "column_requested_eur": "gevraagd EUR",
        "column_start": "startjaar",
        "fund_schemes_title": "meegeleverde regelingen",
        "column_name": "naam",
        "column_title": "titel",
        "column_budget": "budget",
        "column_objective": "doel",
        "column_assumed_values": "aangenomen waarden",
        "fund_eur": "EUR {amount}",
        "fund_objective_homes": "woningen",
        "fund_objective_affordable_homes": "betaalbare woningen",
        "fund_objective_score": "score",
        "fund_status_optimal": "optimaal",
        "fund_status_time_limit": "tijdslimiet bereikt",
        "fund_recorded": "{count} toekenningen vastgelegd (besluit van {date}).",
        "fund_awards_title": "toekenningen ({count})",
        "column_scheme": "regeling",
        "column_application": "aanvraag",
        "column_eur": "EUR",
        "column_decided": "besloten",
        "alloc_head": "{scheme}: {eligible} van {applications} aanvragen komen in aanmerking; "
        "doel {objective}; status {status}",
        "alloc_optimal": "optimaal",
        "alloc_ranking": "rangorde",
        "alloc_difference": "verschil",
        "alloc_objective": "doel",
        "alloc_homes": "woningen",
        "alloc_affordable": "betaalbare woningen",
        "alloc_spent": "besteed (EUR)",
        "alloc_awards": "toekenningen",
        "alloc_eur_per_home": "EUR per woning",
        "alloc_rule": "rangorde: op {ranked}, aflopend; toekennen zolang budget en grenzen het "
        "toelaten",
        "alloc_by_score": "gewogen score",
        "alloc_by_ratio": "doel per euro",
        "alloc_marginal": "marginale waarde van het budget: {value} {objective} per extra EUR 1 "
        "mln",
        "alloc_marginal_none": " - meer budget levert niets meer op (het budget knelt niet)",
        "alloc_marginal_step": " (EUR 1 mln meer levert met hele aanvragen niets op; de kleinste "
        "verhoging die meer oplevert is EUR {step}, voor {gained} meer {objective})",
        "alloc_constraint": "  {name}: grens {limit}, gebruikt {used}, ruimte {slack} - {state}",
        "alloc_binds": "knelt",
        "alloc_does_not_bind": "knelt niet",
        "alloc_unknown": "onbekend",
        "alloc_gains": "; zonder deze grens {value} meer",
        "alloc_at_least": "ten minste {value}",
        "alloc_budget": "budget",
        "alloc_region_cap": "plafond van {area}",
        "alloc_region_floor": "minimum voor {area}",
        "alloc_max_awards": "toekenningen per gemeente",
        "alloc_at_the_limit": "op de grens: {gemeenten}",
        "alloc_awarded": "toegekend: {ids}",
        "alloc_ranking_awards": "toekenningen volgens de rangorde: {ids}",
        "alloc_none": "geen",
        "alloc_note": "let op: {note}",
        "alloc_note_unmet": "de rangorde haalt het minimum voor {areas} niet; de cijfers staan "
        "erbij, maar het is geen geldige verdeling",
        "alloc_note_stopped": "de solver stopte met status {status}; gap {gap}",
        "alloc_note_synthetic": "de aanvragen zijn (deels) synthetische voorbeeldgegevens",
        "alloc_note_unproven": "explain_time_limit_s bereikt: de waarde van het loslaten van "
        "{names} is een ondergrens",
        "ops_backed_up": "Back-up gemaakt in {file}: {size} bytes, schemaversie {revision} "
        "({method}).",
        "ops_restored": "{database} hersteld uit {file} (schemaversie {revision}).",
        "ops_sqlite_backup": "online back-up van SQLite",
        "ops_jobs_title": "taken",
        "column_kind": "soort",
        "column_progress": "voortgang",
        "column_stage": "fase",
        "column_user": "gebruiker",
        "column_error": "fout",
        "ops_jobs_done_one": "{count} taak afgerond.",
        "ops_jobs_done": "{count} taken afgerond.",
        "ops_job": "Taak {id}: {status}.",
        "job_kind_forecast": "prognose",
        "job_kind_plans": "planlijst",
        "job_queued": "in de wachtrij",
        "job_running": "bezig",
        "job_done": "klaar",
        "job_failed": "mislukt",
        "job_cancelled": "geannuleerd",
        "stage_queued": "wacht",
        "stage_starting": "begint",
        "stage_loading": "gegevens laden",
        "stage_reading": "bestand lezen",
        "stage_validating": "controleren",
        "stage_writing": "opslaan",
        "stage_summarising": "samenvatten",
        "stage_done": "klaar",
        "stage_failed": "mislukt",
        "stage_cancelled": "geannuleerd",
        "stage_forecast": "prognose {i} van {n}",
        "job_error_cancelled_before": "geannuleerd voordat de taak begon",
        "job_error_cancelled_while": "geannuleerd tijdens het werk; niets opgeslagen",
        "job_error_memory": "te weinig geheugen; niets opgeslagen",
        "rep_pdf_needs_out": "een PDF heeft --out BESTAND nodig",
        "rep_wrote": "{file} geschreven ({format}, {lang}): na {meeting}, {sections} "
        "hoofdstukken, {notes} bronvermeldingen{synthetic}.",
        "rep_synthetic": ", met SYNTHETISCHE gegevens",
        "srv_listening": "opgave-dashboard: {url}  (API: {api})",
        "srv_read_only": "let op: het databasebestand is hier alleen te lezen: de server toont "
        "het, wijzigingen worden geweigerd",
        "srv_secure_cookies": "Sessiecookies gaan alleen over HTTPS: zet er een TLS-proxy voor "
        "(docs/operations.md), of geef --no-secure-cookies op een vertrouwd netwerk.",
        "srv_no_users": "Nog geen gebruikers: voeg er een toe met `opgave users add NAAM --role "
        "admin`, of start met --public-read om rond te kijken.",
        "usr_password_for": "Wachtwoord voor {name}: ",
        "usr_added": "Gebruiker {name}: {role}{scope}.",
        "usr_scope": " voor {areas}",
        "usr_token": "API-token (wordt maar één keer getoond): {token}",
        "usr_revoked": "{count} token(s) van {name} ingetrokken.",
        "usr_title": "gebruikers ({count})",
        "column_role": "rol",
        "column_areas": "gebieden",
        "column_active": "actief",
        "ex_written": "geschreven",
        "ex_unchanged": "ongewijzigd",
        "ex_skipped": "overgeslagen",
        "ex_next": "daarna: {command}",
        "ex_no_demo": "geen SYNTHETISCHE demoplannen geladen: draai eerst `opgave demo`",
        "ex_what_scenario": "prognosescenario: de OV-schaalsprong van de Oude Lijn gaat niet door",
        "ex_what_applications": "40 SYNTHETISCHE aanvragen voor financiering (kolommen van de "
        "Woningbouwimpuls, tranche 4)",
        "ex_what_plans": "de SYNTHETISCHE demoplannen van Almere, Haarlem en Zaanstad per {date}",
        "synthetic": "SYNTHETISCH",
        "synthetic_plans": "SYNTHETISCHE plannen",
        "synthetic_loaded_overview": "Er zijn synthetische demogegevens geladen: {sources}. "
        "Cijfers met SYNTHETISCH erbij rusten daarop.",
        "synthetic_loaded_status": "Er zijn synthetische demogegevens geladen ({sources}): "
        "cijfers met SYNTHETISCH erbij rusten daarop.",
        "coverage_line": "Dekking: {coverage}.",
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
        "ysf_provisional": "; voorlopig",
        "homes_suffix": "{value} woningen",
        "open": "open",
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
        "column_source": "bron",
        "column_note": "toelichting",
        "column_value": "waarde",
        "column_measure": "grootheid",
        "column_years": "jaren",
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
        "column_expected_homes": "verwachte woningen",
        "budget_per_year": "EUR {amount} per jaar x {years}",
        "exported": "{count} bestanden geschreven naar {directory}",
        "imported": "{rows} rijen ingelezen in {tables} tabellen van {url}.",
        "plans_imported": "{file} per {date}: {added} toegevoegd, {changed} gewijzigd, {dropped} "
        "vervallen, {unchanged} ongewijzigd (bron {source}).",
        "updates_synthetic": " SYNTHETISCH: de lijst werkt synthetische plannen bij.",
        "marked_synthetic": " SYNTHETISCH: het bestand markeert elke rij als synthetisch.",
        "import_report_written": "Importrapport geschreven naar {file}.",
        "reading_summary": "{file} ({kind}, profiel {profile}): {rows} rijen gelezen, {plans} "
        "plannen, {problems} problemen, {notes} opmerkingen.",
        "read_as": "  gelezen als: {items}",
        "read_encoding": "tekenset {value} (herkend)",
        "read_attribute_encoding": "tekenset van de attributen {value} (herkend)",
        "read_delimiter": "scheidingsteken {value} (herkend)",
        "read_decimal_en": "decimaalteken {value} (Engels)",
        "read_decimal_nl": "decimaalteken {value} (Nederlands)",
        "read_synthetic": "SYNTHETISCH: elke rij is als synthetisch gemarkeerd",
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
        "aside_unknown_source": "onbekende bron",
        "aside_part_month": "het extract van {reference} dekt deze maand maar voor een deel",
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
    """The language a command speaks: ``--lang``, else ``OPGAVE_LANG``, else Dutch.

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

    def said(self, text: str | None, key: str, **formats: Callable[[Any], str]) -> str:
        """A sentence an analysis or service module wrote (a :class:`opgave.message.Message`)
        in these words: the catalogue's ``key.format(code)`` (e.g. ``"aside_{}"``) filled with
        the message's values, each through ``formats[name]`` when given (else ``str``).
        English, plain text and a code the catalogue lacks stay the text as written."""
        if text is None:
            return ""
        if self.lang == "en" or not isinstance(text, Message):
            return text
        name = key.format(text.code)
        if not self.knows(name):
            return text
        return self(
            name, **{k: formats[k](v) if k in formats else str(v) for k, v in text.values.items()}
        )

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
        gemeenten" (:func:`opgave.i18n.coverage`, as the dashboard and the report say it)."""
        return i18n.coverage(c.known, c.expected, c.lower_bound, self.lang, c.by_confidence)

    def period(self, t: Mapping[str, Any]) -> str:
        """A target's inclusive years: 2021-2030, t/m 2040, vanaf 2031, geen periode."""
        return i18n.period(t["first_year"], t["last_year"], self.lang, self("no_period"))

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
        return i18n.months(last_month, year, self.lang)
