"""police.uk's crime types, as its street-level files name them.

Free of models and of Django, so the benchmarks that write files in police.uk's layout read the
same list as the app.
"""

ANTI_SOCIAL_BEHAVIOUR = "Anti-social behaviour"

# For the indicator form (a type held in the counts but not here, e.g. one police.uk adds later, is
# offered too) and the files the benchmarks write.
POLICE_UK_CRIME_TYPES = (
    ANTI_SOCIAL_BEHAVIOUR,
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
