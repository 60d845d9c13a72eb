"""The reference for bench.load: a bare Flask app answering "Hello, World!", served the same way."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
