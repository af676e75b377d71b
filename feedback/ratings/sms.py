"""Sending SMS: a small interface, a development backend that logs, and an HTTP gateway backend.

Kyrgyz operators and aggregators all offer some HTTP API; rather than bind the app to one, the
gateway backend posts a neutral JSON body ``{"to": "+996…", "text": "…"}`` that a thin adapter at
the provider (or the provider itself) accepts.
"""
import json
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from urllib.parse import urlsplit

from flask import Flask, current_app

from ..config import ConfigurationError


class SmsError(RuntimeError):
    """The message could not be handed over to the gateway."""


class SmsBackend(ABC):
    """Where one-time codes go: a development log, or an HTTP gateway."""

    @abstractmethod
    def send(self, phone_e164: str, text: str) -> None:
        """Hand the text over for delivery, or raise SmsError."""


def mask_phone(phone_e164: str) -> str:
    """Enough of the number to tell messages apart in a log, not enough to identify anyone."""
    return phone_e164[:4] + "*" * max(len(phone_e164) - 7, 0) + phone_e164[-3:]


class LoggingBackend(SmsBackend):
    """Development: the message (with its code) goes to the application log instead of a phone."""

    def send(self, phone_e164: str, text: str) -> None:
        current_app.logger.info("SMS to %s: %s", mask_phone(phone_e164), text)


class HttpGatewayBackend(SmsBackend):
    def __init__(self, url: str, token: str | None = None, timeout: float = 10):
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigurationError("SMS_GATEWAY_URL must be an http(s) URL")
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, phone_e164: str, text: str) -> None:
        body = json.dumps({"to": phone_e164, "text": text}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsError(f"the SMS gateway answered {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SmsError(f"the SMS gateway could not be reached: {exc}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"the SMS gateway answered {status}")


def get_backend(app: Flask) -> SmsBackend:
    """The backend named by SMS_BACKEND: "log" (default) or "http" (needs SMS_GATEWAY_URL).

    A ready SmsBackend instance in SMS_BACKEND is used as it is (tests, custom providers).
    """
    choice = app.config.get("SMS_BACKEND") or "log"
    if isinstance(choice, SmsBackend):
        return choice
    if choice == "log":
        return LoggingBackend()
    if choice == "http":
        url = app.config.get("SMS_GATEWAY_URL")
        if not url:
            raise ConfigurationError("SMS_BACKEND=http needs SMS_GATEWAY_URL")
        token = app.config.get("SMS_GATEWAY_TOKEN")
        return HttpGatewayBackend(str(url), token=str(token) if token else None,
                                  timeout=float(app.config.get("SMS_GATEWAY_TIMEOUT", 10)))
    raise ConfigurationError(f"unknown SMS_BACKEND {choice!r}: use 'log' or 'http'")
