#!/usr/bin/env python3
"""A small rating service built like the seed projects, and not by Loadlevel: POST /ratings takes a
rating and answers 202 at once; a subscriber thread takes ratings off the service's own queue and
writes them to the service's own PostgreSQL table in batches (psycopg, not Loadlevel's sink). The
test of `loadlevel-cli run --verify-table` points Loadlevel at it.

    rating-service.py --port 18080 --db postgresql://… --table their_ratings [--lose-every N]
                      [--duplicate-every N] [--max-per-sec N]

--lose-every / --duplicate-every make the pipeline drop or double every N-th rating, so that a test
can see the verification find them. --max-per-sec answers 429 to ratings over N a second (a token
bucket holding a tenth of a second's worth), so that a capacity search has a known answer. Prints
"listening on PORT" once it takes requests.
"""
import argparse
import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--table", default="their_ratings")
    p.add_argument("--lose-every", type=int, default=0)
    p.add_argument("--duplicate-every", type=int, default=0)
    p.add_argument("--max-per-sec", type=float, default=0)
    args = p.parse_args()
    if not args.table.replace("_", "").isalnum():
        raise SystemExit("--table: letters, digits and _")

    with psycopg.connect(args.db, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {args.table} (id bigserial PRIMARY KEY, request_id text NOT NULL, "
            "user_id bigint NOT NULL, movie_id bigint NOT NULL, stars real NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT clock_timestamp())")

    ratings = queue.Queue()

    def subscriber():
        seen = 0
        with psycopg.connect(args.db) as conn:
            while True:
                batch = [ratings.get()]
                while len(batch) < 500:
                    try:
                        batch.append(ratings.get(timeout=0.02))
                    except queue.Empty:
                        break
                rows = []
                for r in batch:
                    seen += 1
                    if args.lose_every and seen % args.lose_every == 0:
                        continue
                    rows.append((r["requestId"], r["userId"], r["movieId"], r["stars"]))
                    if args.duplicate_every and seen % args.duplicate_every == 0:
                        rows.append(rows[-1])
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(
                        f"INSERT INTO {args.table} (request_id, user_id, movie_id, stars) VALUES (%s, %s, %s, %s)",
                        rows)

    threading.Thread(target=subscriber, daemon=True).start()

    bucket = {"tokens": args.max_per_sec / 10, "at": time.monotonic()}
    bucket_lock = threading.Lock()

    def admitted():
        if not args.max_per_sec:
            return True
        with bucket_lock:
            now = time.monotonic()
            depth = args.max_per_sec / 10
            bucket["tokens"] = min(depth, bucket["tokens"] + (now - bucket["at"]) * args.max_per_sec)
            bucket["at"] = now
            if bucket["tokens"] < 1:
                return False
            bucket["tokens"] -= 1
            return True

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

        def log_message(self, *a):
            pass

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            try:
                r = json.loads(self.rfile.read(length))
                rating = {"requestId": str(r["requestId"]), "userId": int(r["userId"]),
                          "movieId": int(r["movieId"]), "stars": float(r["stars"])}
            except (ValueError, KeyError, TypeError) as e:
                return self.answer(400, {"error": str(e)})
            if self.path != "/ratings":
                return self.answer(404, {"error": "not found"})
            if not admitted():
                return self.answer(429, {"error": f"over {args.max_per_sec:g} ratings a second"})
            ratings.put(rating)
            self.answer(202, {"accepted": rating["requestId"]})

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # the listen backlog: socketserver's default of 5 drops bursts of connects

    server = Server(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"listening on {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
