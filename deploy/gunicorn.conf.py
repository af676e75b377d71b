"""gunicorn settings for one app server (README, "Production"). Every value can be overridden from
the environment; the app itself reads its configuration from FEEDBACK_* variables. `make bench` and
tests/test_two_servers.py serve with this file too (bench.gunicorn), so what is measured is what runs."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Sync workers: nginx in front reads a slow phone's request and response for the worker, which then
# spends its time on the request alone; gthread (4 threads) was no faster on the app's routes and
# slower on the bare one (docs/performance.md, session 26), and sync is what make bench measures.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# Recycle workers now and then (a leak never grows for long), rarely: a new worker imports the app
# (about 1.2 s of CPU) and refills its caches, so every 2,000 requests cut home to a sixth
# (docs/performance.md, session 26). Jitter: they do not restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1_000_000))
max_requests_jitter = max_requests // 10
# nginx in front sets X-Forwarded-*; the app trusts them only from FEEDBACK_TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# No client address and no query string in the access log (personal data stays out of logs).
access_log_format = '- %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
