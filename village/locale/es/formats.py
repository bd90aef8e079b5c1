"""Village's own date formats in Spanish, beside Django's (``FORMAT_MODULE_PATH``).

Spanish writes weekday and month names in lower case, abbreviated too: "vie 20 nov". Django's
``M`` capitalises the month ("Nov"), so these formats use ``b`` (the lower-case abbreviation).
"""

#: A day in a list, short: "vie 20 nov".
DAY_SHORT_FORMAT = "D j b"
