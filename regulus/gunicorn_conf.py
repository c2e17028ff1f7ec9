"""gunicorn's settings for Regulus: `regulus serve` (core/management/commands/serve.py) runs
`gunicorn -c python:regulus.gunicorn_conf regulus.wsgi` with the binding, workers and log
files on the command line.

The access log leaves out query strings (a search may carry a person's name or ID number),
and writes what a URL or a header carries escaped: a CR, LF or NUL in a path never starts
a line of its own (regulus.core.logsafe). With REGULUS_LOG_FORMAT=json (the default) each
line is a JSON object carrying the request's id (X-Request-ID)."""

logger_class = "regulus.core.logsafe.GunicornLogger"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'
# A request that takes longer is a bug or an attack: long work (imports, exports) runs in the
# task worker, never in a request. The master replaces a worker stuck past it.
timeout = 60
# SIGTERM (systemctl stop, a deploy) lets the requests under way finish within this.
graceful_timeout = 30
# A worker is replaced after this many requests (with jitter, not all at once), so that a
# slow leak in a library never grows without bound.
max_requests = 5000
max_requests_jitter = 500
# Request-rate and latency metrics: gunicorn's statsd output (`--statsd-host`), docs/deploy.
