"""Domain errors of the regions app, each with a stable code."""

from __future__ import annotations

from npohub.core.errors import DomainError, ValidationFailed


class DivisionFileError(ValidationFailed):
    """A division file is missing, has the wrong columns or holds a malformed row."""

    code = "regions.bad_file"

    def __init__(self, message: str, *, file: str = "", line: int | None = None) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(
            f"{where}: {message}" if where else message,
            details={"file": file, "line": line, "reason": message},
        )
        self.file = file
        self.line = line


class OlderYearError(DomainError):
    """Importing a year older than the one already loaded would undo boundary changes."""

    code = "regions.older_year"
    http_status = 409


class UrbanRuralNotApplicable(DomainError):
    """Only community/village-level units carry an urban-rural flag."""

    code = "regions.urban_rural_not_applicable"
    http_status = 422
