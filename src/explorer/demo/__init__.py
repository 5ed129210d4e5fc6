"""Demo data, kept apart from the use cases in ``explorer.core``.

- ``generator``: seeded, realistic audit events as DataStorage returns them.
- ``server``: a stand-in DataStorage on loopback serving them, with opt-in faults.
- ``cache``: the demo cache that ``audit-explorer demo`` builds through the import path.
"""
