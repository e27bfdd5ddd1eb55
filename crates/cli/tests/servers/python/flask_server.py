"""Runs the Flask configuration `cors-doctor config --target flask` wrote
(SNIPPET: code that uses `app`) with test routes: …/missing answers 404,
…/fail raises (Flask's own 500), the rest 200.
Usage: PORT=… SNIPPET=file python3 flask_server.py"""
import logging
import os

from flask import Flask, abort

app = Flask(__name__)
exec(open(os.environ["SNIPPET"]).read(), {"app": app})


@app.route("/<path:path>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
def anything(path):
    if path.endswith("/missing"):
        abort(404)
    if path.endswith("/fail"):
        raise RuntimeError("boom")
    return "ok", 200, {"X-Request-Id": "42"}


logging.getLogger("werkzeug").setLevel(logging.ERROR)
app.run(host="127.0.0.1", port=int(os.environ["PORT"]))
