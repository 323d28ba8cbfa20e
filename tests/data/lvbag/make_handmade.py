# ruff: noqa: E501  (XML templates: one line of XML is one line here)
"""Writes the hand-made LV BAG extract in handmade/ (run once; the XML files are committed).

A SYNTHETIC extract of 15 verblijfsobjecten written by hand in Kadaster's schema, each with a
history chosen to test one rule; the events they must give are in tests/test_lvbag.py
(HANDMADE_EXPECTED). The XML is laid out like the real product's (indented, one document
per object type) and does not use opgave's own generator.

    python tests/data/lvbag/make_handmade.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent / "handmade"
STAND = "2023-06-30"
MARKER = "SYNTHETIC hand-made LV BAG extract for opgave's tests: not real data"

NS = """xmlns:Objecten="www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:Historie="www.kadaster.nl/schemas/lvbag/imbag/historie/v20200601"
    xmlns:Objecten-ref="www.kadaster.nl/schemas/lvbag/imbag/objecten-ref/v20200601"
    xmlns:selecties-extract="http://www.kadaster.nl/schemas/lvbag/extract-selecties/v20200601"
    xmlns:sl-bag-extract="http://www.kadaster.nl/schemas/lvbag/extract-deelbestand-lvc/v20200601"
    xmlns:sl="http://www.kadaster.nl/schemas/standlevering-generiek/1.0\""""

# Woonplaatsen and the municipality they belong to (gemeente-woonplaats relation).
# Weesp's woonplaats moves from Weesp (0457) to Amsterdam (0363) on 2022-03-24.
RELATION = [
    ("3594", "0363", "2010-01-01", None),  # Amsterdam
    ("2415", "0457", "2010-01-01", "2022-03-24"),  # Weesp, until the merger
    ("2415", "0363", "2022-03-24", None),  # Weesp, in Amsterdam from the merger
    ("3295", "0344", "2010-01-01", None),  # Utrecht
    ("1045", "1904", "2010-01-01", None),  # Maarssen (Stichtse Vecht)
]
WOONPLAATSEN = {"3594": "Amsterdam", "2415": "Weesp", "3295": "Utrecht", "1045": "Maarssen"}

# Openbare ruimten: id -> woonplaats.
OPR = {
    "0344300000000001": "3295",  # a street in Utrecht
    "0344300000000002": "3295",
    "0457300000000001": "2415",  # a street in Weesp
    "0363300000000001": "3594",  # a street in Amsterdam
    "1904300000000001": "1045",  # a street in Maarssen
}

# Nummeraanduidingen: id -> voorkomens (begin, eind, openbare ruimte, woonplaats or None).
NUM = {
    # Utrecht addresses
    "0344200000000001": [("2019-01-10", None, "0344300000000001", None)],
    "0344200000000002": [("2019-01-10", None, "0344300000000001", None)],
    "0344200000000003": [("2019-01-10", None, "0344300000000001", None)],
    "0344200000000004": [("2010-03-01", None, "0344300000000002", None)],
    "0344200000000005": [("2020-01-01", None, "0344300000000002", None)],
    "0344200000000010": [("2021-03-01", None, "0344300000000001", None)],
    "0344200000000011": [("2010-01-01", None, "0344300000000002", None)],
    # V12: on an Utrecht street, but the address itself lies in Maarssen (ligtIn wins).
    "0344200000000012": [("2018-06-01", None, "0344300000000002", "1045")],
    # V13: moves to a Maarssen street in 2021, after the dwelling's last voorkomen (2020).
    "0344200000000013": [
        ("2019-01-10", "2021-01-01", "0344300000000001", None),
        ("2021-01-01", None, "1904300000000001", None),
    ],
    # V14: the address starts after the dwelling's first voorkomen (first one is taken).
    "0344200000000014": [("2019-02-01", None, "0344300000000001", None)],
    "0344200000000015": [("2019-03-01", None, "0344300000000001", None)],
    # Weesp and Amsterdam
    "0457200000000006": [("2020-05-01", None, "0457300000000001", None)],
    "0457200000000007": [("2020-05-01", None, "0457300000000001", None)],
    "0363200000000008": [("2021-02-01", None, "0363300000000001", None)],
    "0363200000000009": [("2021-02-01", None, "0363300000000001", None)],
    "0344200000000099": [("2021-01-01", None, "0344300000000001", None)],
}

P1, P2, P3, P4 = "0344100000000001", "0344100000000002", "0457100000000003", "0363100000000004"
P5, P6, P7 = "0344100000000005", "0344100000000006", "0344100000000007"
# Panden: id -> (bouwjaar per voorkomen, [(status, begin)], centre x, y)
PND = {
    # New block in Utrecht.
    P1: (
        2020,
        [
            ("Bouwvergunning verleend", "2019-01-10"),
            ("Bouw gestart", "2019-06-01"),
            ("Pand in gebruik (niet ingemeten)", "2020-09-01"),
            ("Pand in gebruik", "2020-12-01"),
        ],
        136000.0,
        456000.0,
    ),
    # Office of 1975 in Utrecht, converted to homes.
    P2: (
        1975,
        [
            ("Pand in gebruik", "2010-03-01"),
            ("Verbouwing pand", "2020-01-01"),
            ("Pand in gebruik", "2021-04-01"),
        ],
        136500.0,
        456500.0,
    ),
    # New building in Weesp.
    P3: (
        2022,
        [
            ("Bouwvergunning verleend", "2020-05-01"),
            ("Bouw gestart", "2020-10-01"),
            ("Pand in gebruik (niet ingemeten)", "2022-05-01"),
        ],
        130000.0,
        482000.0,
    ),
    # New building in Amsterdam, completed this year.
    P4: (
        2023,
        [
            ("Bouwvergunning verleend", "2021-02-01"),
            ("Bouw gestart", "2022-01-15"),
            ("Pand in gebruik (niet ingemeten)", "2023-03-10"),
        ],
        121000.0,
        487000.0,
    ),
    # Permit never used.
    P5: (
        2022,
        [("Bouwvergunning verleend", "2021-03-01"), ("Niet gerealiseerd pand", "2022-03-01")],
        137000.0,
        455000.0,
    ),
    # House of 1930, split in 2018.
    P6: (1930, [("Pand in gebruik", "2010-01-01")], 133000.0, 460000.0),
    # New house whose bouwjaar is unknown (9999): new by its first status.
    P7: (
        9999,
        [
            ("Bouwvergunning verleend", "2019-03-01"),
            ("Bouw gestart", "2019-09-01"),
            ("Pand in gebruik", "2021-02-01"),
        ],
        135500.0,
        455500.0,
    ),
}

W, K, WW = "woonfunctie", "kantoorfunctie", "winkelfunctie;woonfunctie"
GEVORMD = "Verblijfsobject gevormd"
NIM = "Verblijfsobject in gebruik (niet ingemeten)"
IG = "Verblijfsobject in gebruik"
# Verblijfsobjecten: id -> (nummeraanduiding, pand, [(status, gebruiksdoel, begin)])
VBO = {
    "0344010000000001": (
        "0344200000000001",
        P1,
        [(GEVORMD, W, "2019-01-10"), (NIM, W, "2020-09-01"), (IG, W, "2020-12-01")],
    ),
    # A correction repeats "gevormd": counted once.
    "0344010000000002": (
        "0344200000000002",
        P1,
        [(GEVORMD, W, "2019-01-10"), (GEVORMD, W, "2019-08-01"), (IG, W, "2020-09-15")],
    ),
    # An office: never counted.
    "0344010000000003": (
        "0344200000000003",
        P1,
        [(GEVORMD, K, "2019-01-10"), (IG, K, "2020-09-01")],
    ),
    # Office turned into a home: completed in 2021 as other addition.
    "0344010000000004": (
        "0344200000000004",
        P2,
        [
            (IG, K, "2010-03-01"),
            ("Verbouwing verblijfsobject", W, "2020-01-01"),
            (IG, W, "2021-04-01"),
        ],
    ),
    # A new home in the converted office: permitted 2020, completed 2021, other addition.
    "0344010000000005": (
        "0344200000000005",
        P2,
        [(GEVORMD, W, "2020-01-01"), (NIM, W, "2021-04-01")],
    ),
    # Weesp: permitted under Weesp (0457), completed after the merger (0363), new-build.
    "0457010000000006": (
        "0457200000000006",
        P3,
        [(GEVORMD, W, "2020-05-01"), (NIM, W, "2022-05-01")],
    ),
    # Weesp: only permitted, before the merger; the code map puts it in Amsterdam.
    "0457010000000007": ("0457200000000007", P3, [(GEVORMD, W, "2020-05-01")]),
    # Amsterdam, completed in March and May of the extract's own year.
    "0363010000000008": (
        "0363200000000008",
        P4,
        [(GEVORMD, W, "2021-02-01"), (NIM, W, "2023-03-10")],
    ),
    "0363010000000009": (
        "0363200000000009",
        P4,
        [(GEVORMD, WW, "2021-02-01"), (IG, WW, "2023-05-20")],
    ),
    # Permit never used.
    "0344010000000010": (
        "0344200000000010",
        P5,
        [(GEVORMD, W, "2021-03-01"), ("Niet gerealiseerd verblijfsobject", W, "2022-03-01")],
    ),
    # Existing home registered in 2010: before 2012, not counted.
    "0344010000000011": (
        "0344200000000011",
        P6,
        [
            (IG, W, "2010-01-01"),
            ("Verbouwing verblijfsobject", W, "2018-06-01"),
            (IG, W, "2018-09-01"),
        ],
    ),
    # Split off in 2018: permitted and completed 2018, other addition, in Maarssen (ligtIn).
    "0344010000000012": (
        "0344200000000012",
        P6,
        [(GEVORMD, W, "2018-06-01"), (IG, W, "2018-09-01")],
    ),
    # Its address moves to Maarssen in 2021, after its last voorkomen: stays in Utrecht.
    "0344010000000013": (
        "0344200000000013",
        P1,
        [(GEVORMD, W, "2019-01-10"), (IG, W, "2020-10-01")],
    ),
    # Its address begins after its first voorkomen.
    "0344010000000014": (
        "0344200000000014",
        P1,
        [(GEVORMD, W, "2019-01-10"), (IG, W, "2020-09-01")],
    ),
    # New house, bouwjaar unknown: new-build by the pand's first status.
    "0344010000000015": (
        "0344200000000015",
        P7,
        [(GEVORMD, W, "2019-03-01"), (IG, W, "2021-02-01")],
    ),
}
# In the Inactief part only: must never be counted.
INACTIEF = {
    "0344010000000099": (
        "0344200000000099",
        P1,
        [(GEVORMD, W, "2021-01-01"), (IG, W, "2021-06-01")],
    )
}


def voorkomen(k: int, begin: str, eind: str | None, indent: str) -> str:
    end = (
        f"\n{indent}        <Historie:eindGeldigheid>{eind}</Historie:eindGeldigheid>"
        if eind
        else ""
    )
    return f"""{indent}<Objecten:voorkomen>
{indent}    <Historie:Voorkomen>
{indent}        <Historie:voorkomenidentificatie>{k}</Historie:voorkomenidentificatie>
{indent}        <Historie:beginGeldigheid>{begin}</Historie:beginGeldigheid>{end}
{indent}        <Historie:tijdstipRegistratie>{begin}T12:00:00.000</Historie:tijdstipRegistratie>
{indent}        <Historie:BeschikbaarLV>
{indent}            <Historie:tijdstipRegistratieLV>{begin}T12:30:00.000</Historie:tijdstipRegistratieLV>
{indent}        </Historie:BeschikbaarLV>
{indent}    </Historie:Voorkomen>
{indent}</Objecten:voorkomen>"""


def document(kind: str, stands: list[str]) -> str:
    body = "\n".join(stands)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- {MARKER} -->
<sl-bag-extract:bagStand {NS}>
    <sl-bag-extract:bagInfo>
        <selecties-extract:LVC-Extract>
            <selecties-extract:StandTechnischeDatum>{STAND}</selecties-extract:StandTechnischeDatum>
        </selecties-extract:LVC-Extract>
    </sl-bag-extract:bagInfo>
    <sl:standBestand>
        <sl:dataset>LVBAG</sl:dataset>
        <sl:inhoud>
            <sl:gebied>Nederland</sl:gebied>
            <sl:leveringsId>0000000001</sl:leveringsId>
            <sl:objectTypen>
                <sl:objectType>{kind}</sl:objectType>
            </sl:objectTypen>
        </sl:inhoud>
{body}
    </sl:standBestand>
</sl-bag-extract:bagStand>
"""


def stand(inner: str) -> str:
    return f"""        <sl:stand>
            <sl-bag-extract:bagObject>
{inner}
            </sl-bag-extract:bagObject>
        </sl:stand>"""


def periods(rows: list[tuple]) -> list[tuple[int, tuple, str | None]]:
    """(k, row, eind) with eind the next row's begin."""
    return [(k + 1, r, rows[k + 1][-1] if k + 1 < len(rows) else None) for k, r in enumerate(rows)]


def vbo_documents(objects: dict) -> str:
    stands = []
    i = "                "
    for vid, (num, pand, rows) in objects.items():
        x, y = PND[pand][2] + int(vid[-2:]), PND[pand][3] + 1.5
        for k, (status, doel, begin), eind in periods(rows):
            doelen = "\n".join(
                f"{i}    <Objecten:gebruiksdoel>{d}</Objecten:gebruiksdoel>"
                for d in doel.split(";")
            )
            stands.append(
                stand(f"""{i}<Objecten:Verblijfsobject>
{i}    <Objecten:heeftAlsHoofdadres>
{i}        <Objecten-ref:NummeraanduidingRef domein="NL.IMBAG.Nummeraanduiding">{num}</Objecten-ref:NummeraanduidingRef>
{i}    </Objecten:heeftAlsHoofdadres>
{voorkomen(k, begin, eind, i + "    ")}
{i}    <Objecten:identificatie domein="NL.IMBAG.Verblijfsobject">{vid}</Objecten:identificatie>
{i}    <Objecten:geometrie>
{i}        <Objecten:punt>
{i}            <gml:Point srsName="urn:ogc:def:crs:EPSG::28992" srsDimension="3">
{i}                <gml:pos>{x:.3f} {y:.3f} 0.0</gml:pos>
{i}            </gml:Point>
{i}        </Objecten:punt>
{i}    </Objecten:geometrie>
{doelen}
{i}    <Objecten:oppervlakte>80</Objecten:oppervlakte>
{i}    <Objecten:status>{status}</Objecten:status>
{i}    <Objecten:geconstateerd>N</Objecten:geconstateerd>
{i}    <Objecten:documentdatum>{begin}</Objecten:documentdatum>
{i}    <Objecten:documentnummer>HM-{vid[-2:]}-{k}</Objecten:documentnummer>
{i}    <Objecten:maaktDeelUitVan>
{i}        <Objecten-ref:PandRef domein="NL.IMBAG.Pand">{pand}</Objecten-ref:PandRef>
{i}    </Objecten:maaktDeelUitVan>
{i}</Objecten:Verblijfsobject>""")
            )
    return document("VBO", stands)


def pnd_document() -> str:
    stands = []
    i = "                "
    for pid, (bouwjaar, rows, x, y) in PND.items():
        ring = " ".join(
            f"{x + dx:.1f} {y + dy:.1f} 0.0"
            for dx, dy in ((-20, -20), (40, -20), (40, 20), (-20, 20), (-20, -20))
        )
        for k, (status, begin), eind in periods(rows):
            stands.append(
                stand(f"""{i}<Objecten:Pand>
{i}    <Objecten:identificatie domein="NL.IMBAG.Pand">{pid}</Objecten:identificatie>
{i}    <Objecten:geometrie>
{i}        <gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" srsDimension="3">
{i}            <gml:exterior>
{i}                <gml:LinearRing>
{i}                    <gml:posList count="5">{ring}</gml:posList>
{i}                </gml:LinearRing>
{i}            </gml:exterior>
{i}        </gml:Polygon>
{i}    </Objecten:geometrie>
{i}    <Objecten:oorspronkelijkBouwjaar>{bouwjaar}</Objecten:oorspronkelijkBouwjaar>
{i}    <Objecten:status>{status}</Objecten:status>
{i}    <Objecten:geconstateerd>N</Objecten:geconstateerd>
{i}    <Objecten:documentdatum>{begin}</Objecten:documentdatum>
{i}    <Objecten:documentnummer>HM-P{pid[-1]}-{k}</Objecten:documentnummer>
{voorkomen(k, begin, eind, i + "    ")}
{i}</Objecten:Pand>""")
            )
    return document("PND", stands)


def num_document() -> str:
    stands = []
    i = "                "
    for nid, rows in NUM.items():
        for k, (begin, eind, opr, wpl) in enumerate(rows, start=1):
            ligt_in = (
                f"""
{i}    <Objecten:ligtIn>
{i}        <Objecten-ref:WoonplaatsRef domein="NL.IMBAG.Woonplaats">{wpl}</Objecten-ref:WoonplaatsRef>
{i}    </Objecten:ligtIn>"""
                if wpl
                else ""
            )
            stands.append(
                stand(f"""{i}<Objecten:Nummeraanduiding>
{i}    <Objecten:identificatie domein="NL.IMBAG.Nummeraanduiding">{nid}</Objecten:identificatie>
{i}    <Objecten:huisnummer>{int(nid[-2:])}</Objecten:huisnummer>
{i}    <Objecten:postcode>1234AB</Objecten:postcode>
{i}    <Objecten:typeAdresseerbaarObject>Verblijfsobject</Objecten:typeAdresseerbaarObject>
{i}    <Objecten:status>Naamgeving uitgegeven</Objecten:status>
{i}    <Objecten:geconstateerd>N</Objecten:geconstateerd>
{i}    <Objecten:documentdatum>{begin}</Objecten:documentdatum>
{i}    <Objecten:documentnummer>HM-N{nid[-2:]}-{k}</Objecten:documentnummer>{ligt_in}
{voorkomen(k, begin, eind, i + "    ")}
{i}    <Objecten:ligtAan>
{i}        <Objecten-ref:OpenbareRuimteRef domein="NL.IMBAG.Openbareruimte">{opr}</Objecten-ref:OpenbareRuimteRef>
{i}    </Objecten:ligtAan>
{i}</Objecten:Nummeraanduiding>""")
            )
    return document("NUM", stands)


def opr_document() -> str:
    i = "                "
    stands = [
        stand(f"""{i}<Objecten:OpenbareRuimte>
{i}    <Objecten:identificatie domein="NL.IMBAG.Openbareruimte">{oid}</Objecten:identificatie>
{i}    <Objecten:naam>Straat {oid[-1]} {WOONPLAATSEN[wpl]}</Objecten:naam>
{i}    <Objecten:type>Weg</Objecten:type>
{i}    <Objecten:status>Naamgeving uitgegeven</Objecten:status>
{i}    <Objecten:geconstateerd>N</Objecten:geconstateerd>
{i}    <Objecten:documentdatum>2010-01-01</Objecten:documentdatum>
{i}    <Objecten:documentnummer>HM-O{oid[-1]}</Objecten:documentnummer>
{i}    <Objecten:ligtIn>
{i}        <Objecten-ref:WoonplaatsRef domein="NL.IMBAG.Woonplaats">{wpl}</Objecten-ref:WoonplaatsRef>
{i}    </Objecten:ligtIn>
{voorkomen(1, "2010-01-01", None, i + "    ")}
{i}</Objecten:OpenbareRuimte>""")
        for oid, wpl in OPR.items()
    ]
    return document("OPR", stands)


def wpl_document() -> str:
    i = "                "
    stands = [
        stand(f"""{i}<Objecten:Woonplaats>
{i}    <Objecten:identificatie domein="NL.IMBAG.Woonplaats">{wid}</Objecten:identificatie>
{i}    <Objecten:naam>{name}</Objecten:naam>
{i}    <Objecten:status>Woonplaats aangewezen</Objecten:status>
{i}    <Objecten:geconstateerd>N</Objecten:geconstateerd>
{i}    <Objecten:documentdatum>2010-01-01</Objecten:documentdatum>
{i}    <Objecten:documentnummer>HM-W{wid}</Objecten:documentnummer>
{voorkomen(1, "2010-01-01", None, i + "    ")}
{i}</Objecten:Woonplaats>""")
        for wid, name in WOONPLAATSEN.items()
    ]
    return document("WPL", stands)


def relation_document() -> str:
    rows = []
    for wpl, gem, begin, eind in RELATION:
        end = (
            f"\n        <bagtypes:einddatumTijdvakGeldigheid>{eind}</bagtypes:einddatumTijdvakGeldigheid>"
            if eind
            else ""
        )
        rows.append(f"""    <gwr-product:GemeenteWoonplaatsRelatie>
      <gwr-product:tijdvakgeldigheid>
        <bagtypes:begindatumTijdvakGeldigheid>{begin}</bagtypes:begindatumTijdvakGeldigheid>{end}
      </gwr-product:tijdvakgeldigheid>
      <gwr-product:gerelateerdeWoonplaats><gwr-product:identificatie>{wpl}</gwr-product:identificatie></gwr-product:gerelateerdeWoonplaats>
      <gwr-product:gerelateerdeGemeente><gwr-product:identificatie>{gem}</gwr-product:identificatie></gwr-product:gerelateerdeGemeente>
      <gwr-product:status>definitief</gwr-product:status>
    </gwr-product:GemeenteWoonplaatsRelatie>""")
    body = "\n".join(rows)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- {MARKER} -->
<gwr-bestand:BAG-GWR-Deelbestand-LVC xmlns:gwr-bestand="www.kadaster.nl/schemas/lvbag/gem-wpl-rel/gwr-deelbestand-lvc/v20200601" xmlns:selecties-extract="http://www.kadaster.nl/schemas/lvbag/extract-selecties/v20200601" xmlns:bagtypes="www.kadaster.nl/schemas/lvbag/gem-wpl-rel/bag-types/v20200601" xmlns:gwr-product="www.kadaster.nl/schemas/lvbag/gem-wpl-rel/gwr-producten-lvc/v20200601">
  <gwr-bestand:SelectieGegevens>
    <selecties-extract:StandTechnischeDatum>{STAND}</selecties-extract:StandTechnischeDatum>
  </gwr-bestand:SelectieGegevens>
  <gwr-bestand:Product>
  <gwr-product:GemeenteWoonplaatsRelatieProduct>
{body}
  </gwr-product:GemeenteWoonplaatsRelatieProduct>
  </gwr-bestand:Product>
</gwr-bestand:BAG-GWR-Deelbestand-LVC>
"""


def leveringsdocument() -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- {MARKER} -->
<xb:BAG-Extract-Levering xmlns:xb="http://www.kadaster.nl/schemas/lvbag/extract-levering/v20200601" xmlns:selecties-extract="http://www.kadaster.nl/schemas/lvbag/extract-selecties/v20200601">
    <xb:SelectieGegevens>
        <selecties-extract:LVC-Extract>
            <selecties-extract:StandTechnischeDatum>{STAND}</selecties-extract:StandTechnischeDatum>
        </selecties-extract:LVC-Extract>
        <selecties-extract:Gebied-Registratief>
            <selecties-extract:Gebied-NLD/>
        </selecties-extract:Gebied-Registratief>
    </xb:SelectieGegevens>
</xb:BAG-Extract-Levering>
"""


def main() -> None:
    HERE.mkdir(exist_ok=True)
    stamp = "30062023"
    files = {
        "Leveringsdocument-BAG-Extract.xml": leveringsdocument(),
        f"9999VBO{stamp}-000001.xml": vbo_documents(VBO),
        f"9999PND{stamp}-000001.xml": pnd_document(),
        f"9999NUM{stamp}-000001.xml": num_document(),
        f"9999OPR{stamp}-000001.xml": opr_document(),
        f"9999WPL{stamp}-000001.xml": wpl_document(),
        f"GEM-WPL-RELATIE-{stamp}-000001.xml": relation_document(),
        f"9999IAVBO{stamp}-000001.xml": vbo_documents(INACTIEF),
    }
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
