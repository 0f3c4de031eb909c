"""The baseline: a bare Flask endpoint, served by gunicorn with the services' own settings.

Every row of the bench table is set beside this one, so the ratio shows what the platform
(logging, request ids, the token gate, the database) costs over Flask and gunicorn alone.
"""

from flask import Flask, jsonify

app = Flask("hr.bench.bare")


@app.get("/bare/health")
def health():
    return jsonify(status="ok")
