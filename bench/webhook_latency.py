"""Median time of the SMS webhook in-process (Flask test client), over N signed "HELP" messages, with
a gateway that takes GATEWAY_SECONDS per send.

    DATABASE_URL=postgresql://… [REDIS_URL=redis://…/14] python bench/webhook_latency.py [N]

Prints the median and p95 of the time to the response and of the time until the response is closed
(where a delivery after the response, ``call_on_close``, runs: the gunicorn worker is busy that long).
Use a scratch database (it adds inbound and outbound messages) with short codes (`flask channels short-codes`).
"""
import json
import statistics
import sys
import time
import uuid

from feedback import create_app
from feedback.channels.sms_views import signature
from feedback.ratings.sms import SmsBackend

GATEWAY_SECONDS = 0.05
SECRET = "bench-secret"


class SlowGateway(SmsBackend):
    def send(self, phone_e164, text):
        time.sleep(GATEWAY_SECONDS)


def main(n: int = 200) -> None:
    app = create_app({"SECRET_KEY": "bench-secret-key", "RATELIMIT_ENABLED": False, "SMS_WEBHOOK_SECRET": SECRET,
                      "SMS_BACKEND": SlowGateway(), "RQ_QUEUE": f"bench-{uuid.uuid4().hex[:6]}"})
    client = app.test_client()
    answered, closed = [], []
    for i in range(n + 10):
        raw = json.dumps({"id": f"bench-{uuid.uuid4().hex}", "from": f"+99655{i % 1000:07d}", "text": "HELP"}).encode()
        stamp = str(int(time.time()))
        started = time.perf_counter()
        response = client.post("/channels/sms/inbound", data=raw, content_type="application/json",
                               headers={"X-Timestamp": stamp, "X-Signature": "sha256=" + signature(SECRET, stamp, raw)})
        middle = time.perf_counter()
        response.close()
        end = time.perf_counter()
        assert response.status_code == 200, response.get_data(as_text=True)
        if i >= 10:  # warm-up
            answered.append((middle - started) * 1000)
            closed.append((end - started) * 1000)
    for name, values in (("to the response", answered), ("until closed", closed)):
        values.sort()
        print(f"{name}: median {statistics.median(values):.1f} ms, p95 {values[int(len(values) * 0.95)]:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
