"""The yardstick: a bare Flask "hello" app, served by the same gunicorn settings as the kiosk."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
