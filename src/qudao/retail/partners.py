"""One partner per country or region of a retail file: the company that sells the
wholesaler's gift-ware there. Created through the partner service, so that its checks and
the audit log apply, and left at the pipeline's first stage; a second run finds each one
again by name.

"Unspecified" is no territory: its lines are credited to no partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from qudao.accounts.subject import SYSTEM, AuthSubject
from qudao.partners import repository, service
from qudao.partners.dedupe import normalize_name
from qudao.partners.schemas import ContactIn, PartnerCreate
from qudao.retail.summary import FileSummary

DISTRIBUTOR_MIN_REVENUE = Decimal("100000")
NO_TERRITORY = frozenset({"Unspecified", ""})
SOURCE = "retail data"
INDUSTRY = "Giftware"


@dataclass(frozen=True, slots=True)
class Profile:
    company: str
    domain: str
    region: str
    # (name, role, e-mail local part)
    contacts: tuple[tuple[str, str, str], ...]


def _p(company: str, domain: str, region: str, *contacts: tuple[str, str, str]) -> Profile:
    return Profile(company, domain, region, contacts)


MD, SALES, BUYER = "Managing Director", "Sales Manager", "Head of Purchasing"
# Territories as the file writes them (EIRE, RSA, USA …). Fictitious companies on the
# reserved .example domain.
PROFILES: dict[str, Profile] = {
    "United Kingdom": _p("Albion Giftware Distribution Ltd", "albion-giftware.example", "Europe",
                         ("Oliver Bennett", MD, "oliver.bennett"),
                         ("Charlotte Hughes", SALES, "charlotte.hughes")),
    "Germany": _p("Geschenkhaus Nord GmbH", "geschenkhaus-nord.example", "Europe",
                  ("Katrin Vogel", MD, "katrin.vogel"), ("Jonas Becker", BUYER, "jonas.becker")),
    "France": _p("Maison des Cadeaux SARL", "maison-des-cadeaux.example", "Europe",
                 ("Camille Laurent", MD, "camille.laurent"),
                 ("Julien Moreau", SALES, "julien.moreau")),
    "EIRE": _p("Emerald Isle Gifts Ltd", "emerald-isle-gifts.example", "Europe",
               ("Siobhan Byrne", MD, "siobhan.byrne"), ("Cian Walsh", SALES, "cian.walsh")),
    "Spain": _p("Regalos Ibéricos S.L.", "regalos-ibericos.example", "Europe",
                ("Lucía Fernández", MD, "lucia.fernandez")),
    "Netherlands": _p("Cadeau Compagnie B.V.", "cadeau-compagnie.example", "Europe",
                      ("Sanne de Vries", MD, "sanne.devries"),
                      ("Daan Jansen", BUYER, "daan.jansen")),
    "Belgium": _p("Brabant Geschenken BV", "brabant-geschenken.example", "Europe",
                  ("Lotte Peeters", MD, "lotte.peeters")),
    "Switzerland": _p("Alpen Geschenke AG", "alpen-geschenke.example", "Europe",
                      ("Martina Keller", MD, "martina.keller"),
                      ("Luca Rossi", SALES, "luca.rossi")),
    "Portugal": _p("Presentes Lusitanos Lda", "presentes-lusitanos.example", "Europe",
                   ("Inês Costa", MD, "ines.costa")),
    "Australia": _p("Southern Cross Giftware Pty Ltd", "southern-cross-giftware.example",
                    "Asia Pacific", ("Emily Walker", MD, "emily.walker"),
                    ("Jack Thompson", SALES, "jack.thompson")),
    "Norway": _p("Nordlys Gaver AS", "nordlys-gaver.example", "Europe",
                 ("Ingrid Halvorsen", MD, "ingrid.halvorsen")),
    "Italy": _p("Bottega dei Regali S.r.l.", "bottega-dei-regali.example", "Europe",
                ("Giulia Romano", MD, "giulia.romano")),
    "Channel Islands": _p("Sarnia Trading Ltd", "sarnia-trading.example", "Europe",
                          ("Thomas Le Page", MD, "thomas.lepage")),
    "Finland": _p("Lahjapuoti Aalto Oy", "lahjapuoti-aalto.example", "Europe",
                  ("Aino Virtanen", MD, "aino.virtanen")),
    "Cyprus": _p("Aphrodite Home & Gifts Ltd", "aphrodite-gifts.example", "Europe",
                 ("Andreas Georgiou", MD, "andreas.georgiou")),
    "Sweden": _p("Presentbolaget Svea AB", "presentbolaget-svea.example", "Europe",
                 ("Elin Lindqvist", MD, "elin.lindqvist")),
    "Austria": _p("Wiener Geschenkwaren GmbH", "wiener-geschenkwaren.example", "Europe",
                  ("Stefan Huber", MD, "stefan.huber")),
    "Denmark": _p("Hygge Gaver ApS", "hygge-gaver.example", "Europe",
                  ("Mette Nielsen", MD, "mette.nielsen")),
    "Japan": _p("Sakura Zakka K.K.", "sakura-zakka.example", "Asia Pacific",
                ("Yuki Tanaka", MD, "yuki.tanaka"), ("Kenji Sato", BUYER, "kenji.sato")),
    "Poland": _p("Prezenty Wisła Sp. z o.o.", "prezenty-wisla.example", "Europe",
                 ("Agnieszka Nowak", MD, "agnieszka.nowak")),
    "Israel": _p("Galil Gift Trading Ltd", "galil-gifts.example", "Middle East",
                 ("Noa Levi", MD, "noa.levi")),
    "USA": _p("Liberty Giftware Inc.", "liberty-giftware.example", "Americas",
              ("Megan Carter", MD, "megan.carter")),
    "Hong Kong": _p("Harbour Gifts Trading Ltd", "harbour-gifts.example", "Asia Pacific",
                    ("Chan Wing Yee", MD, "wingyee.chan")),
    "Singapore": _p("Lion City Gifts Pte Ltd", "lion-city-gifts.example", "Asia Pacific",
                    ("Tan Mei Ling", MD, "meiling.tan")),
    "Iceland": _p("Norðurljós Gjafavörur ehf.", "nordurljos-gjafavorur.example", "Europe",
                  ("Sigríður Jónsdóttir", MD, "sigridur.jonsdottir")),
    "Canada": _p("Maple Leaf Giftware Inc.", "maple-leaf-giftware.example", "Americas",
                 ("Olivia Tremblay", MD, "olivia.tremblay")),
    "Greece": _p("Aegean Gifts S.A.", "aegean-gifts.example", "Europe",
                 ("Eleni Papadopoulou", MD, "eleni.papadopoulou")),
    "Malta": _p("Valletta Gift House Ltd", "valletta-gift-house.example", "Europe",
                ("Maria Borg", MD, "maria.borg")),
    "United Arab Emirates": _p("Gulf Gift Trading LLC", "gulf-gift-trading.example",
                               "Middle East", ("Omar Al Mansoori", MD, "omar.almansoori")),
    "European Community": _p("Euro Gift Consortium SA", "euro-gift-consortium.example",
                             "Europe", ("Claire Dubois", MD, "claire.dubois")),
    "RSA": _p("Cape Gift Traders (Pty) Ltd", "cape-gift-traders.example", "Africa",
              ("Thandi Nkosi", MD, "thandi.nkosi")),
    "Lebanon": _p("Cedar Gifts SARL", "cedar-gifts.example", "Middle East",
                  ("Rami Haddad", MD, "rami.haddad")),
    "Lithuania": _p("Baltijos Dovanos UAB", "baltijos-dovanos.example", "Europe",
                    ("Rūta Kazlauskienė", MD, "ruta.kazlauskiene")),
    "Brazil": _p("Presentes Brasil Ltda", "presentes-brasil.example", "Americas",
                 ("Beatriz Oliveira", MD, "beatriz.oliveira")),
    "Czech Republic": _p("Dárky Vltava s.r.o.", "darky-vltava.example", "Europe",
                         ("Petra Svobodová", MD, "petra.svobodova")),
    "Bahrain": _p("Pearl Gifts W.L.L.", "pearl-gifts.example", "Middle East",
                  ("Fatima Al Khalifa", MD, "fatima.alkhalifa")),
    "Saudi Arabia": _p("Najd Gift Company", "najd-gifts.example", "Middle East",
                       ("Khalid Al Harbi", MD, "khalid.alharbi")),
}


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def profile(country: str) -> Profile:
    """The territory's partner; a territory not in the table gets an agency named after
    it, with one contact."""
    found = PROFILES.get(country)
    if found is not None:
        return found
    slug = _slug(country) or "territory"
    return _p(f"{country} Giftware Agency", f"{slug}-giftware.example", country,
              ("Alex Morgan", MD, "alex.morgan"))


def partner_type(revenue: Decimal) -> str:
    return "distributor" if revenue >= DISTRIBUTOR_MIN_REVENUE else "agent"


def ensure_country_partners(session: Session, summary: FileSummary, *,
                            subject: AuthSubject = SYSTEM) -> dict[str, int]:
    """Country (as the file writes it) -> partner id, for every territory of the file."""
    found: dict[str, int] = {}
    for country, revenue in sorted(summary.countries.items()):
        if country.strip() in NO_TERRITORY:
            continue
        known = profile(country)
        existing = repository.by_normalized_name(session, normalize_name(known.company))
        if existing is not None:
            found[country] = existing.merged_into_id or existing.id
            continue
        data = PartnerCreate(
            name=known.company, website=f"https://www.{known.domain}", country=country,
            region=known.region, industry=INDUSTRY, partner_type=partner_type(revenue),
            source=SOURCE, allow_similar=True,
            contacts=[ContactIn(name=name, role=role, email=f"{local}@{known.domain}")
                      for name, role, local in known.contacts])
        found[country] = service.create_partner(session, subject, data).id
    return found
