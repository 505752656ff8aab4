"""Queries built and compiled once, run again with other ids (decision 0034).

An ORM query on a page costs 0.4–1.5 ms of Python, most of it building and compiling SQL
that is the same on every request but for an id; the database answers in a fraction of
that (decision 0033). A ``Statement`` takes the function that builds the query from its
ids, builds and compiles it once per thread with stand-in ids, notes where the stand-ins
landed in the parameters, and from then on runs the same SQL with the request's ids in
their place. It is compiled twice, with two sets of stand-ins, and refused unless the SQL
is the same and the parameters differ exactly where the ids go: a value that changes
between builds (the time), a list whose length follows an id or an id used in another
form (``id + 1``, ``%id%``) would otherwise be compiled in. Rows come back as the query's ``values_list`` would give
them (the fields' converters applied).

For queries whose shape depends only on ids (a contract's, a ticket's): a query whose
SQL changes with a value (a list of variable length, an optional filter) is not one. An
argument named in ``texts`` is a text compared as it is (an API token's hash): its
stand-ins are texts, and it is bound only from a ``str``.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Stand-ins for the ids while a query is compiled: never real ids (ids are positive), far
# apart, two sets (see compile_with_stand_ins).
_STAND_INS = ((-918_273_645, -827_364_519, -736_455_193), (-618_273_641, -527_364_513, -436_455_197))
# Text stand-ins carry what a lookup would escape, fold or trim (%, _, \, capitals, edge
# spaces): a lookup that does not put its text into the SQL as given changes them, and
# the statement is refused (SQLite's iexact escapes %, for one).
_TEXT_STAND_INS = tuple(tuple(f" \u27e6Stand-In {group}{n} %_\\\u27e7 " for n in range(3)) for group in "AB")
_ID_MIN, _ID_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int, type], ...]  # (parameter position, id argument, int or str)
    compiler: object
    texts: frozenset[int] = frozenset()  # the arguments that are texts, not ids

    def bind(self, ids: tuple) -> list | None:
        """The parameters with ``ids`` in place; None when no row can have them (None, an
        integer beyond 64 bits: the ORM answers "none" to those). Ids are integers, parsed
        by the caller (core.params for a request's values), and the arguments named in
        ``texts`` are ``str``: anything else is a mistake."""
        bound = list(self.params)
        for position, argument, kind in self.slots:
            value = ids[argument]
            if value is None:
                return None
            if argument in self.texts:
                if not isinstance(value, str):
                    raise TypeError(f"argument {argument} is a text, not {type(value).__name__}")
                bound[position] = value
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"an id is an integer, not {type(value).__name__}")
            if not _ID_MIN <= value <= _ID_MAX:
                return None
            bound[position] = kind(value)
        return bound


def compile_with_stand_ins(build: Callable[..., QuerySet], arity: int, alias: str,
                           texts: frozenset[int] = frozenset()) -> Compiled:
    """``build(*ids)`` compiled for ``alias`` with stand-in ids, and where each id goes:
    as an integer, or as its text where it is compared with a text column. The arguments
    at the positions in ``texts`` are texts, given text stand-ins."""
    sets = [tuple(text[i] if i in texts else number[i] for i in range(arity))
            for number, text in zip(_STAND_INS, _TEXT_STAND_INS, strict=True)]
    first, second = (_compiled_with(build, stand_ins, alias) for stand_ins in sets)
    (compiler, sql, params), (_, other_sql, other_params) = first, second
    slots = []
    for position, value in enumerate(params):
        for argument, stand_in in enumerate(sets[0]):
            if argument in texts:
                if isinstance(value, str) and value == stand_in:
                    slots.append((position, argument, str))
            elif value == stand_in and isinstance(value, int):
                slots.append((position, argument, int))
            elif value == str(stand_in):
                slots.append((position, argument, str))
    named = getattr(build, "__name__", build)
    missing = set(range(arity)) - {argument for _, argument, _ in slots}
    if missing:
        raise ValueError(f"{named!r} does not put id argument(s) {sorted(missing)} into its SQL as they are")
    bound = {position for position, _, _ in slots}
    if other_sql != sql or len(other_params) != len(params) or any(
        params[position] != other_params[position] for position in range(len(params)) if position not in bound
    ):
        raise ValueError(f"{named!r} builds SQL that changes with its ids or between builds: not a statement")
    if compiler.has_extra_select:
        raise ValueError(f"{named!r} selects columns it does not return (an ordering outside DISTINCT)")
    return Compiled(sql, tuple(params), tuple(slots), compiler, frozenset(texts))


def _compiled_with(build, stand_ins: tuple, alias: str):
    compiler = build(*stand_ins).query.get_compiler(alias)
    sql, params = compiler.as_sql()
    return compiler, sql, list(params)


class Statement:
    """``Statement(build)``, then ``rows(*ids)``: what ``build(*ids)`` would return, as rows.
    ``texts``: the names of ``build``'s arguments that are texts, not ids."""

    def __init__(self, build: Callable[..., QuerySet], *, using: str = "default", texts: tuple[str, ...] = ()):
        self.build = build
        names = list(inspect.signature(build).parameters)
        unknown = set(texts) - set(names)
        if unknown:
            raise TypeError(f"no argument named {sorted(unknown)}")
        self.arity = len(names)
        self.texts = frozenset(names.index(name) for name in texts)
        self.using = using
        # Per thread: a compiler holds its thread's connection (the converters read it).
        self._local = threading.local()

    def compiled(self) -> Compiled:
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = self._local.compiled = compile_with_stand_ins(self.build, self.arity, self.using, self.texts)
        return compiled

    def rows(self, *ids) -> list[tuple]:
        """The rows, for a ``values_list`` query."""
        compiled = self.compiled()
        return list(compiled.compiler.results_iter(results=[self._fetch(compiled, ids)], tuple_expected=True))

    def objects(self, *ids) -> list:
        """The model instances, with their ``select_related`` objects, for a query of a
        model: what iterating ``build(*ids)`` would give (Django's ModelIterable, on rows
        already fetched; no prefetching)."""
        compiled = self.compiled()
        compiler = compiled.compiler
        klass_info, select = compiler.klass_info, compiler.select
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, self.using)
        found = []
        for row in compiler.results_iter(results=[self._fetch(compiled, ids)]):
            instance = model.from_db(self.using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in compiler.annotation_col_map.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def _fetch(self, compiled: Compiled, ids: tuple) -> list:
        if len(ids) != self.arity:
            raise TypeError(f"{self.arity} id(s) expected, {len(ids)} given")
        bound = compiled.bind(ids)
        if bound is None:
            return []
        with connections[self.using].cursor() as cursor:
            cursor.execute(compiled.sql, bound)
            return cursor.fetchall()
