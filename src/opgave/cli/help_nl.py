"""The command line's help in Dutch: each English help text with its Dutch, as gettext keys a
translation by its English (msgid), and click's own words (Usage, Options, ...).

Loaded only when the language asked before the command (``--lang nl``, else ``OPGAVE_LANG``)
is Dutch, so that ``opgave --help`` stays as fast as before; :func:`dutch` then gives the
commands built for this run their Dutch help. A help text without Dutch here stays English
(tests/cli/test_help_nl.py lists which of the translated commands' texts lack one, and fails
on a Dutch text whose English no command has any more).
"""

from __future__ import annotations

from typing import Any

from opgave.vocabulary import AREA_KINDS, MEASURES

HELP: dict[str, str] = {
    # the app and its global options
    "opgave: steer a national housing programme - targets, pipeline, realisation, agreements.": (
        "opgave: sturen op een landelijk woningbouwprogramma - doelen, plannen, realisatie, "
        "afspraken."
    ),
    "Database URL or SQLite file (default: $OPGAVE_DATABASE_URL, else ./opgave.db).": (
        "Database-URL of SQLite-bestand (standaard: $OPGAVE_DATABASE_URL, anders ./opgave.db)."
    ),
    "Who makes the changes, for the audit log: a user (its role and areas apply) or a name "
    "(default: your login name).": (
        "Wie de wijzigingen maakt, voor het wijzigingslog: een gebruiker (diens rol en gebieden "
        "gelden) of een naam (standaard: uw inlognaam)."
    ),
    "Language of the output: nl (Dutch) or en (English); default $OPGAVE_LANG, else nl. "
    "--json never changes.": (
        "Taal van de uitvoer: nl (Nederlands) of en (Engels); standaard $OPGAVE_LANG, anders "
        "nl. --json verandert nooit."
    ),
    "Show the version.": "Toon de versie.",
    # options many commands share
    "Print a JSON array of records.": "Druk een JSON-lijst van records af.",
    "The programme as known on this date, YYYY-MM-DD (plan lists, members).": (
        "Het programma zoals het op deze datum bekend was, JJJJ-MM-DD (planlijsten, leden)."
    ),
    "How homes built are counted: ministry (default: new-build plus the net of other additions "
    "and removals, CBS 'woningen erbij'), gross (new-build plus other additions) or net_stock "
    "(net change of the stock).": (
        "Hoe gebouwde woningen worden geteld: ministry (standaard: nieuwbouw plus het saldo van "
        "overige toevoegingen en onttrekkingen, CBS 'woningen erbij'), gross (nieuwbouw plus "
        "overige toevoegingen) of net_stock (saldo van de voorraad)."
    ),
    "The same as AREA.": "Hetzelfde als AREA.",
    # the programme
    "Create or upgrade the database and load the founding letter's programme.\n\nSafe to run "
    "again: only what differs from the shipped data is written.": (
        "Maak of vernieuw de database en laad het programma van de Kamerbrief.\n\nVeilig om "
        "opnieuw te draaien: alleen wat afwijkt van de meegeleverde gegevens wordt geschreven."
    ),
    "The national overview: the 900,000 target, realised homes, pace, capacity, what is due.": (
        "Het landelijk beeld: de opgave van 900.000 woningen, gerealiseerd, tempo, "
        "plancapaciteit, wat aan de beurt is."
    ),
    "The areas as a tree (memberships valid today): nation > landsdeel > province, strategy "
    "regions, large-scale areas. With --kind, a table with groups, hosts and sources.": (
        "De gebieden als boom (lidmaatschappen van vandaag): Nederland > landsdeel > provincie, "
        "verstedelijkingsstrategieën, grootschalige woningbouwgebieden. Met --kind een tabel met "
        "groepen, gemeenten en bronnen."
    ),
    "Show municipalities in the tree too.": "Toon ook de gemeenten in de boom.",
    'Targets with their period, range, "ca." flag and source.': (
        'Doelen met hun periode, bandbreedte, "ca." en bron.'
    ),
    "Area id, e.g. NL01, PV27, VS-MRA.": "Code van het gebied, bijvoorbeeld NL01, PV27, VS-MRA.",
    "With --area: also targets of areas inside it.": (
        "Met --area: ook de doelen van de gebieden daarbinnen."
    ),
    "Only targets whose period includes this year.": (
        "Alleen doelen waarvan de periode dit jaar omvat."
    ),
    "Only targets whose period overlaps these years.": (
        "Alleen doelen waarvan de periode deze jaren overlapt."
    ),
    "Administrative consultations (Bestuurlijk Overleg), past and due.": (
        "Bestuurlijke overleggen, geweest en gepland."
    ),
    "Preconditions housing depends on (transport, nitrogen, noise, water, green).": (
        "Randvoorwaarden waar de woningbouw van afhangt (bereikbaarheid, stikstof, geluid, water, "
        "groen)."
    ),
    "Funding instruments: budgets per year or in total, tracks, tranches, expected homes.": (
        "Financieringsinstrumenten: budgetten per jaar of in totaal, sporen, tranches, verwachte "
        "woningen."
    ),
    "Write every table to DIR, one file per table, plus a manifest.": (
        "Schrijf elke tabel naar DIR, één bestand per tabel, plus een manifest."
    ),
    "Folder to write (created if missing).": "Map om te schrijven (wordt zo nodig gemaakt).",
    "csv (default) or parquet.": "csv (standaard) of parquet.",
    "Replace the files of an earlier export in DIR.": (
        "Vervang de bestanden van een eerdere export in DIR."
    ),
    "Load an exported folder into an empty database (all or nothing).": (
        "Laad een geëxporteerde map in een lege database (alles of niets)."
    ),
    "A folder written by `opgave export`.": "Een map geschreven door `opgave export`.",
    # the pipeline
    "Bring in data, validated, one transaction each: plan lists (plans, capacity), realised "
    "construction (cbs, bag) and boundaries for the map (geo).": (
        "Gegevens inlezen, gecontroleerd, elk in één transactie: planlijsten (plans, capacity), "
        "gerealiseerde bouw (cbs, bag) en gebiedsgrenzen voor de kaart (geo)."
    ),
    "Import a plan list: one row per plan; upsert by plan_id, history kept, all or nothing."
    "\n\nColumns (profile opgave): plan_id, name, gemeente_code, homes, planstatus (1A-4B or "
    "the DiWi label), first_year, last_year; optional social_rent_homes / mid_rent_homes / "
    "affordable_buy_homes (or *_share), area_ids and precondition_ids (';'-separated), "
    "homes_YYYY per year. Other registers (GIS files, own column names) through --mapping; "
    "`opgave ingest propose-mapping FILE` drafts a profile. See docs/plans.md.": (
        "Lees een planlijst in: één rij per plan; bijgewerkt op plan_id, met geschiedenis, "
        "alles of niets.\n\nKolommen (profiel opgave): plan_id, name, gemeente_code, homes, "
        "planstatus (1A-4B of de DiWi-omschrijving), first_year, last_year; naar keuze "
        "social_rent_homes / mid_rent_homes / affordable_buy_homes (of *_share), area_ids en "
        "precondition_ids (gescheiden door ';'), homes_JJJJ per jaar. Andere registers "
        "(GIS-bestanden, eigen kolomnamen) via --mapping; `opgave ingest propose-mapping FILE` "
        "stelt een profiel op. Zie docs/plans.md."
    ),
    "Plan list or register: .csv, .xlsx, .gpkg, .shp, .zip (Shapefile), .geojson.": (
        "Planlijst of register: .csv, .xlsx, .gpkg, .shp, .zip (Shapefile), .geojson."
    ),
    "Capture date (peildatum) of the list, YYYY-MM-DD; default today.": (
        "Peildatum van de lijst, JJJJ-MM-DD; standaard vandaag."
    ),
    "Do not drop plans of the list's municipalities missing from it.": (
        "Laat plannen van de gemeenten van de lijst die er niet in staan niet vervallen."
    ),
    "Mapping profile: a shipped one (opgave, diwi, gis-register) or a .toml file.": (
        "Profiel voor de kolommen: een meegeleverd (opgave, diwi, gis-register) of een "
        ".toml-bestand."
    ),
    "Write the import report to this .html or .csv file.": (
        "Schrijf het importrapport naar dit .html- of .csv-bestand."
    ),
    "Fetch housing-stock mutations per municipality and year from CBS StatLine (online).\n\n"
    "New-build, other additions, demolition, other removals and net change, for dwellings; "
    "figures of merged municipalities are added to the municipality they merged into.": (
        "Haal de mutaties van de woningvoorraad per gemeente en jaar op bij CBS StatLine "
        "(online).\n\nNieuwbouw, overige toevoeging, sloop, overige onttrekking en saldo, voor "
        "woningen; cijfers van heringedeelde gemeenten tellen bij de gemeente waarin ze zijn "
        "opgegaan."
    ),
    "CBS table id (regional, with a use dimension).": (
        "Code van de CBS-tabel (regionaal, met een gebruiksfunctie)."
    ),
    "Years to fetch, e.g. 2021-2024 (default: all).": (
        "Op te halen jaren, bijvoorbeeld 2021-2024 (standaard: alle)."
    ),
    "Another OData host (e.g. a mirror); default CBS.": (
        "Een andere OData-server (bijvoorbeeld een kopie); standaard het CBS."
    ),
    "Plain http (a local mirror).": "Gewone http (een lokale kopie).",
    "Realised figures per area, year and measure, with their source and whether they count."
    "\n\nFor each area, measure and year one figure stands (CBS final > CBS provisional > BAG > "
    "a document's figure; synthetic never mixes with real); the others are shown set aside.": (
        "Realisatiecijfers per gebied, jaar en grootheid, met hun bron en of ze meetellen.\n\n"
        "Per gebied, grootheid en jaar geldt één cijfer (CBS definitief > CBS voorlopig > BAG > "
        "het cijfer van een document; synthetisch mengt nooit met echt); de andere worden "
        "getoond als terzijde gelegd."
    ),
    "Area id (includes areas inside it), or --area.": (
        "Code van het gebied (met de gebieden daarbinnen), of --area."
    ),
    "Only figures whose source id starts with this: cbs, bag...": (
        "Alleen cijfers waarvan de code van de bron hiermee begint: cbs, bag..."
    ),
    "Plans to review: stalled (no status change for 3+ years) and duplicates.": (
        "Plannen om na te lopen: stilgevallen (3 jaar of langer geen nieuwe planstatus) en dubbele."
    ),
    "Reference date (default today).": "Peildatum (standaard vandaag).",
    "Apply manual corrections to plans, each only where the field still holds old_value.\n\n"
    "Re-run the file after every plan-list import: corrections a new list already made, or "
    "made obsolete, are reported and left alone. Every change keeps the old version in "
    "history.": (
        "Voer handmatige correcties op plannen door, elk alleen waar het veld nog old_value "
        "bevat.\n\nDraai het bestand opnieuw na elke nieuwe planlijst: correcties die een nieuwe "
        "lijst al deed of overbodig maakte, worden gemeld en overgeslagen. Elke wijziging bewaart "
        "de oude versie in de geschiedenis."
    ),
    "CSV: plan_id, field, old_value, new_value, reason, date, editor.": (
        "CSV: plan_id, field, old_value, new_value, reason, date, editor."
    ),
    "Write the applied / not-applied ledger to this CSV.": (
        "Schrijf het overzicht van doorgevoerde en niet doorgevoerde correcties naar deze CSV."
    ),
    "The plans in the pipeline (now, or as known on a date).": (
        "De plannen (nu, of zoals bekend op een datum)."
    ),
    "Only plans in this area (and inside it).": "Alleen plannen in dit gebied (en daarbinnen).",
    "Progress and plan capacity for every target of AREA and of the areas inside it.": (
        "Voortgang en plancapaciteit voor elk doel van AREA en van de gebieden daarbinnen."
    ),
    "Area id, e.g. NL01 (default), PV27, VS-MRA; or --area.": (
        "Code van het gebied, bijvoorbeeld NL01 (standaard), PV27, VS-MRA; of --area."
    ),
    "Show what changed in the pipeline between two dates (YYYY-MM-DD).": (
        "Toon wat er tussen twee datums (JJJJ-MM-DD) in de plannen veranderde."
    ),
    "Add a seeded, clearly labelled SYNTHETIC pipeline of plans and municipal realisations.\n\n"
    "For trying every feature without external data. Everything it adds cites the source "
    "`synthetic-demo` (confidence synthetic) and is shown as synthetic wherever it appears.": (
        "Voeg SYNTHETISCHE plannen en realisatiecijfers van gemeenten toe, herhaalbaar en "
        "duidelijk gemarkeerd.\n\nOm alles te proberen zonder externe gegevens. Alles wat het "
        "toevoegt noemt de bron `synthetic-demo` (betrouwbaarheid synthetisch) en wordt overal "
        "als synthetisch getoond."
    ),
    "Random seed: the same seed gives the same data.": (
        "Startgetal: hetzelfde startgetal geeft dezelfde gegevens."
    ),
    "Number of synthetic plans.": "Aantal synthetische plannen.",
    "Write the synthetic plan list to this CSV instead of loading it.": (
        "Schrijf de synthetische planlijst naar deze CSV in plaats van haar te laden."
    ),
    # registers
    "Draft a mapping profile (TOML) from a file's header and values, to check and edit, then "
    "use with `opgave ingest plans FILE --mapping PROFILE.toml`.": (
        "Stel een profiel (TOML) op uit de kolomkoppen en waarden van een bestand, om na te "
        "kijken en aan te passen en dan te gebruiken met `opgave ingest plans FILE --mapping "
        "PROFILE.toml`."
    ),
    "A plan register: CSV, Excel or GIS file.": "Een planregister: CSV-, Excel- of GIS-bestand.",
    "Write the profile here (default: print it).": (
        "Schrijf het profiel hierheen (standaard: afdrukken)."
    ),
    "The Excel sheet (default: the first).": "Het Excel-werkblad (standaard: het eerste).",
    "Import plan-capacity totals per municipality or region (hard / soft / unknown x period, "
    'gross or net); "no data" cells are not zero. See docs/plans.md.': (
        "Lees totalen van plancapaciteit per gemeente of regio in (hard / zacht / onbekend x "
        'periode, bruto of netto); cellen "geen gegevens" zijn geen nul. Zie docs/plans.md.'
    ),
    "Capacity totals: an Excel workbook or CSV.": (
        "Totalen plancapaciteit: een Excel-werkmap of CSV."
    ),
    "Capacity profile (.toml): sheets, areas, periods.": (
        "Profiel voor de totalen (.toml): werkbladen, gebieden, periodes."
    ),
    "Capture date of the totals, YYYY-MM-DD; default today.": (
        "Peildatum van de totalen, JJJJ-MM-DD; standaard vandaag."
    ),
    "Write the import report (.html or .csv).": "Schrijf het importrapport (.html of .csv).",
    "The shipped mapping profiles (use the name with --mapping).": (
        "De meegeleverde profielen (gebruik de naam met --mapping)."
    ),
    "Capacity totals as imported (per area, hardness and period, with their source).": (
        "Totalen plancapaciteit zoals ingelezen (per gebied, hardheid en periode, met hun bron)."
    ),
    "Only this area's totals.": "Alleen de totalen van dit gebied.",
    # geo
    "Load area boundaries (CBS/Kadaster gebiedsindelingen) into the database for the map.\n\n"
    "Download: https://www.pdok.nl/introductie/-/article/cbs-gebiedsindelingen (CC BY 4.0, "
    "attribute CBS/Kadaster). Features are matched by their `statcode` (PV27, GM0363).": (
        "Laad gebiedsgrenzen (CBS/Kadaster gebiedsindelingen) in de database voor de kaart.\n\n"
        "Downloaden: https://www.pdok.nl/introductie/-/article/cbs-gebiedsindelingen (CC BY 4.0, "
        "naamsvermelding CBS/Kadaster). Gebieden worden herkend aan hun `statcode` (PV27, "
        "GM0363)."
    ),
    "GeoJSON of provinces or municipalities (WGS84), a file or an https URL (e.g. PDOK's "
    "gebiedsindelingen WFS with outputFormat=json&srsName=EPSG:4326).": (
        "GeoJSON van provincies of gemeenten (WGS84), een bestand of een https-URL "
        "(bijvoorbeeld de WFS gebiedsindelingen van PDOK met outputFormat=json&"
        "srsName=EPSG:4326)."
    ),
    # the BAG
    "Dwellings permitted, started and completed per municipality from a BAG extract.\n\nWhole "
    "years (from --since to the year before the extract's date) go to the realised figures, the "
    "extract's own year month by month; completions are split into new-build (whole pand new, "
    "as CBS counts) and other additions. Every figure cites the file and its checksum; the same "
    "extract stored twice changes nothing.": (
        "Woningen vergund, in aanbouw genomen en opgeleverd per gemeente uit een BAG-extract.\n\n"
        "Hele jaren (van --since tot het jaar voor de datum van het extract) gaan naar de "
        "realisatiecijfers, het eigen jaar van het extract per maand; opleveringen worden "
        "gesplitst in nieuwbouw (heel pand nieuw, zoals het CBS telt) en overige toevoegingen. "
        "Elk cijfer noemt het bestand en zijn controlegetal; hetzelfde extract twee keer "
        "opslaan verandert niets."
    ),
    "LV BAG extract (lvbag-extract-nl.zip, a municipality's zip, an unpacked folder, XML) or "
    "canonical VBO status periods (.parquet/.csv, docs/bag.md).": (
        "LV BAG-extract (lvbag-extract-nl.zip, de zip van een gemeente, een uitgepakte map, "
        "XML) of canonieke statusperiodes van VBO's (.parquet/.csv, docs/bag.md)."
    ),
    "Canonical pand status periods (canonical input only).": (
        "Canonieke statusperiodes van panden (alleen bij canonieke invoer)."
    ),
    "BAG GeoPackage (current state): fills municipality and coordinates.": (
        "BAG-GeoPackage (huidige stand): vult gemeente en coördinaten aan."
    ),
    "Polygon file (GeoJSON, GeoPackage): count dwellings per polygon.": (
        "Bestand met polygonen (GeoJSON, GeoPackage): tel woningen per polygoon."
    ),
    "The polygon file's id field (default: area_id, id, ...).": (
        "Het veld met de code in het polygonenbestand (standaard: area_id, id, ...)."
    ),
    "First year counted (CBS uses the LV BAG from 2012).": (
        "Eerste getelde jaar (het CBS gebruikt de LV BAG vanaf 2012)."
    ),
    "Reference date YYYY-MM-DD (default: the extract's own date).": (
        "Peildatum JJJJ-MM-DD (standaard: de eigen datum van het extract)."
    ),
    "Parsing processes (default: one per core).": (
        "Processen die het extract lezen (standaard: één per kern)."
    ),
    "Save the canonical files and per-dwelling file here.": (
        "Bewaar de canonieke bestanden en het bestand per woning hier."
    ),
    "The BAG: BAG-derived figures against CBS.": "De BAG: cijfers uit de BAG tegenover het CBS.",
    "BAG-derived new-build and other additions against CBS, per municipality and year.\n\n"
    "Compares the completions of one BAG import (split by the nieuwbouw rule) with CBS's "
    "nieuwbouw and overige toevoeging already in the database (`opgave ingest cbs`), and says "
    "why they differ: timing around the year's end, the split, provisional CBS figures, a recent "
    "extract, mergers, administrative corrections.": (
        "Nieuwbouw en overige toevoegingen uit de BAG tegenover het CBS, per gemeente en jaar.\n\n"
        "Vergelijkt de opleveringen van één BAG-import (gesplitst volgens de nieuwbouwregel) met "
        "de nieuwbouw en overige toevoeging van het CBS die al in de database staan (`opgave "
        "ingest cbs`), en zegt waarom ze verschillen: timing rond de jaarwisseling, de splitsing, "
        "voorlopige CBS-cijfers, een recent extract, herindelingen, administratieve correcties."
    ),
    "Only this year.": "Alleen dit jaar.",
    "Only these municipalities (GM0363 ...).": "Alleen deze gemeenten (GM0363 ...).",
    "The BAG source id (default: the latest BAG import).": (
        "De code van de BAG-bron (standaard: de laatste BAG-import)."
    ),
}
"""Each English help text (whitespace folded to single spaces) and its Dutch."""


def _choices(values: Any, last: str) -> str:
    items = list(values)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


HELP[f"Only areas of this kind, as a table: {_choices(AREA_KINDS, 'or')}."] = (
    f"Alleen gebieden van deze soort, als tabel: {_choices(AREA_KINDS, 'of')}."
)
HELP[f"Only this measure: {_choices(MEASURES, 'or')}."] = (
    f"Alleen deze grootheid: {_choices(MEASURES, 'of')}."
)

CLICK_WORDS = {"Options": "Opties", "Commands": "Opdrachten", "Arguments": "Argumenten"}
"""Click's section headings in Dutch."""
CLICK_PHRASES = (
    ("Show this message and exit.", "Toon deze hulp en stop."),
    ("[default: ", "[standaard: "),
    ("[required]", "[verplicht]"),
)
"""Click's phrases inside the option lists, in Dutch."""


def key(text: str) -> str:
    """An English help text as :data:`HELP` keys it: its words with single spaces."""
    return " ".join(text.split())


_BY_KEY = {key(english): dutch for english, dutch in HELP.items()}


def said(text: str | None) -> str | None:
    """The Dutch of an English help text (the text itself when there is none)."""
    if not text:
        return text
    return _BY_KEY.get(key(text), text)


def dutch(command: Any) -> None:
    """Give ``command`` (the click group typer built for this run) and every command and
    parameter under it their Dutch help, and click's own words in Dutch."""
    contexts: dict[type, type] = {}

    def formatter_of(base: type) -> type:
        class DutchFormatter(base):  # type: ignore[misc]
            """Click's help formatter with its headings and phrases in Dutch."""

            def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
                super().write_usage(prog, args, "Gebruik: " if prefix is None else prefix)

            def write_heading(self, heading: str) -> None:
                super().write_heading(CLICK_WORDS.get(heading, heading))

            def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
                def phrased(text: str) -> str:
                    for english, words in CLICK_PHRASES:
                        text = text.replace(english, words)
                    return text

                super().write_dl([(t, phrased(d)) for t, d in rows], *args, **kwargs)

        return DutchFormatter

    def walk(c: Any) -> None:
        c.help = said(c.help)
        if getattr(c, "short_help", None):
            c.short_help = said(c.short_help)
        for p in c.params:
            if hasattr(p, "help"):
                p.help = said(p.help)
        base = c.context_class
        if base not in contexts:
            formatter = formatter_of(base.formatter_class)
            contexts[base] = type("DutchContext", (base,), {"formatter_class": formatter})
        c.context_class = contexts[base]
        for sub in getattr(c, "commands", {}).values():
            walk(sub)

    walk(command)
