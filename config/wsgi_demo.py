"""WSGI entry for `make demo`: the demo settings (local SQLite, DEBUG off), served by granian.

The Makefile exports ``DJANGO_SETTINGS_MODULE=config.settings.dev`` for its management commands;
the server itself always runs the demo settings unless another module was chosen on purpose.
"""

import os

from django.core.wsgi import get_wsgi_application

DEMO_SETTINGS = "config.settings.demo"

if os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.dev") == "config.settings.dev":
    os.environ["DJANGO_SETTINGS_MODULE"] = DEMO_SETTINGS
application = get_wsgi_application()
