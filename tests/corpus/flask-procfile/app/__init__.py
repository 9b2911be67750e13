import os

from flask import Flask


def create_app():
    app = Flask(__name__)
    app.config["GREETING"] = os.environ.get("GREETING", "Hello from microblog")

    @app.get("/")
    def index():
        return f"{app.config['GREETING']}! user={os.getuid()}\n"

    return app
