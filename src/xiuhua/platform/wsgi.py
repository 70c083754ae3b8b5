"""WSGI entry point (waitress in `xiuhua serve`, gunicorn in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiuhua.platform.settings")
application = get_wsgi_application()
