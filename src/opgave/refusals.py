"""The sentences the service refuses with, in English and Dutch, by code: one catalogue every
door reads (the command line, the dashboard, the API) without importing the service.

The service raises ``ServiceError.refused(status, code, **values)``; its ``detail`` is a
:class:`opgave.message.Message` - the English sentence, as the API and the English command
line always showed it - carrying the code and the values, so that a Dutch door says the
same refusal in Dutch with :func:`say` instead of a generic word per status. The catalogue
lives here, beside :mod:`opgave.i18n`, and not in the service or a door: the service writes
the English, every door translates, and one test (tests/test_refusals.py) sees that each code
has both languages with the same placeholders.

Templates are ``str.format`` texts; ``{name!r}`` quotes a value as Python does (the same in
both languages), ``{name:n}`` is a number as the language writes it (900.000 in Dutch; the
English stays as it always was, without grouping), ``{name:role}`` a vocabulary code as the
language says it (:data:`opgave.i18n.WORDS`; the code itself in English). Values that are
English words themselves (a driver's error, a validator's reason) stay English: they are not
the catalogue's.
"""

from __future__ import annotations

import string
from typing import Any

from opgave import i18n
from opgave.message import Message

REFUSALS: dict[str, tuple[str, str]] = {
    # the database: opening it, its schema, its state (service/__init__.py, failures.py)
    "no_database": (
        "there is no database at {path}; create it with `opgave init` (or name another with --db)",
        "er is geen database in {path}; maak er een met `opgave init` (of noem een andere met "
        "--db)",
    ),
    "not_opgave_database": (
        "the database {url} is not an opgave database yet; run `opgave init` to create it",
        "de database {url} is nog geen opgave-database; maak hem aan met `opgave init`",
    ),
    "older_schema": (
        "the database {url} has an older opgave schema (revision {revision}); run `opgave "
        "init` to upgrade it",
        "de database {url} heeft een ouder opgave-schema (revisie {revision}); werk hem bij "
        "met `opgave init`",
    ),
    "newer_schema": (
        "this database ({url}) was written by a newer opgave (revision {revision}); upgrade opgave",
        "deze database ({url}) is geschreven door een nieuwere opgave (revisie {revision}); "
        "werk opgave bij",
    ),
    "busy": (
        "the database {url} is busy: another process is writing to it; nothing was written, "
        "try again in a moment",
        "de database {url} is bezet: een ander proces schrijft erin; er is niets opgeslagen, "
        "probeer het zo opnieuw",
    ),
    "read_only": (
        "the database {url} is read-only here: reading works, writing does not (check the "
        "file's permissions or the server's role); nothing was written",
        "de database {url} is hier alleen te lezen: lezen lukt, schrijven niet (kijk naar de "
        "rechten van het bestand of de rol van de server); er is niets opgeslagen",
    ),
    "disk_full": (
        "the disk is full ({where}): nothing was written; free some space and try again",
        "de schijf is vol ({where}): er is niets opgeslagen; maak ruimte vrij en probeer het "
        "opnieuw",
    ),
    "out_of_memory": (
        "not enough memory for this request; nothing was written",
        "niet genoeg geheugen voor deze vraag; er is niets opgeslagen",
    ),
    "cannot_open": (
        "cannot open the database {url}: no such file or no access to it",
        "kan de database {url} niet openen: het bestand bestaat niet of is niet toegankelijk",
    ),
    "not_sqlite": (
        "{url} is not a usable SQLite database ({reason}); nothing was written",
        "{url} is geen bruikbare SQLite-database ({reason}); er is niets opgeslagen",
    ),
    "disk_failed": (
        "the disk failed writing {url} ({reason})",
        "de schijf faalde bij het schrijven van {url} ({reason})",
    ),
    "unreachable": (
        "cannot reach the database {url}: {reason}",
        "kan de database {url} niet bereiken: {reason}",
    ),
    "sign_ins_busy": (
        "too many sign-ins at once; try again in a moment",
        "te veel aanmeldingen tegelijk; probeer het zo opnieuw",
    ),
    "sign_ins_throttled": (
        "too many failed sign-ins for this account or from this address; try again in {seconds} s",
        "te veel mislukte aanmeldingen voor dit account of vanaf dit adres; probeer het over "
        "{seconds} s opnieuw",
    ),
    # who may write what (access.py, service/authority.py)
    "read_only_role": (
        "{name} is a {role:role}: read only",
        "{name} is {role:role}: alleen lezen",
    ),
    "placements_outside": (
        "{count:n} placement(s) lie outside the areas {name} may write",
        "{count:n} plaatsingen liggen buiten de gebieden waarin {name} mag schrijven",
    ),
    "placements_outside_1": (
        "{count:n} placement(s) lie outside the areas {name} may write",
        "{count:n} plaatsing ligt buiten de gebieden waarin {name} mag schrijven",
    ),
    # parameters and files every capability checks
    "no_such_file": ("{path}: no such file", "{path}: bestand bestaat niet"),
    "bad_date": (
        "{name} expects a date YYYY-MM-DD, got {value!r}",
        "{name} verwacht een datum JJJJ-MM-DD, niet {value!r}",
    ),
    "one_of": ("{name} must be one of {choices}", "{name} moet een van {choices} zijn"),
    "bad_sort": (
        "sort must be one of {choices}, not {sort!r}",
        "sort moet een van {choices} zijn, niet {sort!r}",
    ),
    "not_one_of": (
        "{name} {value!r} is not one of {choices}",
        "{name} {value!r} is niet een van {choices}",
    ),
    "bad_download_format": (
        "format must be csv or xlsx (leave it out for JSON), got {value!r}",
        "format moet csv of xlsx zijn (laat het weg voor JSON), niet {value!r}",
    ),
    # monitoring and the programme
    "unknown_area": (
        "unknown area {area!r}; `opgave areas` lists them",
        "onbekend gebied {area!r}; `opgave areas` noemt ze",
    ),
    "unknown_definition": (
        "unknown definition {definition!r}; choose one of {choices}",
        "onbekende definitie {definition!r}; kies uit {choices}",
    ),
    "export_into_file": (
        "{directory} is a file; export writes a folder of files: name a folder",
        "{directory} is een bestand; export schrijft een map met bestanden: noem een map",
    ),
    "export_not_empty": (
        "{directory} holds an export already ({names}); name an empty folder or use --overwrite",
        "in {directory} staat al een export ({names}); noem een lege map of gebruik --overwrite",
    ),
    "problems_nothing_imported": (
        "{count:n} problem(s), nothing imported:",
        "{count:n} problemen, er is niets ingelezen:",
    ),
    "problems_nothing_imported_1": (
        "{count:n} problem(s), nothing imported:",
        "{count:n} probleem, er is niets ingelezen:",
    ),
    "problems_nothing_changed": (
        "{count:n} problem(s), nothing changed:",
        "{count:n} problemen, er is niets gewijzigd:",
    ),
    "problems_nothing_changed_1": (
        "{count:n} problem(s), nothing changed:",
        "{count:n} probleem, er is niets gewijzigd:",
    ),
    # agreements
    "unknown_meeting": (
        "unknown meeting {meeting!r}; known meetings: {names}",
        "onbekend overleg {meeting!r}; bekende overleggen: {names}",
    ),
    "unknown_agreement": (
        "unknown agreement {agreement!r}",
        "onbekende afspraak {agreement!r}",
    ),
    "agreements_outside": (
        "{name} may not write agreements of {outside} (writes only {own} and inside)",
        "{name} mag geen afspraken schrijven van {outside} (schrijft alleen {own} en wat "
        "daarbinnen ligt)",
    ),
    "agreements_nowhere": (
        "{name} may not write agreements of {outside} (writes only nothing and inside)",
        "{name} mag geen afspraken schrijven van {outside} (schrijft nergens)",
    ),
    "agreement_changed": (
        "agreement {agreement} changed since version {version}: it is at version {current} "
        "now; reload, check the changes and try again",
        "afspraak {agreement} is gewijzigd sinds versie {version}: hij is nu bij versie "
        "{current}; laad opnieuw, bekijk de wijzigingen en probeer het nog eens",
    ),
    "status_change_refused": (
        "the status change of {agreement} is refused: {reasons}",
        "de statuswijziging van {agreement} is geweigerd: {reasons}",
    ),
    # forecasts and scenarios
    "unknown_scenario": (
        "unknown scenario {name!r}; scenarios: {names}",
        "onbekend scenario {name!r}; scenario's: {names}",
    ),
    "unknown_scenario_none": (
        "unknown scenario {name!r}; scenarios: none",
        "onbekend scenario {name!r}; er zijn geen scenario's",
    ),
    "unknown_targets": (
        "{file}: [[target]] refers to unknown target(s) {targets}",
        "{file}: [[target]] noemt onbekende doelen {targets}",
    ),
    # backups
    "cannot_run": ("cannot run {command}: {reason}", "kan {command} niet starten: {reason}"),
    "tool_failed": ("{tool} failed: {reason}", "{tool} is mislukt: {reason}"),
    "backup_exists": (
        "{target} exists already; name a new file (or pass --overwrite for a file)",
        "{target} bestaat al; noem een nieuw bestand (of geef --overwrite voor een bestand)",
    ),
    "cannot_back_up": (
        "cannot back up {url} to {target}: {reason}",
        "kan {url} niet naar {target} kopiëren: {reason}",
    ),
    "file_failed": ("{path}: {reason}", "{path}: {reason}"),
    "no_pg_dump": (
        "pg_dump is not installed here; back up PostgreSQL with: pg_dump --format=custom "
        "--file {target} '{url}' (docs/operations.md)",
        "pg_dump is hier niet geïnstalleerd; maak een reservekopie van PostgreSQL met: "
        "pg_dump --format=custom --file {target} '{url}' (docs/operations.md)",
    ),
    "no_backup_file": ("{path}: no such backup file", "{path}: reservekopie bestaat niet"),
    "restore_over_data": (
        "the database {url} holds opgave data; pass --replace to overwrite it with the backup",
        "in de database {url} staan al opgave-gegevens; geef --replace om ze te vervangen "
        "door de reservekopie",
    ),
    "not_a_backup": (
        "{path} is not a backup of an opgave SQLite database",
        "{path} is geen reservekopie van een opgave-database in SQLite",
    ),
    "restore_busy": (
        "the database {url} is busy; try the restore again",
        "de database {url} is bezet; probeer het terugzetten opnieuw",
    ),
    "cannot_restore": (
        "cannot restore into {url}: {reason}",
        "kan niet terugzetten in {url}: {reason}",
    ),
    "no_pg_restore": (
        "pg_restore is not installed here; restore PostgreSQL with: pg_restore --clean "
        "--if-exists --no-owner --dbname '{url}' {path} (docs/operations.md)",
        "pg_restore is hier niet geïnstalleerd; zet PostgreSQL terug met: pg_restore --clean "
        "--if-exists --no-owner --dbname '{url}' {path} (docs/operations.md)",
    ),
    # funding
    "unknown_scheme": (
        "no scheme file {name!r}; shipped schemes: {names}",
        "geen regelingsbestand {name!r}; meegeleverde regelingen: {names}",
    ),
    "application_problems_nothing_written": (
        "{count:n} problem(s) in the applications, nothing written",
        "{count:n} problemen in de aanvragen, er is niets opgeslagen",
    ),
    "application_problems": (
        "{count:n} problem(s) in the applications",
        "{count:n} problemen in de aanvragen",
    ),
    "unreadable_applications": (
        "the file cannot be read as an applications list",
        "het bestand is niet te lezen als lijst met aanvragen",
    ),
    "unknown_instrument": (
        "unknown instrument {instrument!r}",
        "onbekend instrument {instrument!r}",
    ),
    "unknown_instrument_listed": (
        "unknown instrument {instrument!r}; `opgave instruments`",
        "onbekend instrument {instrument!r}; `opgave instruments` noemt ze",
    ),
    # capacity totals
    "capacity_problems": (
        "{count:n} problem(s) in the capacity totals, nothing written",
        "{count:n} problemen in de totalen van plancapaciteit, er is niets opgeslagen",
    ),
    # jobs
    "unknown_job": ("unknown job {job!r}", "onbekende taak {job!r}"),
    "cancel_own_jobs": (
        "{name} may cancel only its own jobs",
        "{name} mag alleen eigen taken stoppen",
    ),
    "job_ended": (
        "job {job} has ended already ({state})",
        "taak {job} is al afgelopen ({state})",
    ),
    "upload_gone": (
        "the uploaded file of this job is no longer kept; upload it again",
        "het geüploade bestand van deze taak is niet meer bewaard; upload het opnieuw",
    ),
    "user_inactive": (
        "{name} is no longer an active user",
        "{name} is geen actieve gebruiker meer",
    ),
    # BAG
    "no_bag_figures": (
        "no BAG-derived figures yet: run `opgave ingest bag EXTRACT` first",
        "nog geen cijfers uit de BAG: draai eerst `opgave ingest bag EXTRACT`",
    ),
    "not_bag_source": (
        "{source} is no BAG import with new-build figures (have: {names})",
        "{source} is geen BAG-import met nieuwbouwcijfers (wel: {names})",
    ),
    "not_bag_source_none": (
        "{source} is no BAG import with new-build figures (have: none)",
        "{source} is geen BAG-import met nieuwbouwcijfers (er is er geen)",
    ),
    # sample files
    "samples_differ": (
        "{names} already exist(s) and differ(s) from the sample; nothing written (--force "
        "overwrites)",
        "{names} bestaat al en wijkt af van het voorbeeld; er is niets geschreven (--force "
        "overschrijft)",
    ),
    # plan lists, CBS, demo (service/pipeline.py, plan_staging.py)
    "out_of_date_order": (
        "capture date {captured} is before the latest plan list already imported ({latest}); "
        "import lists in date order",
        "peildatum {captured} ligt voor de laatst ingelezen planlijst ({latest}); lees de "
        "lijsten in volgorde van datum in",
    ),
    "plan_list_problems": (
        "{count:n} problem(s) in the plan list, nothing written",
        "{count:n} problemen in de planlijst, er is niets opgeslagen",
    ),
    "not_csv_plan_list": (
        "the plan list is not a .csv or .xlsx file",
        "de planlijst is geen .csv- of .xlsx-bestand",
    ),
    "not_csv_applications_file": (
        "the applications file is not a .csv or .xlsx file",
        "het bestand met aanvragen is geen .csv- of .xlsx-bestand",
    ),
    "file_too_large": (
        "the file is larger than {megabytes:n} MB",
        "het bestand is groter dan {megabytes:n} MB",
    ),
    "unreadable_plan_list": (
        "the file cannot be read as a plan list",
        "het bestand is niet te lezen als planlijst",
    ),
    "unknown_plan": ("unknown plan {plan!r}", "onbekend plan {plan!r}"),
    "problems_in_file": (
        "{count:n} problem(s) in {file}",
        "{count:n} problemen in {file}",
    ),
    "cbs_download_failed": (
        "could not download CBS table {table}: {reason}; nothing written",
        "kon CBS-tabel {table} niet downloaden: {reason}; er is niets opgeslagen",
    ),
    "demo_other_seed": (
        "demo data with another seed is loaded ({citation}); start from a new database to "
        "change the seed",
        "er zijn al demogegevens met een andere seed geladen ({citation}); begin met een "
        "nieuwe database om de seed te wijzigen",
    ),
    "plans_kept_changing": (
        "the plans kept changing while this list was prepared (other imports); nothing was "
        "written, try again",
        "de plannen veranderden steeds terwijl deze lijst werd voorbereid (andere imports); "
        "er is niets opgeslagen, probeer het opnieuw",
    ),
}
"""Per code the English and the Dutch template of a refusal."""

LANGUAGE_INDEX = {"en": 0, "nl": 1}
"""Where each language's template sits in a :data:`REFUSALS` entry."""


class _Formatter(string.Formatter):
    """``str.format`` with ``{value:n}``: a number as ``lang`` writes it (plain in English)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec == "n" or format_spec in i18n.WORDS:
            if self.lang == "en":
                return str(value)
            if format_spec in i18n.WORDS:
                return i18n.label(format_spec, value, self.lang)
            return i18n.number(value, self.lang) if isinstance(value, (int, float)) else str(value)
        return super().format_field(value, format_spec)


def template(code: str, lang: str) -> str:
    """The template of ``code`` in ``lang`` (English for a language the catalogue lacks)."""
    return REFUSALS[code][LANGUAGE_INDEX.get(lang, 0)]


def refusal(code: str, **values: Any) -> Message:
    """The refusal ``code`` in English with ``values`` filled in: a :class:`Message`."""
    said = Message(_Formatter("en").format(template(code, "en"), **values))
    said.code = code
    said.values = dict(values)
    return said


def counted(code: str, count: int, **values: Any) -> Message:
    """A refusal that counts problems: ``code`` or, for one problem, ``code_1`` when the
    catalogue has it (Dutch says "1 probleem", "2 problemen")."""
    one = f"{code}_1"
    return refusal(one if count == 1 and one in REFUSALS else code, count=count, **values)


def say(text: object, lang: str) -> str:
    """A refusal's text in ``lang``: the catalogue's template for a coded refusal, else the
    text as it was written (English)."""
    if lang == "en" or not isinstance(text, Message) or text.code not in REFUSALS:
        return str(text)
    return _Formatter(lang).format(template(text.code, lang), **text.values)


def placeholders(text: str) -> set[str]:
    """The fields of a template with their conversion and format (``{name!r}``, ``{n:n}``)."""
    return {
        f"{name}!{conversion or ''}:{spec or ''}"
        for _, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    }


def known(code: str | None) -> bool:
    """Whether the catalogue has ``code``."""
    return code is not None and code in REFUSALS
