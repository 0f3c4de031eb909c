"""The web console: its static files (`console/static/`) and the server `make run` uses
(`console/server.py`)."""
