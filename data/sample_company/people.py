"""Synthetic but plausible names, street addresses and contact details.

House numbers and street names are made up (street-level data cannot be bundled), so an
address is a plausible label, not a geocodable house: the coordinates carry the location.
E-mail domains are the reserved example.* domains and phone numbers use the 555 exchange.
"""

from __future__ import annotations

import numpy as np

FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Carlos Karen Daniel Lisa Matthew Nancy Anthony "
    "Betty Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle "
    "Kenneth Carol Kevin Amanda Brian Melissa George Deborah Luis Stephanie Edward Rebecca Jose "
    "Laura Ronald Sharon Timothy Cynthia Jason Kathleen Jeffrey Amy Ryan Angela Jacob Shirley "
    "Gary Anna Nicholas Brenda Eric Pamela Jonathan Nicole Stephen Emma Larry Samantha Justin "
    "Katherine Scott Christine Brandon Debra Benjamin Rachel Samuel Carolyn Gregory Janet "
    "Alexander Maria Frank Olivia Raymond Heather Patrick Helen Jack Catherine Dennis Diane "
    "Jerry Julie Tyler Victoria Aaron Joyce Adam Lauren Henry Kelly Nathan Christina Douglas "
    "Ruth Zachary Joan Peter Virginia Kyle Judith Ethan Evelyn Walter Hannah Noah Andrea "
    "Jeremy Megan Christian Cheryl Keith Jacqueline Roger Madison Terry Teresa Austin Abigail "
    "Sean Sophia Gerald Martha Carl Sara Harold Gloria Dylan Janice Arthur Kathryn Lawrence "
    "Ann Jordan Isabella Jesse Judy Bryan Charlotte Billy Julia Bruce Grace Gabriel Amber "
    "Alan Alice Juan Jean Wayne Denise Roy Frances Ralph Danielle Randy Marilyn Eugene Natalie"
).split()

LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White "
    "Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres "
    "Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts "
    "Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales "
    "Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos "
    "Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes "
    "Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry "
    "Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons "
    "Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West "
    "Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro "
    "Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry "
    "Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez"
).split()

STREET_NAMES = (
    "Bay Vista",
    "Palmira",
    "Sunset",
    "Azeele",
    "Bayshore Villas",
    "Manhattan",
    "Lois",
    "Dale",
    "San Miguel",
    "Barcelona",
    "Santiago",
    "Fair Oaks",
    "Mariner",
    "Oakwood",
    "Citrus Grove",
    "Magnolia",
    "Live Oak",
    "Pine Needle",
    "Cypress Bend",
    "Heron",
    "Egret",
    "Pelican",
    "Osprey",
    "Mangrove",
    "Sabal Palm",
    "Hibiscus",
    "Jasmine",
    "Orange Blossom",
    "Lakeview",
    "Brookside",
    "Willow Creek",
    "Timber Ridge",
    "Fox Hollow",
    "Stonebridge",
    "Whispering Pines",
    "Tall Oaks",
    "Country Club",
    "Meadow Lark",
    "Bridle Path",
    "Harbor View",
    "Dolphin",
    "Key Lime",
    "Tarpon",
    "Gulf Breeze",
    "Coral",
    "Sand Dollar",
    "Seagrape",
    "Palm Shadow",
    "Creekwood",
    "Summerfield",
    "Ashley Oaks",
    "Carriage Pointe",
    "Kings Park",
    "Lake Carroll",
    "Gunn",
    "Linebaugh",
    "Bearss",
    "Bloomingdale",
    "Lithia Pinecrest",
    "Kingsway",
    "Parsons",
    "Lumsden",
    "Durant",
    "Valrico Oaks",
    "Balm Riverview",
    "Boyette",
    "Big Bend",
    "Symmes",
    "Gibsonton",
    "Fish Hawk",
    "Apollo",
)
STREET_TYPES = ("Ave", "St", "Dr", "Ct", "Ln", "Way", "Blvd", "Pl", "Cir", "Rd", "Ter", "Loop")
# South Tampa and the city grid use directional prefixes; the suburbs mostly do not.
DIRECTIONS = ("W", "E", "N", "S")

BUSINESS_NAMES = (
    "Bayshore Family Dental",
    "Harbour Island Bistro",
    "Palma Ceia Pediatrics",
    "Westchase Veterinary Clinic",
    "Carrollwood Title & Escrow",
    "Gulfside Realty",
    "Brandon Orthodontics",
    "Seminole Heights Coffee Co.",
    "Hyde Park Boutique Hotel",
    "Sunstate Insurance Agency",
    "Lutz Community Church",
    "Temple Terrace Animal Hospital",
    "FishHawk Montessori School",
    "Riverview Physical Therapy",
    "Valrico Family Medicine",
    "Northdale Pharmacy",
    "Tampa Palms Racquet Club",
    "Apollo Beach Marina Office",
    "Citrus Park Chiropractic",
    "Beach Park Law Group",
    "Bloomingdale Dance Academy",
    "Odessa Lakes Clubhouse",
    "Cheval Golf Pro Shop",
    "Egypt Lake Dry Cleaners",
    "Town 'n' Country Credit Union",
    "Seffner Feed & Supply",
    "Port Tampa Cafe",
    "Forest Hills Bakery",
    "Countryway Vision Center",
    "Lake Magdalene Montessori",
    "Palm River Auto Care",
    "West Tampa Cigar Shop",
)

COMMUNITY_NAMES = (
    "Heron Bay Reserve",
    "Cypress Landing",
    "Palmetto Point",
    "Osprey Isles",
    "Live Oak Preserve",
    "Magnolia Chase",
    "Egret Cove",
    "Sabal Harbour",
    "Turtle Creek Estates",
    "Pelican Pointe",
)

ACCESS_NOTES = (
    "Dog in the back yard: keep the side gate latched",
    "Side gate code 1357; pool equipment behind the garage",
    "Key in the lockbox by the lanai door",
    "Park on the street, not in the driveway",
    "Text the owner 15 minutes before arrival",
    "Cats indoors: keep the lanai screen door closed",
    "Pool pump breaker is in the garage",
    "Use the back entrance; front door is not used",
    "Irrigation runs Tue/Sat mornings: avoid the lawn before 9:00",
    "Owner works from home: please knock before starting",
)

NOTES = (
    "Referred by a neighbour",
    "Prefers e-mail invoices",
    "Pays by autopay",
    "Asked for the same technician every visit",
    "Winter resident, away May to October",
    "New construction, warranty on the screen enclosure",
    "Has an HOA architectural review for hedge heights",
    "",
)


def pick(rng: np.random.Generator, items):
    return items[int(rng.integers(len(items)))]


def person_name(rng: np.random.Generator) -> tuple[str, str]:
    return pick(rng, FIRST), pick(rng, LAST)


def street(rng: np.random.Generator, region_style: str) -> str:
    name = pick(rng, STREET_NAMES)
    kind = pick(rng, STREET_TYPES)
    if region_style == "grid" and rng.random() < 0.8:
        return f"{pick(rng, DIRECTIONS)} {name} {kind}"
    return f"{name} {kind}"


def address(rng: np.random.Generator, street_name: str, city: str, zip_code: str) -> str:
    number = int(rng.integers(100, 19999))
    return f"{number} {street_name}, {city}, FL {zip_code}"


def email(first: str, last: str, serial: int, business: bool = False) -> str:
    clean = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
    domain = ("example.com", "example.net", "example.org")[serial % 3]
    return f"office@{clean.strip('.')}.{domain}" if business else f"{clean}{serial % 97}@{domain}"


def phone(serial: int, rng: np.random.Generator) -> str:
    area = ("813", "813", "656")[serial % 3]
    return f"({area}) 555-{int(rng.integers(0, 10_000)):04d}"
