"""SMS backends: the development log and the HTTP gateway (against a local server, no network)."""
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from feedback.config import ConfigurationError
from feedback.ratings.sms import HttpGatewayBackend, LoggingBackend, SmsBackend, SmsError, get_backend


class Gateway:
    """A local HTTP server that records what it receives and answers with a chosen status."""

    def __init__(self):
        self.requests = []
        self.status = 200
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                time.sleep(gateway.delay)
                payload = b'{"ok": true}'
                try:
                    self.send_response(gateway.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def gateway():
    with Gateway() as gateway:
        yield gateway


def test_http_backend_posts_json_with_the_token(gateway):
    HttpGatewayBackend(gateway.url, token="s3cret").send("+996555123456", "Код: 123456")
    [received] = gateway.requests
    assert received["path"] == "/sms/send"
    assert received["headers"]["Authorization"] == "Bearer s3cret"
    assert received["headers"]["Content-Type"].startswith("application/json")
    assert json.loads(received["body"].decode("utf-8")) == {"to": "+996555123456", "text": "Код: 123456"}


def test_http_backend_without_token_sends_no_authorization(gateway):
    HttpGatewayBackend(gateway.url).send("+996555123456", "x")
    assert "Authorization" not in gateway.requests[0]["headers"]


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_http_backend_raises_on_error_status(gateway, status):
    gateway.status = status
    with pytest.raises(SmsError, match=str(status)):
        HttpGatewayBackend(gateway.url).send("+996555123456", "x")


def test_http_backend_raises_on_non_2xx_success_class(gateway):
    gateway.status = 204
    HttpGatewayBackend(gateway.url).send("+996555123456", "x")  # 204 is fine
    gateway.status = 302
    with pytest.raises(SmsError):
        HttpGatewayBackend(gateway.url).send("+996555123456", "x")


def test_http_backend_raises_when_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more.
    with pytest.raises(SmsError):
        HttpGatewayBackend(f"http://127.0.0.1:{port}/", timeout=2).send("+996555123456", "x")


def test_http_backend_raises_on_timeout(gateway):
    gateway.delay = 1.0
    with pytest.raises(SmsError):
        HttpGatewayBackend(gateway.url, timeout=0.2).send("+996555123456", "x")


def test_http_backend_refuses_other_schemes():
    with pytest.raises(ConfigurationError):
        HttpGatewayBackend("file:///etc/passwd")


def test_logging_backend_logs_the_code_but_not_the_whole_number(app, caplog):
    caplog.set_level(logging.INFO, logger=app.logger.name)
    LoggingBackend().send("+996555123456", "Код: 654321")
    assert "654321" in caplog.text
    assert "+996555123456" not in caplog.text
    assert "456" in caplog.text


def test_get_backend_by_configuration(app, monkeypatch):
    monkeypatch.delitem(app.config, "SMS_BACKEND", raising=False)
    assert isinstance(get_backend(app), LoggingBackend)

    monkeypatch.setitem(app.config, "SMS_BACKEND", "http")
    monkeypatch.delitem(app.config, "SMS_GATEWAY_URL", raising=False)
    with pytest.raises(ConfigurationError):
        get_backend(app)

    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", "https://sms.example.kg/send")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", "t0ken")
    backend = get_backend(app)
    assert isinstance(backend, HttpGatewayBackend)
    assert (backend.url, backend.token, backend.timeout) == ("https://sms.example.kg/send", "t0ken", 10)

    monkeypatch.setitem(app.config, "SMS_BACKEND", "carrier-pigeon")
    with pytest.raises(ConfigurationError):
        get_backend(app)

    class Recorder(SmsBackend):
        def send(self, phone_e164, text):
            self.sent = (phone_e164, text)

    custom = Recorder()
    monkeypatch.setitem(app.config, "SMS_BACKEND", custom)
    assert get_backend(app) is custom
