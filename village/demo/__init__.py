"""The demo district and the generated ones, organised by domain.

Each domain adds its part as a subpackage ``village.demo.<domain>`` with one generation pipeline:
a single entry function that the ``village demo`` and ``village generate`` commands call in
order, each building on what the ones before it made:

- ``community``: the persona district, its schools, staff and classes
  (``demo_community_build``), and the generated district (``synthetic.district_generate``);
- ``families``: the demo district's students and families (``demo_families_build``);
- ``classwork``: a term of classwork, written through ``village.classwork.bulk``
  (``term.demo_classwork_build``; ``generated.classwork_generate`` for a generated district).

Shared by all: ``personas`` (the people of PRODUCT.md, built once for the demo and every test),
``names`` (people's names and usernames), ``purge`` (removing demo data) and ``logins``; rows are
written with ``village.core.bulk``. A new domain (notifications, messaging, goals...) adds
``demo/<domain>/`` with its own entry function, and the commands call it after the domains it
needs.
"""
