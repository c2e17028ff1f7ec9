"""gunicorn's settings for Regulus: `gunicorn -c python:regulus.gunicorn_conf regulus.wsgi`.

The access log leaves out query strings (a search may carry a person's name or ID number),
and writes what a URL or a header carries escaped: a CR, LF or NUL in a path never starts
a line of its own (regulus.core.logsafe). Binding, workers and the log files are given on
the command line (scripts/demo.sh, docs/install.md)."""

logger_class = "regulus.core.logsafe.GunicornLogger"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
