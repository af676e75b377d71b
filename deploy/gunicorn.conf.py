"""gunicorn settings for one app server (README, "Production"). Every value can be overridden from
the environment; the app itself reads its configuration from FEEDBACK_* variables."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threads: a request mostly waits for the database; each worker serves a few at once.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (a leak never grows for long); jitter so they do not restart together.
max_requests = 2000
max_requests_jitter = 200
# nginx in front sets X-Forwarded-*; the app trusts them only from FEEDBACK_TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# No client address and no query string in the access log (personal data stays out of logs).
access_log_format = '- %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
