"""Runs the FastAPI configuration `cors-doctor config --target fastapi`
wrote (SNIPPET: code that uses and rebinds `app`) with test routes:
…/missing answers 404, …/fail raises (Starlette's own 500), the rest 200.
Usage: PORT=… SNIPPET=file python3 fastapi_server.py"""
import os

import uvicorn
from fastapi import FastAPI, HTTPException, Response

app = FastAPI()


@app.api_route("/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
def anything(path: str):
    if path.endswith("/missing"):
        raise HTTPException(status_code=404)
    if path.endswith("/fail"):
        raise RuntimeError("boom")
    return Response("ok", headers={"X-Request-Id": "42"})


namespace = {"app": app}
exec(open(os.environ["SNIPPET"]).read(), namespace)
uvicorn.run(namespace["app"], host="127.0.0.1", port=int(os.environ["PORT"]), log_level="critical")
