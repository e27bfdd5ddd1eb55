"""Runs the Django settings `cors-doctor config --target django` wrote
(SNIPPET: settings code that extends INSTALLED_APPS and MIDDLEWARE) in a
one-file project with test views: …/missing answers 404, …/fail raises
(Django's own 500), the rest 200.
Usage: PORT=… SNIPPET=file python3 django_server.py"""
import os
import sys

from django.conf import settings

namespace = {
    "INSTALLED_APPS": ["django.contrib.contenttypes"],
    "MIDDLEWARE": ["django.middleware.common.CommonMiddleware"],
}
exec(open(os.environ["SNIPPET"]).read(), namespace)
settings.configure(
    DEBUG=False,
    SECRET_KEY="cors-doctor-test",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["*"],
    LOGGING_CONFIG=None,
    **{k: v for k, v in namespace.items() if k.isupper()},
)

import django  # noqa: E402
from django.http import Http404, HttpResponse  # noqa: E402
from django.urls import re_path  # noqa: E402

django.setup()


def anything(request, path):
    if path.endswith("/missing"):
        raise Http404()
    if path.endswith("/fail"):
        raise RuntimeError("boom")
    response = HttpResponse("ok")
    response["X-Request-Id"] = "42"
    return response


urlpatterns = [re_path(r"^(?P<path>.*)$", anything)]

from django.core.management import execute_from_command_line  # noqa: E402

sys.stderr = open(os.devnull, "w")
execute_from_command_line(["django_server", "runserver", "--noreload", f"127.0.0.1:{os.environ['PORT']}"])
