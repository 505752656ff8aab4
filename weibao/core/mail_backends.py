"""The demo's outgoing mail: one log line per message (who, subject), not the whole
message dumped on the terminal as Django's console backend does."""

from __future__ import annotations

import logging

from django.core.mail.backends.base import BaseEmailBackend

log = logging.getLogger("weibao.mail")


class OneLineConsoleBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            log.info("mail to %s: %s (%d bytes)", ", ".join(message.recipients()), message.subject,
                     len(message.message().as_bytes()))
        return len(email_messages)
