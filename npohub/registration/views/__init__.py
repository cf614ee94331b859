"""Pages of the registration workflow, one module per part of the work.

- ``common``: tabs, page frame, scoped fetch of an application, clock decoration of rows.
- ``lists``: the bureau's overview, the application list, the deadline board.
- ``editing``: starting an application and editing one the applicant holds.
- ``detail``: the application page (content, moves, rounds, clock) and making a move.
- ``attachments``: documents of applications and of review opinions.
- ``reviews``: joint review (a department's inbox, one task, its opinion).
- ``filing``: community pages (major-activity reports, filing delegation).
- ``certificates``: certificate PDFs.

Views fetch with the scoped selectors (``NotFound`` → 404 for missing and forbidden alike),
shape input with ``forms.py`` and call one service; a ``DomainError`` becomes a form error or
a message, and nothing changes. ``urls*.py`` import the submodules directly.
"""
