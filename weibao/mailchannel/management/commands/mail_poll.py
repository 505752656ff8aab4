from django.core.management.base import BaseCommand, CommandError

from weibao.mailchannel.models import Mailbox
from weibao.mailchannel.services.imap import PollInProgress, poll


class Command(BaseCommand):
    help = "Fetch new mail from the contracts' IMAP mailboxes now (the worker does it every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="only this service-desk address")

    def handle(self, *args, **options):
        mailboxes = [m for m in Mailbox.objects.select_related("contract") if m.polls_imap]
        if options["mailbox"]:
            mailboxes = [m for m in mailboxes if m.address == options["mailbox"].lower()]
            if not mailboxes:
                raise CommandError(f"No active IMAP mailbox {options['mailbox']}")
        if not mailboxes:
            self.stdout.write("No mailbox has IMAP configured.")
            return
        failed = 0
        for mailbox in mailboxes:
            try:
                stored = poll(mailbox)
            except PollInProgress:
                self.stdout.write(f"{mailbox.address}: another poll is running, skipped")
                continue
            mailbox.refresh_from_db()
            if mailbox.last_poll_error:
                failed += 1
                self.stderr.write(f"{mailbox.address}: {mailbox.last_poll_error}")
            else:
                self.stdout.write(f"{mailbox.address}: {stored} new message(s) stored")
        if failed:
            raise CommandError(f"{failed} mailbox(es) could not be polled")
