"""Yearly batch: run the theme notebooks with papermill into ``outputs/<year>/<district>/``.

Every theme notebook runs once per (year, district); the overview ``00_oversikt`` covers
the whole corpus and runs once per year, filed under the city as a whole (``Göteborg``).
Years, districts and themes come from the data (:func:`lib.report.analysis.years`,
:func:`lib.report.analysis.areas`, lib/data/themes.yml), never from constants here.
Each run writes into a hidden temporary directory beside its target,
``outputs/<year>/<district>/<notebook>/``, and is renamed into place only when the
notebook, its HTML report and its figures and tables were all written: a failed notebook
leaves the previous outputs of that notebook as they were. ``outputs/index.html`` links
everything present under ``outputs/``.

One batch at a time writes an outputs directory (a lock file, ``.batch.lock``; a second
batch waits and says so). Ctrl-C or SIGTERM stops a batch within seconds: the kernels and
workers are stopped, their temporary directories removed, the notebooks that finished
stay published and are listed in the index (:func:`run_batch`). Temporary directories of
a batch killed outright are removed at the start of the next.
"""

from __future__ import annotations

import ast
import html
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from urllib.parse import quote

from lib import paths
from lib.core import runs
from lib.errors import DataError

OVERVIEW = "oversikt"
OVERVIEW_LABEL = "Översikt över rapporterna"
# Notebooks re-blessed with the others (`--bless`) but not run per year by the batch.
BLESS_ONLY: tuple[str, ...] = ("sok", "granska_forslag")
KERNEL_NAME = "python3"
LOCK_FILE = ".batch.lock"
# Environment of the kernels: no hash-order or date leaking into outputs.
KERNEL_ENV: dict[str, str] = {"PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "0"}
_PLAIN = (bool, int, float, str, type(None))


def _set_kernel_env() -> None:
    """The kernels' environment: :data:`KERNEL_ENV`, and this checkout first on the path.

    Kernels start in the notebooks' directory; without ``PYTHONPATH`` they would import
    ``lib`` from wherever it is installed, which for a copy of the repository is not the
    copy (and its data) the batch runs on.
    """
    for key, value in KERNEL_ENV.items():
        os.environ.setdefault(key, value)
    root = str(paths.ROOT)
    path = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if not path or path[0] != root:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *[p for p in path if p != root]])


def _dir_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


# mkdtemp creates directories for the owner only; published ones get the usual mode.
_DIR_MODE = _dir_mode()


@dataclass(frozen=True)
class Job:
    """One notebook execution: a notebook with its parameters (``output_dir`` added at run)."""

    notebook: Path
    theme: str
    year: int
    district: str
    params: tuple[tuple[str, object], ...] = field(default=())

    @property
    def stem(self) -> str:
        return self.notebook.stem

    @property
    def label(self) -> str:
        """Name used in progress and error messages."""
        return f"{self.notebook.name} ({self.year}, {self.district})"

    def target(self, outputs_dir: Path) -> Path:
        """The directory this job publishes to."""
        return outputs_dir / str(self.year) / self.district / self.stem


@dataclass(frozen=True)
class Result:
    """Outcome of one job: ``error`` is a one-line message, None on success."""

    job: Job
    error: str | None = None
    tmp: Path | None = None  # executed, not yet published (see execute_job)

    @property
    def ok(self) -> bool:
        return self.error is None


# --------------------------------------------------------------------- scope (from the data)


def theme_choices() -> tuple[str, ...]:
    """The overview, then every theme of lib/data/themes.yml (each has a notebook)."""
    from lib.text.themes import theme_ids

    return (OVERVIEW, *theme_ids())


def theme_labels() -> dict[str, str]:
    """Swedish names of the notebooks' themes."""
    from lib.text.themes import theme_labels as labels

    return {OVERVIEW: OVERVIEW_LABEL, **labels()}


def years() -> tuple[int, ...]:
    """Every year the batch accepts: those with a report or a figure in the processed data."""
    from lib.report import selection

    return selection.years()


def report_years() -> tuple[int, ...]:
    """The years of the reports (``--all-years``)."""
    from lib.report import selection

    return selection.report_years()


def areas() -> tuple[str, ...]:
    """The city, then its districts."""
    from lib.report import processed

    return processed.areas()


def city() -> str:
    """The area standing for the whole city."""
    from lib.report import processed

    return processed.city()


# --------------------------------------------------------------------- validation


def parse_years(values: Iterable[str | int]) -> list[int]:
    """Years as ints, checked against :func:`years`; DataError names a bad value."""
    chosen: list[int] = []
    allowed = years()
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or int(text) not in allowed:
            raise DataError(f"--year {value!r}: no report or figure for that year; choose one "
                            f"of {', '.join(map(str, allowed))}.")
        chosen.append(int(text))
    return sorted(set(chosen))


def _check_choices(option: str, values: Iterable[str], allowed: Sequence[str]) -> list[str]:
    chosen = set()
    for value in values:
        if value not in allowed:
            raise DataError(f"{option} {value!r}: unknown value; choose from {', '.join(allowed)}.")
        chosen.add(value)
    return [v for v in allowed if v in chosen]


def check_plain_literal(name: str, value: object) -> None:
    """Raise DataError unless ``value`` is a plain literal (bool, int, float, str, None)."""
    if not isinstance(value, _PLAIN) or (isinstance(value, str) and "\x00" in value):
        raise DataError(
            f"parameter {name}={value!r}: not a plain literal; give a number or a string."
        )


def parameters_of(notebook: Path) -> dict[str, object]:
    """The names and default values of the notebook's ``parameters`` cell.

    Every statement of that cell must assign a plain literal to one name; anything else
    (a call, an expression, an import) raises DataError naming the notebook and the line.
    """
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{notebook}: cannot read the notebook ({exc}); restore it.") from None
    cells = [c for c in nb.get("cells", [])
             if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise DataError(f"{notebook}: no cell tagged 'parameters'; tag the parameters cell.")
    source = "".join(cells[0]["source"]) if isinstance(cells[0]["source"], list) \
        else cells[0]["source"]
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise DataError(f"{notebook}: parameters cell line {exc.lineno}: syntax error.") from None
    declared: dict[str, object] = {}
    for stmt in tree.body:
        target, value = _assignment(stmt)
        try:
            literal = ast.literal_eval(value) if value is not None else None
        except ValueError:
            literal = ...
        if target is None or value is None or not isinstance(literal, _PLAIN):
            text = ast.get_source_segment(source, stmt) or ""
            raise DataError(
                f"{notebook}: parameters cell line {stmt.lineno}: `{text.splitlines()[0]}` "
                "is not a plain literal assignment; write `name = <number or string>`."
            )
        declared[target] = literal
    return declared


def _assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
            and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value
    return None, None


def check_parameters(notebook: Path, params: dict[str, object]) -> None:
    """Each passed parameter must be declared by the notebook, with a value of the same type."""
    declared = parameters_of(notebook)
    for name, value in params.items():
        check_plain_literal(name, value)
        if name not in declared:
            raise DataError(
                f"{notebook}: parameter {name!r} is not declared in its parameters cell "
                f"(declared: {', '.join(declared) or 'none'})."
            )
        if type(declared[name]) is not type(value):
            raise DataError(
                f"{notebook}: parameter {name}={value!r} has type {type(value).__name__}, "
                f"the notebook declares {type(declared[name]).__name__}."
            )


def notebook_for(theme: str, notebooks_dir: Path) -> Path:
    """The notebook of ``theme``: the single ``NN_<theme>.ipynb`` in ``notebooks_dir``."""
    found = sorted(p for p in notebooks_dir.glob(f"*_{theme}.ipynb")
                   if re.fullmatch(rf"\d\d_{theme}\.ipynb", p.name))
    if len(found) != 1:
        raise DataError(
            f"{notebooks_dir}: expected one notebook NN_{theme}.ipynb, found {len(found)}; "
            "restore the notebooks directory."
        )
    return found[0]


def check_processed(processed_dir: Path) -> None:
    """The processed tables must exist before any notebook runs."""
    if not processed_dir.is_dir() or not any(processed_dir.glob("*.parquet")):
        raise DataError(f"{processed_dir}: no processed tables; run `make data` first.")


def plan(
    years: Iterable[int | str],
    themes: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
    notebooks_dir: Path = paths.NOTEBOOKS_DIR,
) -> list[Job]:
    """Validate the selection and list the jobs, sorted by year, district and notebook."""
    year_list = parse_years(years)
    if not year_list:
        raise DataError("no year given; use --year YEAR (repeatable) or --all-years.")
    all_themes, all_areas = theme_choices(), areas()
    theme_list = _check_choices("--theme", themes or all_themes, all_themes)
    district_list = _check_choices("--district", districts or all_areas, all_areas)
    jobs: list[Job] = []
    for theme in theme_list:
        notebook = notebook_for(theme, notebooks_dir)
        declared = parameters_of(notebook)
        places = [city()] if theme == OVERVIEW else district_list
        for year in year_list:
            for district in places:
                params: dict[str, object] = {"year": year, "output_dir": "."}
                if theme != OVERVIEW or "district" in declared:
                    params["district"] = district
                check_parameters(notebook, params)
                jobs.append(Job(notebook, theme, year, district, tuple(sorted(params.items()))))
    return sorted(jobs, key=lambda j: (j.year, all_areas.index(j.district), j.stem))


# --------------------------------------------------------------------- execution


def _current_env_kernel_manager() -> type:
    """A KernelManager whose ``python3`` kernel is ipykernel in this interpreter.

    No installed kernelspec is needed (a fresh venv with only ipykernel works), and a
    user-level ``python3`` kernelspec pointing elsewhere cannot shadow it.
    """
    import ipykernel.kernelspec as ipyks
    import zmq
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpecManager
    from jupyter_client.manager import KernelManager
    from traitlets import default

    class CurrentEnvSpecManager(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str):  # noqa: ANN202
            if kernel_name == NATIVE_KERNEL_NAME:
                return self.kernel_spec_class(resource_dir=ipyks.RESOURCES,
                                              **ipyks.get_kernel_dict())
            return super().get_kernel_spec(kernel_name)

    class CurrentEnvKernelManager(KernelManager):
        def __init__(self, **kwargs: object) -> None:
            super().__init__(**kwargs)
            if self.curve_secretkey is None:  # encrypted transport, and no warning about it
                self.curve_publickey, self.curve_secretkey = zmq.curve_keypair()

        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self) -> KernelSpecManager:
            return CurrentEnvSpecManager(data_dir=self.data_dir)

    return CurrentEnvKernelManager


@cache
def _kernel_manager_class() -> type:
    return _current_env_kernel_manager()


# Report CSS: an A4-wide page (charts are at most this wide at their natural size), tables
# that wrap long cells instead of scrolling, text columns left-aligned, numbers right.
REPORT_CSS = """
body.jp-Notebook { max-width: 54rem; margin: 0 auto; padding: 1rem; }
.jp-RenderedHTMLCommon table.gbg-tabell { table-layout: auto; width: 100%; margin: 0 0 1em;
  font-size: 0.78rem; }
.jp-RenderedHTMLCommon table.gbg-tabell th, .jp-RenderedHTMLCommon table.gbg-tabell td {
  text-align: left; vertical-align: top; white-space: normal; overflow-wrap: break-word;
  max-width: none; padding: 0.3em 0.35em; line-height: 1.35; }
.jp-RenderedHTMLCommon table.gbg-tabell .r { text-align: right; }
.jp-RenderedImage img { max-width: 100%; height: auto; }
.jp-OutputArea-output { padding-left: var(--jp-code-padding); }
@media print { body.jp-Notebook { max-width: none; padding: 0; }
  .jp-RenderedImage, table.gbg-tabell tr { break-inside: avoid; } }
"""
# The lab template, plus: the report CSS; alt text of PNG outputs from their metadata
# (IPython's Image(alt=...)), so nbconvert does not add its English placeholder; no
# scripts (no widgets or math in the reports, so the page needs no network).
REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}<style type="text/css">{{ resources.report_css }}</style>
{%- endblock html_head_css -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
alt="{{ ((output | get_metadata('alt', 'image/png')) or 'Diagram') | escape_html }}">
</div>
{%- endblock data_png %}
"""


@cache
def _html_exporter():  # noqa: ANN202
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(exclude_input=True, exclude_input_prompt=True, language_code="sv",
                        exclude_output_prompt=True, template_file="gbg_report.html.j2",
                        extra_loaders=[DictLoader({"gbg_report.html.j2": REPORT_TEMPLATE})])


def _scrub(nb) -> None:  # noqa: ANN001
    """Drop run-dependent metadata (timings, temporary paths) so reruns are byte-identical."""
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "exception"):
        meta.pop(key, None)
    meta["input_path"] = f"notebooks/{Path(meta.get('input_path', '')).name}"
    meta["output_path"] = Path(meta.get("output_path", "")).name
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill draws a random id
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).clear()
        cell.metadata.pop("papermill", None)


def _report_html(nb, title: str) -> str:  # noqa: ANN001
    """The notebook as HTML without code cells, prompts or stderr output."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.get("name") == "stderr")]
    body, _ = _html_exporter().from_notebook_node(
        nb, resources={"metadata": {"name": title}, "report_css": REPORT_CSS})
    return body


def report_title(job: Job) -> str:
    """Swedish title of a report."""
    where = "hela staden" if job.district == city() else job.district
    return f"{theme_labels()[job.theme]} – {where} {job.year}"


def _one_line(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = getattr(exc, "evalue", None)
    text = f"{ename}: {evalue if evalue is not None else exc}"
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return " ".join(text.split())[:300]


def _publish(tmp: Path, target: Path) -> None:
    """Rename the finished ``tmp`` onto ``target``, replacing a previous version."""
    with runs.deferred():  # a signal cannot leave the target moved aside
        if not target.exists():
            os.rename(tmp, target)
            return
        old = Path(tempfile.mkdtemp(prefix=runs.temp_prefix(target.name), suffix=".old.tmp",
                                    dir=target.parent))
        old.rmdir()
        os.rename(target, old)
        os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


# A kernel that dies before it answers (another process took one of the TCP ports
# jupyter_client picked for it: "Address already in use") ran no cell; it is started again.
KERNEL_STARTS = 3
_NOT_STARTED = "Kernel died before replying to kernel_info"


def kernel_did_not_start(exc: BaseException) -> bool:
    """True if ``exc`` says the notebook's kernel died while starting (nothing was run)."""
    return isinstance(exc, RuntimeError) and _NOT_STARTED in str(exc)


def execute_job(job: Job, outputs_dir: Path, timeout: float | None = None) -> Result:
    """Execute one notebook into a new temporary directory beside its target (in a worker).

    On success ``Result.tmp`` holds the executed notebook and its figures and tables; on
    failure the temporary directory is removed.
    """
    import logging

    import nbformat
    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.ERROR)
    _set_kernel_env()
    target = job.target(outputs_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=runs.temp_prefix(job.stem), suffix=".tmp",
                                dir=target.parent))
    try:
        executed = tmp / job.notebook.name
        for attempt in range(1, KERNEL_STARTS + 1):
            try:
                nb = pm.execute_notebook(
                    str(job.notebook), str(executed), parameters=dict(job.params),
                    kernel_name=KERNEL_NAME, cwd=str(tmp), progress_bar=False,
                    log_output=False, request_save_on_cell_execute=False,
                    execution_timeout=timeout, kernel_manager_class=_kernel_manager_class(),
                    shutdown_kernel="immediate",
                    coalesce_streams=True,  # print() may arrive in one or two messages
                )
                break
            except RuntimeError as exc:
                if attempt == KERNEL_STARTS or not kernel_did_not_start(exc):
                    raise
        _scrub(nb)
        nbformat.write(nb, str(executed))
        return Result(job, tmp=tmp)
    except Exception as exc:  # noqa: BLE001 - one failing notebook must not stop the batch
        shutil.rmtree(tmp, ignore_errors=True)
        return Result(job, _one_line(exc))


def publish_job(result: Result, outputs_dir: Path) -> Result:
    """Add the HTML report to an executed job's directory and rename it into place.

    Runs in the main process, beside the workers' kernels (the export fills their idle time).
    """
    if result.tmp is None:
        return result
    import nbformat

    job, tmp = result.job, result.tmp
    try:
        nb = nbformat.read(str(tmp / job.notebook.name), as_version=4)
        (tmp / f"{job.stem}.html").write_text(_report_html(nb, report_title(job)),
                                              encoding="utf-8", newline="\n")
        os.chmod(tmp, _DIR_MODE)
        _publish(tmp, job.target(outputs_dir))
        return Result(job)
    except Exception as exc:  # noqa: BLE001 - one failing notebook must not stop the batch
        return Result(job, _one_line(exc))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_job(job: Job, outputs_dir: Path, timeout: float | None = None) -> Result:
    """Execute one notebook and publish it on success (both steps in this process)."""
    return publish_job(execute_job(job, outputs_dir, timeout), outputs_dir)


def _worker_init(runtime_dir: str | None) -> None:
    """In each worker: leave Ctrl-C to the main process (it stops the batch), and keep the
    kernels' connection files in ``runtime_dir``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if runtime_dir:
        os.environ["JUPYTER_RUNTIME_DIR"] = runtime_dir


def pool_context() -> multiprocessing.context.BaseContext:
    """Worker processes fork from a clean server process, never from a process that has
    run kernels (forking a live zmq/asyncio state can deadlock)."""
    ctx = multiprocessing.get_context("forkserver")
    # Imported once in the server instead of once per worker (imports start no threads).
    ctx.set_forkserver_preload(["lib.report.batch", "papermill", "nbconvert", "nbformat"])
    return ctx


def run_jobs(
    jobs: Sequence[Job],
    outputs_dir: Path = paths.OUTPUTS_DIR,
    n_jobs: int = 2,
    progress: bool = True,
    on_result: Callable[[Result], None] | None = None,
    worker: Callable[..., Result] | None = None,
    runtime_dir: Path | None = None,
) -> list[Result]:
    """Run ``jobs`` on ``n_jobs`` worker processes (one kernel each at a time).

    ``worker(job)`` defaults to :func:`execute_job` into ``outputs_dir``, followed here by
    :func:`publish_job`; it must be picklable. ``runtime_dir`` holds the kernels'
    connection files. On :class:`lib.core.runs.Interrupted` (Ctrl-C, SIGTERM) the workers and
    their kernels are stopped before it propagates; notebooks not yet run are dropped.
    """
    from tqdm import tqdm

    if n_jobs < 1:
        raise DataError(f"--jobs {n_jobs}: give a number of parallel notebooks of at least 1.")
    results: list[Result] = []
    workers = min(n_jobs, max(len(jobs), 1))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=pool_context(),
                               initializer=_worker_init,
                               initargs=(str(runtime_dir) if runtime_dir else None,))
    stopped = False
    try:
        with tqdm(total=len(jobs), desc="Notebooks", unit="nb", file=sys.stderr,
                  disable=not progress, dynamic_ncols=True) as bar:
            work = worker or partial(execute_job, outputs_dir=outputs_dir)
            futures = {pool.submit(work, job): job for job in jobs}
            if worker is None:
                _html_exporter()  # load templates while the first kernels start
            for future in as_completed(futures):
                result = publish_job(future.result(), outputs_dir)
                results.append(result)
                bar.set_postfix_str(("OK " if result.ok else "FEL ") + result.job.label)
                bar.update()
                if on_result is not None:
                    on_result(result)
    except runs.Interrupted:  # raised only under runs.stop_on_signals (the command line)
        stopped = True
        runs.stop_children()
        raise
    finally:
        pool.shutdown(wait=not stopped, cancel_futures=True)
    return sorted(results, key=lambda r: jobs.index(r.job))


def run_batch(
    years: Iterable[int | str],
    themes: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
    n_jobs: int = 2,
    outputs_dir: Path = paths.OUTPUTS_DIR,
    notebooks_dir: Path = paths.NOTEBOOKS_DIR,
    processed_dir: Path | None = None,
    progress: bool = True,
) -> list[Result]:
    """Validate everything, run the notebooks in parallel, then rewrite ``index.html``.

    ``processed_dir`` defaults to :func:`lib.report.processed.processed_dir` (``GBG_PROCESSED_DIR``
    or data/processed); the kernels inherit the environment, so they read the same tables.
    """
    if n_jobs < 1:
        raise DataError(f"--jobs {n_jobs}: give a number of parallel notebooks of at least 1.")
    if processed_dir is None:
        from lib.report.processed import processed_dir as default_processed_dir

        processed_dir = default_processed_dir()
    check_processed(processed_dir)
    # The tables stay as they are while the notebooks read them: a build waits for the
    # batch (and the batch for a build that is writing them).
    with runs.shared(processed_dir / runs.PROCESSED_LOCK,
                     f"a build of {paths.shown(processed_dir)} is writing the tables"):
        return _run_batch(plan(years, themes, districts, notebooks_dir), n_jobs, outputs_dir,
                          processed_dir, progress)


def _run_batch(jobs: list[Job], n_jobs: int, outputs_dir: Path, processed_dir: Path,
               progress: bool) -> list[Result]:
    outputs_dir.mkdir(parents=True, exist_ok=True)
    done: list[Result] = []
    with runs.exclusive(outputs_dir / LOCK_FILE, f"batch into {outputs_dir}"):
        runs.sweep_temporaries(outputs_dir)  # under the lock every temporary there is stale
        publish_data(processed_dir, outputs_dir)  # the tables the notebooks read
        runtime = Path(tempfile.mkdtemp(prefix=runs.temp_prefix("kernels"), suffix=".tmp",
                                        dir=outputs_dir))
        try:
            return run_jobs(jobs, outputs_dir, n_jobs, progress, on_result=done.append,
                            runtime_dir=runtime)
        except runs.Interrupted as exc:
            finished = sum(r.ok for r in done)
            raise runs.Interrupted(exc.signum, f"{finished} of {len(jobs)} notebooks done; "
                                   "outputs of finished notebooks kept") from None
        finally:
            shutil.rmtree(runtime, ignore_errors=True)
            runs.sweep_temporaries(outputs_dir)
            write_index(outputs_dir)


def bless_job(job: Job) -> Result:
    """Re-execute a committed notebook in place with its default parameters.

    The new outputs become nbval's reference. Written atomically, only on success; no
    timing metadata, so re-blessing unchanged data gives a byte-identical file.
    """
    import nbformat
    from nbclient import NotebookClient

    from lib.core.store import atomic_path

    _set_kernel_env()
    try:
        nb = nbformat.read(str(job.notebook), as_version=4)
        NotebookClient(nb, kernel_name=KERNEL_NAME, record_timing=False, coalesce_streams=True,
                       shutdown_kernel="immediate", kernel_manager_class=_kernel_manager_class(),
                       resources={"metadata": {"path": str(job.notebook.parent)}}).execute()
        with atomic_path(job.notebook) as tmp:
            nbformat.write(nb, str(tmp))
        return Result(job)
    except Exception as exc:  # noqa: BLE001 - report per notebook
        return Result(job, _one_line(exc))


def bless(
    themes: Iterable[str] | None = None,
    n_jobs: int = 2,
    notebooks_dir: Path = paths.NOTEBOOKS_DIR,
    progress: bool = True,
) -> list[Result]:
    """Re-bless the committed notebooks (all, or those of ``themes``) after an intended change."""
    from lib.report.processed import processed_dir

    check_processed(processed_dir())
    jobs = []
    all_themes = (*theme_choices(), *BLESS_ONLY)
    for theme in _check_choices("--theme", themes or all_themes, all_themes):
        notebook = notebook_for(theme, notebooks_dir)
        declared = parameters_of(notebook)
        jobs.append(Job(notebook, theme, int(declared.get("year") or 0),
                        str(declared.get("district") or city())))
    done: list[Result] = []
    try:
        return run_jobs(jobs, n_jobs=n_jobs, progress=progress, worker=bless_job,
                        on_result=done.append)
    except runs.Interrupted as exc:
        finished = sum(r.ok for r in done)
        raise runs.Interrupted(exc.signum, f"{finished} of {len(jobs)} notebooks blessed; "
                               "the others are unchanged") from None


# --------------------------------------------------------------------- index


def _href(path: Path, base: Path) -> str:
    return quote(path.relative_to(base).as_posix())


def _link(path: Path, base: Path, label: str) -> str:
    return f'<a href="{_href(path, base)}">{html.escape(label)}</a>'


def _theme_of(stem: str) -> str | None:
    match = re.fullmatch(r"\d\d_(.+)", stem)
    return match.group(1) if match and match.group(1) in theme_choices() else None


def _report_row(folder: Path, base: Path) -> str | None:
    theme = _theme_of(folder.name)
    report = folder / f"{folder.name}.html"
    if theme is None or not report.is_file():
        return None
    files = sorted(p for p in folder.iterdir() if p.is_file())
    cells = [
        f"<td>{_link(report, base, theme_labels()[theme])}</td>",
        f"<td>{_link(folder / f'{folder.name}.ipynb', base, 'notebook')}</td>",
        _files_cell([p for p in files if p.suffix in (".png", ".svg")], theme, base),
        _files_cell([p for p in files if p.suffix == ".csv"], theme, base),
    ]
    return "<tr>" + "".join(cells) + "</tr>"


# Swedish display names of the file stems the notebooks write (ASCII in file names).
FILE_LABELS: dict[str, str] = {
    "avvikelser": "avvikelser", "citat": "citat", "forandringar": "förändringar",
    "kostnader": "kostnader", "nyckeltal": "nyckeltal", "ocr": "OCR-lästa uppgifter",
    "ovriga uppgifter": "övriga uppgifter", "stadsomraden": "stadsområden",
    "test antal": "test av antal", "test fordelning": "test av fördelning",
    "utveckling": "utveckling", "dokument": "dokument", "tackning": "täckning",
    "teman": "teman", "textkvalitet": "textkvalitet",
}


def _files_cell(files: list[Path], theme: str, base: Path) -> str:
    """One line per file stem (theme prefix dropped), linking each format: ``citat CSV``."""
    stems: dict[str, list[Path]] = {}
    for p in files:
        stems.setdefault(p.stem, []).append(p)
    lines = []
    for stem, group in stems.items():
        name = stem.removeprefix(f"{theme}_").replace("_", " ")
        name = FILE_LABELS.get(name, name)
        links = " ".join(_link(p, base, p.suffix[1:].upper()) for p in group)
        lines.append(f"{html.escape(name)} {links}")
    return "<td>" + ("<br>".join(lines) or "–") + "</td>"


def _district_key(name: str, order: tuple[str, ...]) -> tuple[int, str]:
    return (order.index(name) if name in order else len(order), name)


def _theme_list() -> str:
    labels = [label for key, label in theme_labels().items() if key != OVERVIEW]
    text = ", ".join(labels[:-1]) + f" och {labels[-1]}" if len(labels) > 1 else labels[0]
    return text[0].upper() + text[1:].lower()


# The whole data set, copied beside the reports so that outputs/ can be handed over or
# published as it is (for readers without Python): file -> (link text, what it holds).
DATA_SUBDIR = "data"
DATA_FILES: dict[str, tuple[str, str]] = {
    "observations.xlsx": ("Alla siffror med källa (Excel)",
                          "en flik per tema; varje siffra med rapport, rad och citat"),
    "rapporter.sqlite": ("Databasen (SQLite)",
                         "alla tabeller och rapporternas text; öppnas i t.ex. DB Browser "
                         "for SQLite"),
}


def publish_data(processed_dir: Path, outputs_dir: Path) -> list[Path]:
    """Copy the files of :data:`DATA_FILES` from ``processed_dir`` into
    ``outputs_dir/data/`` (each atomically); return the copies."""
    from lib.core.store import atomic_path

    copies = []
    for name in DATA_FILES:
        source = processed_dir / name
        if source.is_file():
            with atomic_path(outputs_dir / DATA_SUBDIR / name) as tmp:
                shutil.copyfile(source, tmp)
            copies.append(outputs_dir / DATA_SUBDIR / name)
    return copies


def _data_section(outputs_dir: Path) -> list[str]:
    """The index's list of the data files present in ``outputs_dir/data/``."""
    from lib.report.fmt import number

    items = []
    for name, (title, what) in DATA_FILES.items():
        path = outputs_dir / DATA_SUBDIR / name
        if path.is_file():
            n = path.stat().st_size
            size = (f"{number(n / 1e6, decimals=1)}&nbsp;MB" if n >= 1e6
                    else f"{number(max(1, round(n / 1e3)))}&nbsp;kB")
            items.append(f"<li>{_link(path, outputs_dir, title)} – {html.escape(what)} "
                         f"({size})</li>")
    return ["<h2>Hela datamängden</h2>", "<ul>", *items, "</ul>"] if items else []


def index_html(outputs_dir: Path) -> str:
    """The index page: every published report under ``outputs_dir`` by year and district."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv">',
        '<head><meta charset="utf-8"><title>Rapporter – Göteborgs Stad socialtjänst</title>',
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;width:100%;margin-bottom:1.5em}"
        "th,td{border-bottom:1px solid #ccc;padding:.3em .6em;text-align:left;"
        "vertical-align:top}td a{margin-right:.6em}</style></head>",
        "<body>",
        "<h1>Rapporter per år och stadsområde</h1>",
        f"<p>{_theme_list()} ur Göteborgs Stads "
        "rapporter. Varje rapport finns som webbsida, som notebook och med figurer och "
        "tabeller.</p>",
        *_data_section(outputs_dir),
    ]
    years = sorted((p for p in outputs_dir.iterdir() if p.is_dir() and p.name.isdigit()),
                   key=lambda p: p.name, reverse=True) if outputs_dir.is_dir() else []
    order = areas()
    empty = True
    for year_dir in years:
        districts = sorted((p for p in year_dir.iterdir()
                            if p.is_dir() and not p.name.startswith(".")),
                           key=lambda p: _district_key(p.name, order))
        sections = []
        for district_dir in districts:
            rows = [r for f in sorted(district_dir.iterdir())
                    if f.is_dir() and (r := _report_row(f, outputs_dir)) is not None]
            if rows:
                title = f"{district_dir.name} (hela staden)" if district_dir.name == order[0] \
                    else district_dir.name
                sections.append(
                    f"<h3>{html.escape(title)}</h3>\n<table><tr><th>Rapport</th>"
                    "<th>Notebook</th><th>Figurer</th><th>Tabeller</th></tr>\n"
                    + "\n".join(rows) + "\n</table>"
                )
        if sections:
            empty = False
            parts.append(f"<h2>År {html.escape(year_dir.name)}</h2>")
            parts.extend(sections)
    if empty:
        parts.append("<p>Inga rapporter ännu: kör <code>make run</code>.</p>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_index(outputs_dir: Path = paths.OUTPUTS_DIR) -> Path:
    """Write ``outputs_dir/index.html`` atomically; return its path."""
    from lib.core.store import atomic_path

    target = outputs_dir / "index.html"
    with atomic_path(target) as tmp:
        tmp.write_text(index_html(outputs_dir), encoding="utf-8", newline="\n")
    return target
