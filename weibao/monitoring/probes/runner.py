"""The probe runner: one asyncio loop that claims due checks, starts each at its due time
under a concurrency bound, and flushes results in batches.

Database work runs on one dedicated thread (one connection); checks run on the loop.
Metrics (``weibao_probe_*``) go to the Prometheus client: with PROMETHEUS_MULTIPROC_DIR
they appear on the web's ``/metrics``; ``weibao probes --metrics-port`` serves them too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import aiohttp
from prometheus_client import Counter, Gauge, Histogram

from weibao.core import clock
from weibao.monitoring.probes import checks, store

log = logging.getLogger(__name__)

CHECKS = Counter("weibao_probe_checks_total", "Checks run by the probe runners", ["kind", "outcome"])
LAG = Histogram(
    "weibao_probe_lag_seconds", "Delay between a check's scheduled and actual start",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)
INFLIGHT = Gauge("weibao_probe_inflight", "Checks running now", multiprocess_mode="livesum")
STATE_CHANGES = Counter("weibao_probe_state_changes_total", "Monitors that went up or down")
FLUSH_ERRORS = Counter("weibao_probe_flush_errors_total", "Result batches that could not be stored (retried)")


@dataclass
class Settings:
    concurrency: int = 500
    batch: int = 2000  # checks claimed per round
    # Seconds: claim what is due this soon, so a slow claim does not make checks late. Below
    # the shortest interval (10 s), so a dead runner holds at most one claimed check each.
    lookahead: float = 5.0
    # Seconds between claims, drawn afresh each round between half and one and a half
    # times this: runners polling in lockstep would leave nearly all the work to whichever
    # polls first, since each claim takes everything due within the lookahead.
    poll: float = 0.5
    flush_every: float = 1.0
    max_buffer: int = 50_000  # results kept when the database is away, then the oldest dropped


@dataclass
class Stats:
    checks: int = 0
    failures: int = 0
    lags: list = field(default_factory=list)  # seconds, for the benchmark


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Runner:
    def __init__(self, name: str | None = None, settings: Settings | None = None, *, keep_lags: bool = False):
        self.name = name or default_name()
        self.settings = settings or Settings()
        self.stats = Stats()
        self.keep_lags = keep_lags
        self.buffer: list = []
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="probes-db")
        self._stopping = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()

    def stop(self) -> None:
        self._stopping.set()

    async def _db_call(self, func, *args):
        return await asyncio.get_running_loop().run_in_executor(self._db, func, *args)

    async def run(self, until: float | None = None) -> Stats:
        """Run until ``stop()`` (or ``until`` seconds of loop time have passed)."""
        loop = asyncio.get_running_loop()
        ends = loop.time() + until if until is not None else None
        semaphore = asyncio.Semaphore(self.settings.concurrency)
        connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300, enable_cleanup_closed=True)
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as session:
            flusher = asyncio.create_task(self._flush_loop())
            try:
                while not self._stopping.is_set() and (ends is None or loop.time() < ends):
                    started = loop.time()
                    await self._claim_round(session, semaphore)
                    pause = self.settings.poll * random.uniform(0.5, 1.5)  # noqa: S311 - spreading, not secrecy
                    await self._sleep(pause - (loop.time() - started))
            finally:
                self._stopping.set()
                if self._tasks:
                    await asyncio.gather(*self._tasks, return_exceptions=True)
                await flusher
                await self._flush()
        self._db.shutdown(wait=True)
        return self.stats

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def _claim_round(self, session, semaphore) -> None:
        loop = asyncio.get_running_loop()
        now = clock.now()
        horizon = now + dt.timedelta(seconds=self.settings.lookahead)
        try:
            claimed = await self._db_call(store.claim, self.name, now, horizon, self.settings.batch)
        except Exception:  # noqa: BLE001 - the database may be restarting: claim again later
            log.warning("probe runner %s could not claim checks", self.name, exc_info=True)
            return
        base_loop, base_wall = loop.time(), clock.now()
        for spec, due in claimed:
            spec.due = base_loop + (due - base_wall).total_seconds()
            task = asyncio.create_task(self._run_one(spec, due, session, semaphore))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run_one(self, spec: checks.Spec, due: dt.datetime, session, semaphore) -> None:
        loop = asyncio.get_running_loop()
        delay = spec.due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        async with semaphore:
            lag = max(0.0, loop.time() - spec.due)
            started_at = clock.now()
            INFLIGHT.inc()
            try:
                result = await checks.run(spec, session, started_at)
            finally:
                INFLIGHT.dec()
        LAG.observe(lag)
        CHECKS.labels(spec.kind, "ok" if result.ok else "fail").inc()
        self.stats.checks += 1
        self.stats.failures += 0 if result.ok else 1
        if self.keep_lags:
            self.stats.lags.append(lag)
        self.buffer.append((spec.id, result, started_at, round(lag * 1000)))

    async def _flush_loop(self) -> None:
        while not self._stopping.is_set():
            await self._sleep(self.settings.flush_every)
            await self._flush()

    async def _flush(self) -> None:
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        try:
            changes = await self._db_call(store.flush, batch, self.name)
            STATE_CHANGES.inc(changes)
        except Exception:  # noqa: BLE001 - kept and retried: results are not dropped on a blip
            FLUSH_ERRORS.inc()
            log.warning("probe runner %s could not store %d results; retrying", self.name, len(batch), exc_info=True)
            self.buffer = (batch + self.buffer)[-self.settings.max_buffer:]


def run_forever(name: str | None = None, settings: Settings | None = None) -> None:
    """Blocking entry point of ``weibao probes``: stops cleanly on SIGTERM / SIGINT."""
    runner = Runner(name, settings)

    async def main():
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, runner.stop)
        await runner.run()

    log.info("probe runner %s starting", runner.name)
    started = time.monotonic()
    asyncio.run(main())
    log.info("probe runner %s stopped after %.0f s, %d checks", runner.name, time.monotonic() - started,
             runner.stats.checks)
