"""Demo data from the apps above roster (welfare, ledger, planning...): `manage.py seed_demo` (in roster,
which must not import them) calls each registered seeder after its own data, in the same transaction.

A higher app registers in its AppConfig.ready():

    from roster.demo_hooks import register_demo_seeder
    register_demo_seeder("welfare", welfare.demo.seed)

A seeder is called as seed(today=date, now=datetime, rng=random.Random) and returns a list of
(label, value) lines for the summary seed_demo prints.
"""

_SEEDERS: dict[str, object] = {}


def register_demo_seeder(name: str, seeder) -> None:
    _SEEDERS[name] = seeder


def demo_seeders() -> list:
    return list(_SEEDERS.values())
