"""gunicorn's access log (gunicorn.conf.py, swp/gunicorn_logging.py): one JSON object per line."""

import datetime
import json
import runpy
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

from swp.gunicorn_logging import JsonAccessLogger

CONF = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))


def access_line(path):
    config = Config()
    config.set("access_log_format", CONF["access_log_format"])
    logger = JsonAccessLogger(config)
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("X-Request-Id", 'abc"def')])
    request = SimpleNamespace(headers=[("USER-AGENT", "test")])
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": path}
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=42))
    return CONF["access_log_format"] % logger.atoms_wrapper_class(atoms)


def test_gunicorn_uses_the_json_logger():
    assert CONF["logger_class"] == "swp.gunicorn_logging.JsonAccessLogger"


def test_each_access_line_is_json():
    entry = json.loads(access_line("/actions/12/"))
    assert entry["path"] == "/actions/12/"
    assert (entry["method"], entry["status"], entry["duration_ms"]) == ("GET", 200, 42)


def test_a_path_with_quotes_backslashes_and_control_characters_stays_json():
    path = '/actions/"x"\\y\n\t\x07é'
    entry = json.loads(access_line(path))
    assert entry["path"] == path
    assert entry["request_id"] == 'abc"def'
