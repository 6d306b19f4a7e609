"""Datasette plugin (loaded with ``--plugins-dir``): errors and limits that cost nothing.

* **Errors** are answered with a Swedish page (or JSON) and print nothing: Datasette's own
  handler prints a traceback with locals for every 404 (with ``rich``, which a dependency
  installs), a second or more during which the server serves nothing else. It is
  unregistered and replaced by :func:`handle_exception`. A request the user got wrong (a
  sort by a column that does not exist …) is a 400, not a 500; a real fault of the server
  prints one line to stderr, never a traceback.
* **Size**: every connection refuses values longer than :data:`MAX_LENGTH` bytes and
  results wider than :data:`MAX_COLUMNS` columns (``sqlite3.Connection.setlimit``), so
  ``select randomblob(200000000)`` fails at once instead of filling the memory; the
  time limit (``sql_time_limit_ms``) and the row limit (``max_returned_rows``) are
  Datasette's settings.
* **Host**: a request whose ``Host`` header is not the address the server listens on
  (``127.0.0.1:<port>`` or ``localhost:<port>``) is refused with 400 before Datasette sees
  it, which closes DNS rebinding; Datasette builds absolute links from that header, so
  they name the served address.
* **Static files**: a file asked for under a static mount (``/gbg/…``) that is not there,
  or lies outside it, is a Swedish 404 (Datasette's own answer is English).
* **Methods**: only GET and HEAD reach Datasette; anything else is a 405 (the server is
  read-only, and Datasette answered a POST to a canned query with a 500).
"""

from __future__ import annotations

import sqlite3
import sys
import warnings
from pathlib import Path
from urllib.parse import unquote

from datasette import Response, hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError
from markupsafe import Markup

MAX_LENGTH = 20_000  # bytes of one value: six times the longest stored (3 234)
MAX_COLUMNS = 64  # columns of a result (the widest table has 26)
LOCAL_NAMES = ("127.0.0.1", "localhost")
MISSING_KEY = "You did not supply a value for binding parameter"
MISSING_KEY_SV = (
    "Adressen saknar en del av radens nyckel: en rad i den här tabellen anges med alla "
    "sina nyckelvärden, åtskilda med kommatecken."
)
# When one facet of a table page fails (?_facet=a column that does not exist, a 400),
# Datasette leaves the other facets' coroutines unawaited and Python prints a warning of
# four lines for each to the terminal; they are Datasette's, harmless, and not news.
warnings.filterwarnings(
    "ignore",
    message=r"coroutine '(\w+Facet\.facet_results|TableView\._data_traced\.<locals>\.\w+)' "
    r"was never awaited",
    category=RuntimeWarning,
)

if pm.has_plugin("datasette.handle_exception"):
    pm.unregister(name="datasette.handle_exception")  # it prints a traceback per error


def _status_and_message(exception: BaseException) -> tuple[int, str, str | None, bool]:
    """(status, message, title, message is HTML) of an exception, as the user should see."""
    if isinstance(exception, Base400):
        return exception.status, str(exception.args[0] if exception.args else ""), None, False
    if isinstance(exception, DatasetteError):
        # Datasette raises its errors with status 500 by default, but every one of them is
        # about the request (an unknown sort column, bad _size …): the user's, a 400.
        status = 400 if exception.status == 500 else exception.status
        return status, exception.message, exception.title, exception.message_is_html
    if isinstance(exception, sqlite3.DataError):
        # A value over the length limit, asked for in a table's filter (?_where=
        # randomblob(…)) rather than in the SQL box: the request's fault, like there.
        return 400, str(exception), "Ogiltig fråga", False
    if isinstance(exception, sqlite3.ProgrammingError) and str(exception).startswith(MISSING_KEY):
        # A row address with fewer key values than the table's key (/raw_lines/x for a
        # key of document and line): Datasette binds what is there and SQLite complains.
        return 400, MISSING_KEY_SV, None, False
    print(
        f"datasette: fel 500: {type(exception).__name__}: {exception}",
        file=sys.stderr,
        flush=True,
    )
    return 500, "Ett fel i servern. Försök igen eller starta om make browse.", None, False


@hookimpl(trylast=True)
def handle_exception(datasette, request, exception):  # noqa: ANN001, ANN201
    async def inner() -> Response:
        status, message, title, is_html = _status_and_message(exception)
        sv = datasette.jinja_env.filters.get("sv")  # plugins/svenska.py: Swedish words
        if sv is not None and not is_html:
            message, title = sv(message), sv(title)
        info = {"ok": False, "error": message, "status": status, "title": title}
        if request.path.split("?")[0].endswith(".json"):
            return Response.json(info, status=status)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        page = await template.render_async(
            dict(
                info,
                error=Markup(message) if is_html else message,
                urls=datasette.urls,
                app_css_hash=datasette.app_css_hash(),
                menu_links=lambda: [],
                extra_css_urls=[{"url": u} for u in datasette.metadata("extra_css_urls") or []],
            )
        )
        return Response.html(page, status=status)

    return inner


@hookimpl
def prepare_connection(conn) -> None:  # noqa: ANN001 - sqlite3.Connection
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)


def limits_text(time_limit_ms: int, max_rows: int) -> str:
    """The limits of a query, in Swedish (shown beside the SQL box)."""
    from lib.core.formats import number

    seconds = number(time_limit_ms / 1000)
    return (
        f"Gränser för en fråga: högst {seconds} sekunder, {number(max_rows)} rader per sida "
        f"och {number(MAX_LENGTH)} byte per värde."
    )


@hookimpl
def extra_template_vars(datasette):  # noqa: ANN001, ANN201
    return {
        "gbg_limits": limits_text(
            datasette.setting("sql_time_limit_ms"), datasette.setting("max_returned_rows")
        )
    }


def allowed_hosts(server: tuple[str, int | None] | None) -> set[str]:
    """The ``Host`` values naming the address the server listens on."""
    if not server:
        return set()
    host, port = server
    names = {host, *LOCAL_NAMES}
    allowed = {f"{name}:{port}" for name in names}
    if port in (80, None):
        allowed |= names
    return allowed


HOST_REFUSED = "Fel värdnamn (Host): den här servern svarar bara på sin egen adress."
METHOD_REFUSED = "Servern är skrivskyddad: den svarar bara på GET (läsa), inte på {method}."
READ_METHODS = ("GET", "HEAD")


async def _refuse(send, status: int, message: str) -> None:  # noqa: ANN001
    body = (message + "\n").encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    if status == 405:
        headers.append((b"allow", ", ".join(READ_METHODS).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def refusal(scope: dict) -> tuple[int, str] | None:
    """(status, message) when a request must not reach Datasette: a foreign ``Host``
    (DNS rebinding), or a method other than GET/HEAD (the database is read-only; Datasette
    0.65 answered a POST to a canned query with a 500)."""
    headers = dict(scope.get("headers") or [])
    host = headers.get(b"host", b"").decode("latin-1").lower()
    if host not in allowed_hosts(scope.get("server")):
        return 400, HOST_REFUSED
    method = str(scope.get("method", "GET")).upper()
    if method not in READ_METHODS:
        return 405, METHOD_REFUSED.format(method=method)
    return None


NO_FILE = "Filen finns inte. Gå till startsidan: /"


def missing_static(path: str, mounts: list[tuple[str, str]]) -> bool:
    """The request asks for a file under a static mount (``/gbg/…``) that is not there
    (Datasette would answer in English); a path out of the mount counts as missing."""
    for mount, folder in mounts:
        prefix = f"/{mount}/"
        if path.startswith(prefix):
            root = Path(folder).resolve()
            target = (root / unquote(path[len(prefix) :])).resolve()
            return not (target.is_relative_to(root) and target.is_file())
    return False


@hookimpl
def asgi_wrapper(datasette):  # noqa: ANN001, ANN201
    mounts = list(datasette.static_mounts or [])

    def wrap(app):  # noqa: ANN001, ANN202
        async def guarded(scope, receive, send):  # noqa: ANN001, ANN202
            http = scope.get("type") == "http"
            refused = refusal(scope) if http else None
            if http and refused is None and missing_static(str(scope.get("path", "")), mounts):
                refused = (404, NO_FILE)
            if refused is not None:
                await _refuse(send, *refused)
                return
            await app(scope, receive, send)

        return guarded

    return wrap
