"""Village's own date formats in English, beside Django's (``FORMAT_MODULE_PATH``)."""

#: A day in a list, short: "Fri, Nov 20".
DAY_SHORT_FORMAT = "D, M j"
