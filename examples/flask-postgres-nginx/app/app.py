"""A Flask page whose content comes from PostgreSQL; the password is a compose secret."""
import html
import os
import time

import psycopg2
from flask import Flask

app = Flask(__name__)

GREETINGS = ["Hello from PostgreSQL", "Served by gunicorn", "Proxied by nginx"]


def password():
    """The database password: the first line of the secret file."""
    with open(os.environ.get("DB_PASSWORD_FILE", "/run/secrets/db_password"), encoding="utf-8") as f:
        return f.readline().strip()


def connect(retries=10):
    while True:
        try:
            return psycopg2.connect(
                host=os.environ.get("DB_HOST", "db"),
                user="postgres",
                dbname="postgres",
                password=password(),
                connect_timeout=3,
            )
        except psycopg2.OperationalError:
            if retries == 0:
                raise
            retries -= 1
            time.sleep(0.5)


@app.route("/healthz")
def healthz():
    return "ok\n"


@app.route("/")
def index():
    with connect() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS greetings (id serial PRIMARY KEY, text text NOT NULL UNIQUE)")
        cur.executemany("INSERT INTO greetings (text) VALUES (%s) ON CONFLICT DO NOTHING", [(g,) for g in GREETINGS])
        cur.execute("SELECT text FROM greetings ORDER BY id")
        rows = [r[0] for r in cur.fetchall()]
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    conn.close()
    items = "".join(f"<li>{html.escape(r)}</li>" for r in rows)
    return (
        "<!doctype html><title>flask-postgres-nginx</title>"
        f"<h1>Flask + PostgreSQL {html.escape(version)}</h1><ul>{items}</ul>\n"
    )
