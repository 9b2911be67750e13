"""python-pipenv: a Flask notes app whose dependencies are locked by pipenv (seed 001)."""
from flask import Flask, jsonify

app = Flask(__name__)
NOTES = ["multi-stage builds keep build tools out of the image"]


@app.route("/notes")
def notes():
    return jsonify(NOTES)


if __name__ == "__main__":
    print(app.test_client().get("/notes").get_json()[0])
