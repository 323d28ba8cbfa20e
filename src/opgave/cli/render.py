"""How the command line shows things: tables that fold instead of cutting ids, the words of
the vocabularies instead of their codes (:mod:`opgave.i18n`), an area given as argument or
``--area``, and network and port problems in one line."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING

from opgave.cli import console, current_words, fail

if TYPE_CHECKING:  # Rich loads when a table is shown, not when a command registers
    from rich.table import Column, Table

    from opgave.cli.words import Words


def word(vocabulary: str, code: str | None) -> str:
    """The word for a vocabulary code in the command's language ('strategy_region' ->
    'urbanisation strategy region', 'verstedelijkingsstrategie')."""
    return current_words().word(vocabulary, code)


def words(vocabulary: str, codes: Iterable[str]) -> str:
    """Several codes as words, comma separated."""
    return ", ".join(word(vocabulary, c) for c in codes)


ID_WIDTH = 32
"""Columns whose cells are all single words up to this long (ids, codes, numbers) keep them
on one line where the terminal leaves room; the other columns give way."""
OTHER_WIDTH = 8
"""The room left for each other column when id columns are kept whole."""


def show(table: Table) -> None:
    """Print a table whose cells fold onto the next line where the terminal is too narrow -
    never cut off with '...' - and whose id columns (left first) keep each id whole on one
    line as far as the terminal's width allows, so that the id the next command needs can be
    copied."""
    from rich.text import Text

    ids: list[tuple[Column, int]] = []
    for column in table.columns:
        column.overflow = "fold"
        plain = [Text.from_markup(c).plain for c in column._cells if isinstance(c, str)]
        if plain and all(p and " " not in p and "\n" not in p for p in plain):
            widest = max(len(p) for p in plain)
            if widest <= ID_WIDTH:
                ids.append((column, widest))
    room = (
        console.width - 3 * len(table.columns) - 1 - OTHER_WIDTH * (len(table.columns) - len(ids))
    )
    for column, widest in ids:
        if widest > room:
            break
        column.min_width = max(widest, column.min_width or 0)
        room -= widest
    console.print(table)


def choices(values: Iterable[str], w: Words | None = None) -> str:
    """Allowed values: 'a, b or c' (help texts, English), 'a, b of c' in the words of ``w``."""
    items = list(values)
    last = w("or") if w is not None else "or"
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def one_area(positional: str | None, option: str | None, default: str | None = None) -> str | None:
    """The area of a command that takes it as argument or as ``--area`` (either, not two
    different ones)."""
    if positional and option and positional != option:
        raise fail(current_words()("two_areas", area=positional, option=option))
    return positional or option or default


def port_problem(host: str, port: int, w: Words | None = None) -> str | None:
    """Why ``opgave serve`` cannot listen on host:port, in one line in the words of ``w``
    (the command's language when not given); None: it can."""
    w = w or current_words()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return w("port_no_address", host=host)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return w("port_in_use", port=port, host=host)
            if error.errno == errno.EACCES:
                return w("port_no_permission", port=port)
            if error.errno == errno.EADDRNOTAVAIL:
                return w("port_no_address", host=host)
            return w("port_other", host=host, port=port, error=error.strerror or error)
    return None
