"""The notifier: each new open alert of `marts.fct_alerts`, once, to the channels of ACORN_NOTIFY_CONFIG."""
