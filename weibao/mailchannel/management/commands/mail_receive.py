import asyncio

from django.core.management.base import BaseCommand

from weibao.mailchannel.receiver import django_receiver


class Command(BaseCommand):
    help = (
        "Receive mail for the service-desk addresses over LMTP (default) or SMTP, "
        "e.g. from Postfix: mailbox_transport = lmtp:inet:127.0.0.1:2424"
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2424)
        parser.add_argument("--smtp", action="store_true", help="speak SMTP instead of LMTP")
        parser.add_argument("--hostname", default=None, help="name in the greeting")

    def handle(self, *args, **options):
        receiver = django_receiver(lmtp=not options["smtp"], hostname=options["hostname"])
        protocol = "SMTP" if options["smtp"] else "LMTP"

        async def main():
            server = await receiver.serve(options["host"], options["port"])
            self.stdout.write(f"Weibao {protocol} receiver on {options['host']}:{options['port']}")
            async with server:
                await server.serve_forever()

        try:
            asyncio.run(main())
        except KeyboardInterrupt:
            pass
