"""Checking uploaded documents: moved to ``npohub.core.uploads`` (annual reports take
attachments too); re-exported here for the registration services that import it."""

from npohub.core.uploads import ACCEPTED, CheckedFile, check_upload, sniff

__all__ = ["ACCEPTED", "CheckedFile", "check_upload", "sniff"]
