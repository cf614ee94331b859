"""Bulk import of organisations from a spreadsheet: upload → validate (preview) → commit.

Every row goes through :func:`clean_organization`; on top of that the import checks duplicates
inside the file and against the registry, the user's scope for every row, and decides for each
row whether it creates, updates or leaves an organisation unchanged (so re-importing the same
file changes nothing). The commit is one transaction with bulk writes (performance.md §7 #8).

- ``columns``: import kinds, the template's columns, header aliases, the menu item.
- ``rows``: reading and cleaning the rows (``ImportPlan``, ``RowPlan``).
- ``plan``: deciding each row against the registry; ``import_plan``.
- ``services``: the job's life (start, validate, commit request, retry, commit).
- ``writing``: the bulk write of a decided plan.

Reading the file within its limits: ``orgs/import_files.py``; telling a dead job from a live
one: ``orgs/import_jobs.py``.
"""

from .columns import (
    ALLOWED_EXTENSIONS,
    COLUMNS,
    COMMUNITY_GROUP,
    EXAMPLE_PREFIX,
    GROUP_COLUMNS,
    IMPORT_KINDS,
    REGISTERED,
    REGISTERED_COLUMNS,
    REQUIRED_COLUMNS,
    Column,
    can_import_any,
    header_aliases,
    import_kind_for,
    register_import_navigation,
)
from .plan import (
    import_plan,
)
from .rows import (
    ImportPlan,
    RowPlan,
)
from .services import (
    import_commit,
    import_commit_request,
    import_job_get_for,
    import_job_list_for,
    import_retry,
    import_start,
    import_validate,
)

__all__ = [
    "ALLOWED_EXTENSIONS",
    "COLUMNS",
    "COMMUNITY_GROUP",
    "Column",
    "EXAMPLE_PREFIX",
    "GROUP_COLUMNS",
    "IMPORT_KINDS",
    "ImportPlan",
    "REGISTERED",
    "REGISTERED_COLUMNS",
    "REQUIRED_COLUMNS",
    "RowPlan",
    "can_import_any",
    "header_aliases",
    "import_commit",
    "import_commit_request",
    "import_job_get_for",
    "import_job_list_for",
    "import_kind_for",
    "import_plan",
    "import_retry",
    "import_start",
    "import_validate",
    "register_import_navigation",
]
