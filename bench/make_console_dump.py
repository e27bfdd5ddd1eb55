"""Writes a synthetic browser console dump of N megabytes for bench/explain_10mb.sh."""
import random
import sys

path, megabytes = sys.argv[1], float(sys.argv[2])
random.seed(7)
noise = [
    "{t} [HMR] connected",
    "{t} Navigated to http://localhost:3000/dashboard?tab={n}",
    "{t} GET http://localhost:8080/api/items/{n} net::ERR_FAILED",
    "{t} Uncaught (in promise) TypeError: Failed to fetch",
    "    at loadItems (app.js:{n}:5)",
    "    at async Promise.all (index {n})",
    "{t} Download the React DevTools for a better development experience: https://reactjs.org/link/react-devtools",
    "{t} Warning: Each child in a list should have a unique \"key\" prop. Check the render method of `Table{n}`.",
    "{t} [vite] hot updated: /src/components/Row{n}.tsx",
]
cors = [
    "{t} Access to fetch at 'https://api.example.com/v1/items/{n}' from origin 'http://localhost:3000' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    "{t} Access to XMLHttpRequest at 'https://api.example.com/v1/items/{n}' from origin 'http://localhost:3000' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'http://localhost:3000/' that is not equal to the supplied origin.",
    "{t} Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/v1/items/{n}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404.",
    "[Error] Request header field X-Request-Id is not allowed by Access-Control-Allow-Headers.",
]
size = int(megabytes * 1024 * 1024)
written = 0
with open(path, "w", encoding="utf-8") as out:
    i = 0
    while written < size:
        i += 1
        pool = cors if i % 20 == 0 else noise
        line = random.choice(pool).format(t=f"12:{i // 3600 % 60:02}:{i % 60:02}.{i % 1000:03}", n=i) + "\n"
        out.write(line)
        written += len(line.encode("utf-8"))
