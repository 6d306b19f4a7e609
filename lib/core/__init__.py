"""Core: what every stage stands on.

Takes nothing from the other stages. Gives the cache of derived artefacts and the
fingerprints that key it (:mod:`.cache`, :mod:`.fingerprint`), declared table schemas and
their validation (:mod:`.schemas`), validated atomic writes (:mod:`.store`), run locks,
signals and temporary-file bookkeeping (:mod:`.runs`), cached YAML reading (:mod:`.yamlio`)
and Swedish formats of numbers and periods (:mod:`.formats`).
"""
