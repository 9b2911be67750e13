"""python-flask: a Flask app served by gunicorn (seed 003)."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello from python-flask!\n"


if __name__ == "__main__":
    print(app.test_client().get("/").get_data(as_text=True), end="")
