"""A small document store API: JSON documents kept as PostgreSQL JSONB (MongoDB is not in Debian).

POST /api/docs          store the JSON object in the body; 201 {"_id": "<uuid>"}
GET  /api/docs/<id>     the document, with its "_id"; 404 when there is none
GET  /api/docs?k=v      the documents containing {"k": "v"} (JSONB containment, GIN-indexed)
"""
import os
import time
import uuid

import psycopg2
from psycopg2.extras import Json
from flask import Flask, jsonify, request

app = Flask(__name__)


def password():
    """The database password: the first line of the secret file."""
    with open(os.environ.get("DB_PASSWORD_FILE", "/run/secrets/db_password"), encoding="utf-8") as f:
        return f.readline().strip()


def connect(retries=20):
    while True:
        try:
            return psycopg2.connect(
                host=os.environ.get("DB_HOST", "db"),
                dbname=os.environ.get("DB_NAME", "docs"),
                user="postgres",
                password=password(),
                connect_timeout=3,
            )
        except psycopg2.OperationalError:
            if retries == 0:
                raise
            retries -= 1
            time.sleep(0.5)


def query(sql, args=()):
    """Run one statement in its own transaction; the rows it returns (empty when none)."""
    conn = connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


# Once, in gunicorn's master (--preload), before the workers fork.
query(
    "CREATE TABLE IF NOT EXISTS docs ("
    " id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
    " body jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),"
    " created timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX IF NOT EXISTS docs_body ON docs USING gin (body jsonb_path_ops)"
)


@app.route("/healthz")
def healthz():
    return "ok\n"


@app.post("/api/docs")
def create():
    doc = request.get_json(silent=True)
    if not isinstance(doc, dict):
        return jsonify(error="the body must be a JSON object"), 400
    doc.pop("_id", None)
    (row,) = query("INSERT INTO docs (body) VALUES (%s) RETURNING id", (Json(doc),))
    return jsonify(_id=str(row[0])), 201, {"Location": f"/api/docs/{row[0]}"}


@app.get("/api/docs/<doc_id>")
def read(doc_id):
    try:
        rows = query("SELECT body FROM docs WHERE id = %s", (str(uuid.UUID(doc_id)),))
    except ValueError:
        rows = []
    if not rows:
        return jsonify(error=f"no document {doc_id}"), 404
    return jsonify({"_id": doc_id, **rows[0][0]})


@app.get("/api/docs")
def find():
    rows = query(
        "SELECT id, body FROM docs WHERE body @> %s ORDER BY created, id",
        (Json(request.args.to_dict()),),
    )
    return jsonify([{"_id": str(i), **body} for i, body in rows])
