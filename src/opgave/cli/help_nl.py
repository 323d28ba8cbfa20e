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
    # agreements, agenda, report, serve, operations, forecast, funding, users
    "Per region: what is due at the meeting, what is overdue, what changed since the last.": (
        "Per regio: wat bij het overleg aan de beurt is, wat over tijd is, wat sinds het vorige "
        "veranderde."
    ),
    'Meeting name or id: "BO Leefomgeving 2022".': (
        'Naam of code van het overleg: "BO Leefomgeving 2022".'
    ),
    "Print the agenda as JSON.": "Druk de agenda af als JSON.",
    "The progress report to parliament, region by region, every figure with its source.": (
        "De voortgangsrapportage aan de Kamer, regio voor regio, elk cijfer met zijn bron."
    ),
    "The meeting the report follows (name or id); default: the latest meeting at which agreements "
    "were made.": (
        "Het overleg waarop de rapportage volgt (naam of code); standaard: het laatste overleg "
        "waarin afspraken zijn gemaakt."
    ),
    "The report's language: nl (900.000) or en (900,000); default: the language of the command "
    "line (opgave --lang, $OPGAVE_LANG), else nl.": (
        "De taal van de rapportage: nl (900.000) of en (900,000); standaard: de taal van de "
        "opdrachtregel (opgave --lang, $OPGAVE_LANG), anders nl."
    ),
    "html, pdf or md.": "html, pdf of md.",
    "File to write; default: stdout (html, md).": (
        "Bestand om te schrijven; standaard: de standaarduitvoer (html, md)."
    ),
    "Run a forecast with this many runs (seed 0, default assumptions) and report the chance of "
    "reaching each target; 0: no forecast.": (
        "Maak een prognose met zoveel simulaties (startgetal 0, standaardaannames) en vermeld de "
        "kans dat elk doel wordt gehaald; 0: geen prognose."
    ),
    "The programme as known on this date.": "Het programma zoals het op deze datum bekend was.",
    "The reference (kenmerk) in the first block and the footer; default: OPGAVE-<meeting "
    "id>-<date drawn up>.": (
        "Het kenmerk in het eerste blok en de voettekst; standaard: OPGAVE-<code van het "
        "overleg>-<datum van opstellen>."
    ),
    "Serve the dashboard and the API (/api/v1, OpenAPI at /api/v1/docs); prints the URL.": (
        "Start het dashboard en de API (/api/v1, OpenAPI op /api/v1/docs); drukt de URL af."
    ),
    "Address to listen on.": "Adres om op te luisteren.",
    "Port to listen on.": "Poort om op te luisteren.",
    "Let anyone read without signing in (writes never).": (
        "Laat iedereen lezen zonder in te loggen (schrijven nooit)."
    ),
    "Worker processes.": "Aantal werkprocessen.",
    "Mark session cookies HTTPS-only (behind TLS). Default: $OPGAVE_SECURE_COOKIES, else on "
    "unless the host is a loopback address.": (
        "Stuur sessiecookies alleen over HTTPS (achter TLS). Standaard: $OPGAVE_SECURE_COOKIES, "
        "anders aan, tenzij de host een loopback-adres is."
    ),
    "Start a job worker process beside the server, at a lower CPU priority (--no-jobs: run "
    "`opgave jobs work` yourself, e.g. on another machine).": (
        "Start naast de server een proces dat de taken uitvoert, met een lagere CPU-prioriteit "
        "(--no-jobs: draai `opgave jobs work` zelf, bijvoorbeeld op een andere machine)."
    ),
    "Copy the whole database into FILE while it stays in use (SQLite's online backup; PostgreSQL: "
    "pg_dump --format=custom).": (
        "Kopieer de hele database naar FILE terwijl hij in gebruik blijft (online back-up van "
        "SQLite; PostgreSQL: pg_dump --format=custom)."
    ),
    "The backup file to write (a new file).": (
        "Het back-upbestand om te schrijven (een nieuw bestand)."
    ),
    "Replace FILE if it exists.": "Vervang FILE als het al bestaat.",
    "Replace the database's content with a backup (a new database is created).": (
        "Vervang de inhoud van de database door een back-up (er wordt een nieuwe database gemaakt)."
    ),
    "A file written by `opgave backup`.": "Een bestand geschreven door `opgave backup`.",
    "Overwrite a database that holds opgave data.": (
        "Overschrijf een database die al gegevens van opgave bevat."
    ),
    "Write the tour's sample files: a forecast scenario (zonder-ov.toml), 40 SYNTHETIC funding "
    "applications (applications.csv) and, after `opgave demo`, a later SYNTHETIC plan list of "
    "three MRA municipalities (synthetic-plans-2025-07-01.csv).": (
        "Schrijf de voorbeeldbestanden van de rondleiding: een prognosescenario (zonder-ov.toml), "
        "40 SYNTHETISCHE aanvragen voor financiering (applications.csv) en, na `opgave demo`, een "
        "latere SYNTHETISCHE planlijst van drie gemeenten in de MRA "
        "(synthetic-plans-2025-07-01.csv)."
    ),
    "Folder to write them to (default: this one).": "Map om ze in te schrijven (standaard: deze).",
    "Overwrite files of the same name that differ.": (
        "Overschrijf bestanden met dezelfde naam die afwijken."
    ),
    "Named forecast scenarios: assumption overrides, extra plans, other targets.": (
        "Prognosescenario's met een naam: andere aannames, extra plannen, andere doelen."
    ),
    "Store (or replace) a named scenario after checking it loads.": (
        "Sla een scenario met een naam op (of vervang het), nadat is nagegaan dat het te laden is."
    ),
    "Short name, e.g. oude-lijn-later.": "Korte naam, bijvoorbeeld oude-lijn-later.",
    "TOML: assumption overrides, [[extra_plan]], [[target]].": (
        "TOML: andere aannames, [[extra_plan]], [[target]]."
    ),
    "The stored scenarios.": "De opgeslagen scenario's.",
    "Monte Carlo forecast of the pipeline: the chance each target is reached.\n\nPlans drop out "
    "or slip by planstatus (assumptions documented in docs/forecast.md); preconditions are shared "
    "by the plans that depend on them. Realised homes count first; the pipeline is simulated from "
    "the year after the last realised year.": (
        "Monte-Carloprognose van de plannen: de kans dat elk doel wordt gehaald.\n\nPlannen "
        "vallen uit of lopen vertraging op naar hun planstatus (de aannames staan in "
        "docs/forecast.md); een randvoorwaarde geldt voor alle plannen die ervan afhangen. "
        "Gerealiseerde woningen tellen eerst; de plannen worden gesimuleerd vanaf het jaar na het "
        "laatste jaar met realisatiecijfers."
    ),
    "Only this area and the areas inside it.": "Alleen dit gebied en de gebieden daarbinnen.",
    "Monte Carlo runs.": "Aantal Monte-Carlosimulaties.",
    "Random seed: same seed, same figures.": "Startgetal: hetzelfde startgetal, dezelfde cijfers.",
    "TOML file overriding drop-out/delay/preconditions.": (
        "TOML-bestand met andere aannames voor uitval, vertraging en randvoorwaarden."
    ),
    "A stored scenario (opgave scenario).": "Een opgeslagen scenario (opgave scenario).",
    "Compare with this scenario ('base' = none).": "Vergelijk met dit scenario ('base' = geen).",
    "Plan-capacity ratio needed for 50/80/90%.": (
        "Verhouding plancapaciteit die nodig is voor 50/80/90%."
    ),
    "Write fan charts (PNG and HTML) per area to this folder.": (
        "Schrijf waaiergrafieken (PNG en HTML) per gebied naar deze map."
    ),
    "Learn drop-out and delay per planstatus from the plan-list history "
    "(docs/forecast.md).\n\nWrites an assumptions file for `opgave forecast --assumptions FILE`, "
    "with its evidence: how many plans, which lists, the 90% intervals; statuses with too little "
    "history keep the shipped defaults.": (
        "Leer uitval en vertraging per planstatus uit de geschiedenis van de planlijsten "
        "(docs/forecast.md).\n\nSchrijft een bestand met aannames voor `opgave forecast "
        "--assumptions FILE`, met de onderbouwing: hoeveel plannen, welke lijsten, de "
        "90%-intervallen; planstatussen met te weinig geschiedenis houden de meegeleverde "
        "standaardwaarden."
    ),
    "Write the assumptions file here (default: print it).": (
        "Schrijf het bestand met aannames hierheen (standaard: afdrukken)."
    ),
    "Use only the lists up to this date (YYYY-MM-DD).": (
        "Gebruik alleen de lijsten tot en met deze datum (JJJJ-MM-DD)."
    ),
    "Forecast from the plan lists up to a date and compare with what the later lists show: "
    "coverage of the 80% intervals, calibration of stated chances, mean error (per province and "
    "for the nation).": (
        "Maak een prognose uit de planlijsten tot een datum en vergelijk die met wat de latere "
        "lijsten laten zien: dekking van de 80%-intervallen, kalibratie van de opgegeven kansen, "
        "gemiddelde fout (per provincie en voor het land)."
    ),
    "Forecast from the lists up to this date.": "Prognose uit de lijsten tot en met deze datum.",
    "Random seed.": "Startgetal.",
    "Base assumptions (shocks; defaults for unlearned).": (
        "Basisaannames (schokken; standaardwaarden voor wat niet geleerd is)."
    ),
    "Funding: scheme rules, eligibility with reasons, optimal allocation of a tranche.": (
        "Financiering: regels van een regeling, wie in aanmerking komt en waarom, optimale "
        "verdeling van een tranche."
    ),
    "Import funding applications (validated per row; upsert by application_id; all or "
    "nothing).\n\nColumns: application_id, gemeente_code, homes, affordable_homes, requested_eur, "
    "public_deficit_eur, cofinancing_eur, start_year; optional plan_id, project_name, "
    "score_noodzaak, score_effectiviteit, score_efficientie, score_urgentie, synthetic.": (
        "Lees aanvragen voor financiering in (gecontroleerd per rij; bijgewerkt op "
        "application_id; alles of niets).\n\nKolommen: application_id, gemeente_code, homes, "
        "affordable_homes, requested_eur, public_deficit_eur, cofinancing_eur, start_year; naar "
        "keuze plan_id, project_name, score_noodzaak, score_effectiviteit, score_efficientie, "
        "score_urgentie, synthetic."
    ),
    "Applications: .csv or .xlsx, one row each.": (
        "Aanvragen: .csv of .xlsx, één rij per aanvraag."
    ),
    "Instrument id the applications are for, e.g. WBI-T4.": (
        "Code van het instrument waarvoor de aanvragen zijn, bijvoorbeeld WBI-T4."
    ),
    "The funding applications in the database.": "De aanvragen voor financiering in de database.",
    "The schemes shipped with opgave (usable by name with --scheme).": (
        "De regelingen die met opgave worden meegeleverd (te gebruiken met hun naam bij --scheme)."
    ),
    "Allocate a tranche optimally (MILP, HiGHS) and show it beside rank-until-budget-runs-out.": (
        "Verdeel een tranche optimaal (MILP, HiGHS) en toon die naast toekennen op rangorde tot "
        "het budget op is."
    ),
    "Scheme TOML file, or a shipped scheme (`opgave funding schemes`).": (
        "TOML-bestand van een regeling, of een meegeleverde regeling (`opgave funding schemes`)."
    ),
    "Applications file; default: the applications in the database.": (
        "Bestand met aanvragen; standaard: de aanvragen in de database."
    ),
    "Record the optimal allocation as awards.": "Leg de optimale verdeling vast als toekenningen.",
    "With --record: the instrument id, e.g. WBI-T4.": (
        "Met --record: de code van het instrument, bijvoorbeeld WBI-T4."
    ),
    "With --record: decision date.": "Met --record: datum van het besluit.",
    "Awards recorded per instrument, project and municipality.": (
        "Vastgelegde toekenningen per instrument, project en gemeente."
    ),
    "Agreements and next steps: list (no sub-command), add, update, status, link, history.": (
        "Afspraken en vervolgstappen: lijst (zonder subopdracht), add, update, status, link, "
        "history."
    ),
    "Area id; includes areas inside it.": "Code van het gebied; met de gebieden daarbinnen.",
    "Only this status: open, in_progress, done, lapsed or superseded.": (
        "Alleen deze stand: open, in_progress, done, lapsed of superseded."
    ),
    'Due at this meeting (name or id), e.g. "BO Leefomgeving 2022".': (
        'Aan de beurt bij dit overleg (naam of code), bijvoorbeeld "BO Leefomgeving 2022".'
    ),
    "Only this theme: housing, mobility, green, water_climate, energy, nitrogen, noise, finance, "
    "economy or social.": (
        "Alleen dit thema: housing, mobility, green, water_climate, energy, nitrogen, noise, "
        "finance, economy of social."
    ),
    "Only agreements still open after their due moment: at a meeting (name or id), on a date "
    'YYYY-MM-DD, or "today".': (
        "Alleen afspraken die na hun moment nog open zijn: bij een overleg (naam of code), op een "
        'datum JJJJ-MM-DD, of "today" (vandaag).'
    ),
    "Add an agreement or next step (needs --area and --text) and open its history.": (
        "Voeg een afspraak of vervolgstap toe (met --area en --text) en begin haar geschiedenis."
    ),
    "New id, e.g. ZR-AKKOORD-2022.": "Nieuwe code, bijvoorbeeld ZR-AKKOORD-2022.",
    "Area id, e.g. VS-ZR.": "Code van het gebied, bijvoorbeeld VS-ZR.",
    "The agreement (Dutch).": "De afspraak (in het Nederlands).",
    "agreement, next_step or attention_point.": (
        "agreement (afspraak), next_step (vervolgstap) of attention_point (aandachtspunt)."
    ),
    "In English.": "In het Engels.",
    "Meeting where it was agreed (name or id).": (
        "Overleg waarin het is afgesproken (naam of code)."
    ),
    "A party (repeat for more).": "Een partij (herhaal voor meer).",
    "A theme (repeat for more): housing, mobility, green, water_climate, energy, nitrogen, noise, "
    "finance, economy or social.": (
        "Een thema (herhaal voor meer): housing, mobility, green, water_climate, energy, "
        "nitrogen, noise, finance, economy of social."
    ),
    "Due at this meeting (name or id).": "Aan de beurt bij dit overleg (naam of code).",
    "Due by YYYY-MM-DD.": "Uiterlijk op JJJJ-MM-DD.",
    'The due moment in words ("voorjaar 2022").': 'Het moment in woorden ("voorjaar 2022").',
    "Position in listings.": "Plaats in overzichten.",
    "Source id it comes from.": "Code van de bron waaruit het komt.",
    "Section of the source.": "Onderdeel van de bron.",
    "Starting status: open, in_progress, done, lapsed or superseded.": (
        "Stand bij het begin: open, in_progress, done, lapsed of superseded."
    ),
    "Who made the change (default: your login name).": (
        "Wie de wijziging maakte (standaard: uw inlognaam)."
    ),
    "When it took effect, YYYY-MM-DD (default: today).": (
        "Wanneer het inging, JJJJ-MM-DD (standaard: vandaag)."
    ),
    "Why: the decision, minutes or letter behind it.": (
        "Waarom: het besluit, verslag of de brief erachter."
    ),
    "Change fields of an agreement; the changes are kept in its history as one event.": (
        "Wijzig velden van een afspraak; de wijzigingen komen als één gebeurtenis in haar "
        "geschiedenis."
    ),
    "The agreement to change.": "De afspraak om te wijzigen.",
    "Empty this field (repeat), e.g. --clear due_date.": (
        "Maak dit veld leeg (herhaal voor meer), bijvoorbeeld --clear due_date."
    ),
    "Set the status of an agreement (close it with done); kept in its history.": (
        "Zet de stand van een afspraak (sluit haar af met done); komt in haar geschiedenis."
    ),
    "The agreement.": "De afspraak.",
    "open, in_progress, done, lapsed or superseded.": (
        "open, in_progress, done, lapsed of superseded."
    ),
    "With superseded: the agreement that replaces it.": (
        "Bij superseded: de afspraak die haar vervangt."
    ),
    "Link an agreement to a target, plan, precondition or instrument (or --remove it).": (
        "Koppel een afspraak aan een doel, plan, randvoorwaarde of instrument (of verwijder de "
        "koppeling met --remove)."
    ),
    "target, plan, precondition or instrument.": (
        "target (doel), plan, precondition (randvoorwaarde) of instrument."
    ),
    "The id of the target, plan, ...": "De code van het doel, plan, ...",
    "Remove the link instead.": "Verwijder de koppeling in plaats daarvan.",
    "The history of an agreement: who changed what, when and why; and its links.": (
        "De geschiedenis van een afspraak: wie wat wanneer en waarom wijzigde; en haar koppelingen."
    ),
    "Users of the dashboard and API: admin (Rijk), editor (own areas), viewer.": (
        "Gebruikers van het dashboard en de API: admin (Rijk), editor (eigen gebieden), viewer "
        "(alleen lezen)."
    ),
    "Add a user, or change the role, areas and password of an existing one.": (
        "Voeg een gebruiker toe, of wijzig de rol, gebieden en het wachtwoord van een bestaande."
    ),
    "User name (to sign in with).": "Gebruikersnaam (om mee in te loggen).",
    "admin, editor or viewer.": "admin, editor of viewer.",
    "Editors: comma-separated area ids it may write, e.g. VS-ZR,PV27.": (
        "Editors: de codes van de gebieden die hij mag wijzigen, gescheiden door komma's, "
        "bijvoorbeeld VS-ZR,PV27."
    ),
    "Ask for a password (or take $OPGAVE_PASSWORD); --no-password: token only.": (
        "Vraag om een wachtwoord (of neem $OPGAVE_PASSWORD); --no-password: alleen een token."
    ),
    "Also print a new API token.": "Druk ook een nieuw API-token af.",
    "Print a new API token for a user (or revoke all of its tokens).": (
        "Druk een nieuw API-token voor een gebruiker af (of trek al zijn tokens in)."
    ),
    "User name.": "Gebruikersnaam.",
    "What the token is for.": "Waarvoor het token is.",
    "Revoke all tokens instead.": "Trek in plaats daarvan alle tokens in.",
    "The users with their role and areas.": "De gebruikers met hun rol en gebieden.",
    "Background jobs (forecasts, plan-list imports): list, work on them, cancel.": (
        "Taken op de achtergrond (prognoses, planlijsten inlezen): tonen, uitvoeren, annuleren."
    ),
    "The jobs kept in the database, newest first (without their results).": (
        "De taken in de database, nieuwste eerst (zonder hun uitkomsten)."
    ),
    "Work on the background jobs in this process (`opgave serve` starts one such process; with "
    "--no-jobs run it yourself). Jobs a stopped worker left are taken up again. Ctrl-C or SIGTERM "
    "stops after the running job.": (
        "Voer de taken op de achtergrond uit in dit proces (`opgave serve` start zo'n proces; "
        "draai het zelf bij --no-jobs). Taken die een gestopt proces achterliet, worden opnieuw "
        "opgepakt. Ctrl-C of SIGTERM stopt na de lopende taak."
    ),
    "Do the waiting jobs, then stop.": "Voer de wachtende taken uit en stop dan.",
    "Seconds between looks for new jobs.": "Seconden tussen het kijken naar nieuwe taken.",
    "Lower the jobs' CPU priority by this much (0-19); the work under the database's write lock "
    "keeps the normal one.": (
        "Verlaag de CPU-prioriteit van de taken met zoveel (0-19); het werk onder het schrijfslot "
        "van de database houdt de gewone."
    ),
    "Stop when this process has ended.": "Stop wanneer dit proces is beëindigd.",
    "Cancel a job: a queued one at once, a running one at its next progress report.": (
        "Annuleer een taak: een wachtende meteen, een lopende bij haar volgende voortgangsmelding."
    ),
    "The job's id (`opgave jobs list`).": "De code van de taak (`opgave jobs list`).",
    "Who cancels (a user).": "Wie annuleert (een gebruiker).",
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
