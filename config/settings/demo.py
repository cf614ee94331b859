"""The demo served by ``make demo`` (config/wsgi_demo.py): development data and database, but
DEBUG off, so visitors get the Chinese error pages instead of tracebacks and URL lists.

Static files are served by granian from ``var/static`` (collectstatic), not by Django.
"""

from .dev import *  # noqa: F403

DEBUG = False
