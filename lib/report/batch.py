"""The batch: run the notebooks with papermill into ``outputs/``.

What runs is planned in :mod:`lib.report.batch_plan`: per theme one comparative page over
every year and area (``outputs/jamforelse/<notebook>/``), pages per year and area only
where they have figures (``outputs/<year>/<area>/<notebook>/``), the comparison of the
reports once and the overview once per year. Pages of selections that no longer have
figures are removed, so no empty page stays published. ``outputs/kallor/`` holds every
report's lines, which the sources in the pages link to (:mod:`lib.report.sources_view`).
Each run writes into a hidden temporary directory beside its target and is renamed into
place only when the notebook, its HTML report and its figures and tables were all
written: a failed notebook leaves the previous outputs of that notebook as they were.
``outputs/index.html`` links everything present under ``outputs/``.

One batch at a time writes an outputs directory (a lock file, ``.batch.lock``; a second
batch waits and says so). Ctrl-C or SIGTERM stops a batch within seconds: the kernels and
workers are stopped, their temporary directories removed, the notebooks that finished
stay published and are listed in the index (:func:`run_batch`). Temporary directories of
a batch killed outright are removed at the start of the next.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import cache, partial
from pathlib import Path

from lib import paths
from lib.core import runs
from lib.errors import DataError
from lib.report import sources_view
from lib.report.batch_plan import (
    Job,
    Result,
    check_choices,
    check_processed,
    empty_selections,
    notebook_for,
    parameters_of,
    plan,
    theme_choices,
)
from lib.report.pages import (
    FILES_PAGE,
    files_html,
    html_exporter,
    publish_data,
    report_html,
    report_title,
    scrub,
    write_index,
)

# Notebooks re-blessed with the others (`--bless`) but not run per year by the batch.
BLESS_ONLY: tuple[str, ...] = ("sok", "granska_forslag")
KERNEL_NAME = "python3"
LOCK_FILE = ".batch.lock"
# Environment of the kernels: no hash-order or date leaking into outputs.
KERNEL_ENV: dict[str, str] = {"PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "0"}


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
                return self.kernel_spec_class(
                    resource_dir=ipyks.RESOURCES, **ipyks.get_kernel_dict()
                )
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
        old = Path(
            tempfile.mkdtemp(
                prefix=runs.temp_prefix(target.name), suffix=".old.tmp", dir=target.parent
            )
        )
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
    tmp = Path(
        tempfile.mkdtemp(prefix=runs.temp_prefix(job.stem), suffix=".tmp", dir=target.parent)
    )
    try:
        executed = tmp / job.notebook.name
        for attempt in range(1, KERNEL_STARTS + 1):
            try:
                nb = pm.execute_notebook(
                    str(job.notebook),
                    str(executed),
                    parameters=dict(job.params),
                    kernel_name=KERNEL_NAME,
                    cwd=str(tmp),
                    progress_bar=False,
                    log_output=False,
                    request_save_on_cell_execute=False,
                    execution_timeout=timeout,
                    kernel_manager_class=_kernel_manager_class(),
                    shutdown_kernel="immediate",
                    coalesce_streams=True,  # print() may arrive in one or two messages
                )
                break
            except RuntimeError as exc:
                if attempt == KERNEL_STARTS or not kernel_did_not_start(exc):
                    raise
        scrub(nb)
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
        (tmp / f"{job.stem}.html").write_text(
            report_html(nb, report_title(job)), encoding="utf-8", newline="\n"
        )
        (tmp / FILES_PAGE).write_text(
            files_html(tmp, report_title(job)), encoding="utf-8", newline="\n"
        )
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
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=pool_context(),
        initializer=_worker_init,
        initargs=(str(runtime_dir) if runtime_dir else None,),
    )
    stopped = False
    try:
        with tqdm(
            total=len(jobs),
            desc="Notebooks",
            unit="nb",
            file=sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        ) as bar:
            work = worker or partial(execute_job, outputs_dir=outputs_dir)
            futures = {pool.submit(work, job): job for job in jobs}
            if worker is None:
                html_exporter()  # load templates while the first kernels start
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
    with runs.shared(
        processed_dir / runs.PROCESSED_LOCK,
        f"a build of {paths.shown(processed_dir)} is writing the tables",
    ):
        return _run_batch(
            plan(years, themes, districts, notebooks_dir),
            empty_selections(years, themes, districts),
            n_jobs,
            outputs_dir,
            processed_dir,
            progress,
        )


def _run_batch(
    jobs: list[Job],
    empty: list[tuple[str, int, str]],
    n_jobs: int,
    outputs_dir: Path,
    processed_dir: Path,
    progress: bool,
) -> list[Result]:
    outputs_dir.mkdir(parents=True, exist_ok=True)
    done: list[Result] = []
    with runs.exclusive(outputs_dir / LOCK_FILE, f"batch into {outputs_dir}"):
        runs.sweep_temporaries(outputs_dir)  # under the lock every temporary there is stale
        publish_data(processed_dir, outputs_dir)  # the tables the notebooks read
        sources_view.write(outputs_dir)  # the reports' lines, which every source links to
        unpublish_empty(outputs_dir, empty)
        runtime = Path(
            tempfile.mkdtemp(prefix=runs.temp_prefix("kernels"), suffix=".tmp", dir=outputs_dir)
        )
        try:
            return run_jobs(
                jobs, outputs_dir, n_jobs, progress, on_result=done.append, runtime_dir=runtime
            )
        except runs.Interrupted as exc:
            finished = sum(r.ok for r in done)
            raise runs.Interrupted(
                exc.signum,
                f"{finished} of {len(jobs)} notebooks done; outputs of finished notebooks kept",
            ) from None
        finally:
            shutil.rmtree(runtime, ignore_errors=True)
            runs.sweep_temporaries(outputs_dir)
            write_index(outputs_dir)


def unpublish_empty(outputs_dir: Path, empty: Iterable[tuple[str, int, str]]) -> list[Path]:
    """Remove the pages an earlier batch published for selections that now have no figure
    (:func:`lib.report.batch_plan.empty_selections`); return what was removed."""
    removed = []
    for theme, year, district in empty:
        for folder in (outputs_dir / str(year) / district).glob(f"[0-9][0-9]_{theme}"):
            if folder.is_dir():
                shutil.rmtree(folder)
                removed.append(folder)
    for year_dir in {outputs_dir / str(year) for _, year, _ in empty}:
        for folder in [*(p for p in year_dir.glob("*") if p.is_dir()), year_dir]:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()  # an area (or year) left without pages
    return removed


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
        NotebookClient(
            nb,
            kernel_name=KERNEL_NAME,
            record_timing=False,
            coalesce_streams=True,
            shutdown_kernel="immediate",
            kernel_manager_class=_kernel_manager_class(),
            resources={"metadata": {"path": str(job.notebook.parent)}},
        ).execute()
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
    for theme in check_choices("--theme", themes or all_themes, all_themes):
        notebook = notebook_for(theme, notebooks_dir)
        declared = parameters_of(notebook)
        year, district = declared.get("year"), declared.get("district")
        jobs.append(
            Job(
                notebook,
                theme,
                year if isinstance(year, int) else None,
                district if isinstance(district, str) else None,
            )
        )
    done: list[Result] = []
    try:
        return run_jobs(
            jobs, n_jobs=n_jobs, progress=progress, worker=bless_job, on_result=done.append
        )
    except runs.Interrupted as exc:
        finished = sum(r.ok for r in done)
        raise runs.Interrupted(
            exc.signum, f"{finished} of {len(jobs)} notebooks blessed; the others are unchanged"
        ) from None
