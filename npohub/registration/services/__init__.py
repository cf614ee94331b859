"""Registration services: applications, the one transition path, joint review, filing.

Every state change goes through :func:`application_transition`, which hands the move to the one
workflow engine (``npohub.core.workflows.run_move``) with ``APPLICATION_WORKFLOW``: the table of
the application's kind (``workflows.py``), the capacities from ``permissions.capacities_of``,
the guards (``workflow.py``) and effects (``effects.py``; the registry change on approval happens
in an effect, in the same transaction) and the notifier (``notifications.py``).

- ``applications``: starting and editing an application; ``attachments``: its documents.
- ``workflow``: the transition path, guards and ``APPLICATION_WORKFLOW`` (registered at import).
- ``effects``: the clock, review tasks and registry changes of the moves.
- ``reviews``: joint review opinions; ``notifications``: who hears of a move, deadline reminders.
- ``certificates``: issue, void, seal; ``filing``: filing delegation and activity reports.
- ``common``: the move context, the locked fetch, region prefixes, the clock's resume.

Importing this package registers the workflow; callers import from here or from a submodule.
"""

from .applications import (
    application_create,
    application_update,
)
from .attachments import (
    attachment_add,
    attachment_remove,
)
from .certificates import (
    certificate_issue,
    certificate_seal,
    certificate_unseal,
    certificate_void,
)
from .common import (
    Context,
)
from .effects import (
    EFFECTS,
    issue_uscc,
    models_q_category,
)
from .filing import (
    activity_report_act,
    activity_report_create,
    filing_delegation_create,
    filing_delegation_end,
)
from .notifications import (
    application_remind_deadlines,
)
from .reviews import (
    review_opinion_give,
)
from .workflow import (
    APPLICATION_WORKFLOW,
    GUARDS,
    application_transition,
)

__all__ = [
    "APPLICATION_WORKFLOW",
    "Context",
    "EFFECTS",
    "GUARDS",
    "activity_report_act",
    "activity_report_create",
    "application_create",
    "application_remind_deadlines",
    "application_transition",
    "application_update",
    "attachment_add",
    "attachment_remove",
    "certificate_issue",
    "certificate_seal",
    "certificate_unseal",
    "certificate_void",
    "filing_delegation_create",
    "filing_delegation_end",
    "issue_uscc",
    "models_q_category",
    "review_opinion_give",
]
