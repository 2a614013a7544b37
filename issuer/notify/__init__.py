"""Notifications: the event outbox, webhooks (Standard Webhooks, https://www.standardwebhooks.com/)
and learner e-mail (SMTP, RFC 5321 https://www.rfc-editor.org/rfc/rfc5321).

* :mod:`.events` writes an event (and its webhook deliveries) in the caller's transaction;
* :mod:`.webhooks` registers endpoints and builds signed messages;
* :mod:`.dispatch` sends due deliveries with retries;
* :mod:`.mail` queues and sends learner e-mail.

Plain Python: time, ids and the network (a ``send`` function) are passed in; no Flask here.
"""
