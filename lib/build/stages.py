"""The stages of the build, in order: what each reads, computes and writes.

A stage is a record (:class:`Stage`): a name; its input files (patterns under the raw
directory, ``data/curated`` or the project root); the tables of earlier stages it needs;
the function that computes it; and the outputs it writes (tables, other files). The
build (:mod:`lib.build.runner`) fingerprints every stage with the checksums of its input files,
the tables it needs, its code and the library versions, and runs only the stages whose
fingerprint changed.

The code of a stage is found from its function (:mod:`lib.core.fingerprint`): for a function
in this module, its own source and the lib modules it imports; for a function elsewhere,
its module. Both with every lib module they import and the ``lib/data`` files their code
names. ``code`` adds modules the function reaches in other ways.

A stage may be marked ``parallel``: the build (:mod:`lib.build.runner`) then runs it in a forked
process (:mod:`lib.build.forked`), which shares, copy-on-write, everything the build had loaded,
while the build goes on with the stages after it; on two cores, two stages compute at once.
The child writes the stage's tables and files to temporary files beside their targets, as
the build does for every stage, and sends back their names and checksums; later stages
read its tables from those Parquet files. The build waits for a forked stage before it
fingerprints a stage that needs its tables (all of them for ``ALL_TABLES``) and before it
commits anything. Mark a stage parallel when it takes long enough to be worth a process
(a few hundredths of a second at least) and the build has other work meanwhile: the
stages that read only the reports, and ``publish``. ``export`` is not: it runs in the
build's own process while ``publish`` finishes.

* **Early start.** A parallel stage that needs the tables of a stage run in the build's own
  process (``publish`` needs those of ``indicators``) is forked just before that stage,
  once its other tables exist. It does what it can meanwhile (imports, most of the
  database) and ``ctx.table`` waits for the rest, which the build sends as soon as they
  are written. Whether the stage must run at all is known only then: if its fingerprint
  shows its outputs up to date, it is stopped and its work discarded.
* **Shared work.** Before it forks the first stage that reads the raw reports, the build
  loads what nearly every stage reads (:meth:`Context.share`: the corpus, the analysed text
  and the passages of every report), so that no child repeats the OCR repair or the
  structure analysis when the cache of derived artefacts is empty.
* **Stopping.** On an error or a signal (Ctrl-C, SIGTERM) the build stops its forked
  stages; each removes its temporary files, and the build removes the rest.
* Where processes cannot be forked, parallel stages run in the build's process, in order.

Outputs do not depend on where a stage ran: tables read back from Parquet are what a stage
that was skipped provides too, and the database's bytes do not depend on the order in
which its tables arrive (:func:`lib.publish.database.database_bytes`).

To add a stage, write a function ``(ctx: Context) -> dict`` returning its tables
(DataFrames, by table name; each needs a declared schema, :mod:`lib.core.schemas`) and files
(``str`` or ``bytes``, or the ``Path`` of a file it wrote in ``ctx.scratch()``, by path
relative to the output directory), and append a :class:`Stage` to :data:`STAGES` after
the stages whose tables it needs (``needs=(ALL_TABLES,)`` for all of them, as a stage
publishing every table would).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from lib.sources.corpus import Corpus

RAW = "raw:*"  # the manifest and the reports
# Everything analysts curate (YAML under data/curated), not the working files of proposals.
CURATED = ("curated:**/*.yml", "!curated:proposed/**")
ALL_TABLES = "*"  # in ``needs``: every table of the stages before


@dataclass(frozen=True)
class Stage:
    """One step of the build and what it depends on."""

    name: str
    run: Callable[[Context], dict[str, object]]
    inputs: tuple[str, ...] = ()  # "raw:*", "curated:**/*.yml", "root:<pattern>"; "!" excludes
    needs: tuple[str, ...] = ()  # tables of earlier stages (or ALL_TABLES)
    tables: tuple[str, ...] = ()  # tables written (CSV + Parquet)
    files: tuple[str, ...] = ()  # other outputs: glob patterns relative to the output dir
    code: tuple[str, ...] = ()  # lib modules it depends on beyond those found from ``run``
    table_list: bool = False  # its output depends on the names of all tables (dictionary)
    # Runs in a forked process beside the stages after it (see the module docstring).
    parallel: bool = False


class Context:
    """What a stage's function gets: the corpus and the tables of earlier stages."""

    def __init__(
        self,
        raw_dir: Path,
        out_dir: Path,
        table_names: tuple[str, ...],
        read: Callable[[str], pd.DataFrame],
    ) -> None:
        self.raw_dir = raw_dir
        self.out_dir = out_dir
        self.table_names = table_names
        self._read = read
        self._scratch: Path | None = None

    def scratch(self) -> Path:
        """A private directory beside the outputs for files a stage writes itself (such as a
        database); return them as ``Path`` values. Removed when the build ends."""
        if self._scratch is None:
            import tempfile

            from lib.core import runs

            self._scratch = Path(
                tempfile.mkdtemp(
                    prefix=runs.temp_prefix("scratch"), suffix=".tmp", dir=self.out_dir
                )
            )
        return self._scratch

    def close(self) -> None:
        """Remove the scratch directory (what is in it was moved or is not wanted)."""
        if self._scratch is not None:
            import shutil

            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    @cached_property
    def corpus(self) -> Corpus:
        """The validated, checksum-verified corpus of the raw directory."""
        from lib.sources import corpus

        return corpus.load(self.raw_dir)

    def table(self, name: str) -> pd.DataFrame:
        """A table of an earlier stage: as built in this run, or read back from its output.
        In a stage started early (see the module docstring) it may wait for the table."""
        return self._read(name)

    def tables(self) -> Mapping[str, pd.DataFrame]:
        """Every table by name, in build order, each read when it is first used."""
        return _Tables(self)

    def read_with(self, read: Callable[[str], pd.DataFrame]) -> None:
        """Get tables from ``read`` from now on (a forked stage's reader)."""
        self._read = read

    def share(self) -> None:
        """Load what nearly every stage reads: the corpus, and the analysed (OCR-repaired)
        text and the passages of every document. Stages forked afterwards share them;
        with an empty cache each would otherwise repair and analyse the reports again."""
        from lib.text import repaired, structure

        c = self.corpus
        for doc_id in c.doc_ids:
            repaired.analysis_lines(c, doc_id)
            tuple(structure.iter_passages(c, doc_id))


class _Tables(Mapping):
    """The tables of a context as a mapping that reads each one only when it is used."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._ctx.table_names:
            raise KeyError(name)
        return self._ctx.table(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ctx.table_names)

    def __len__(self) -> int:
        return len(self._ctx.table_names)


# --------------------------------------------------------------------------- functions


def documents(ctx: Context) -> dict[str, object]:
    """One row per document part (the manifest's provenance records), and the manifest's
    areas (the city and its districts)."""
    return {"documents": ctx.corpus.parts_frame(), "areas": ctx.corpus.areas_frame()}


def ocr(ctx: Context) -> dict[str, object]:
    """The OCR repair's change log and the repaired texts, line-aligned with the raw files."""
    import pandas as pd

    from lib.text import repaired

    c = ctx.corpus
    out: dict[str, object] = {
        "ocr_changes": pd.concat(
            [repaired.repair_changes(c, d) for d in c.doc_ids], ignore_index=True
        ),
    }
    for doc in c.documents:
        if doc.text_quality == "ocr":
            lines = repaired.analysis_lines(c, doc.doc_id)
            out[f"repaired/{doc.file}"] = "".join(f"{line}\n" for line in lines)
    return out


def structure(ctx: Context) -> dict[str, object]:
    """Sections, passages (with each one's themes) and the questionnaire."""
    from lib.text import mentions, questionnaire
    from lib.text import structure as module

    c = ctx.corpus
    return {
        "sections": module.sections(c),
        "passages": mentions.passages(c),
        "questionnaire": questionnaire.questionnaire(c),
    }


def quantities(ctx: Context) -> dict[str, object]:
    """Every number with unit, scale and period; every digit-bearing token."""
    from lib.text import quantities as module

    return dict(module.tables(ctx.corpus))


def themes(ctx: Context) -> dict[str, object]:
    """Theme mentions per 1 000 words."""
    from lib.text import mentions as module

    return dict(module.tables(ctx.corpus))


def indicators(ctx: Context) -> dict[str, object]:
    """The indicator catalog, the curated observations and their discrepancies."""
    from lib.curation import indicators as module

    return dict(module.tables(ctx.corpus, ctx.table("quantities")))


def export(ctx: Context) -> dict[str, object]:
    """The observations as an Excel workbook, with their caveats."""
    from lib.publish import excel as module

    data = module.workbook_bytes(
        ctx.table("observations"), ctx.table("indicators"), ctx.table("discrepancies")
    )
    return {"observations.xlsx": data}


def publish(ctx: Context) -> dict[str, object]:
    """Every table as one SQLite database and a data package descriptor."""
    from lib.publish import database as module

    return dict(module.files(ctx.tables(), ctx.corpus))


def dictionary(ctx: Context) -> dict[str, object]:
    """The data dictionary of every table (README.md beside them)."""
    from lib.core import schemas
    from lib.publish import registry

    declared = registry.schemas()
    return {"README.md": schemas.data_dictionary({n: declared[n] for n in ctx.table_names})}


STAGES: tuple[Stage, ...] = (
    Stage(
        "documents",
        documents,
        inputs=(RAW,),
        tables=("documents", "areas"),
        code=("lib.sources.corpus",),
    ),
    # The stages that read only the reports run side by side in forked processes.
    Stage(
        "ocr", ocr, inputs=(RAW,), tables=("ocr_changes",), files=("repaired/*.txt",), parallel=True
    ),
    Stage(
        "quantities",
        quantities,
        inputs=(RAW,),
        tables=("numeric_tokens", "quantities"),
        parallel=True,
    ),
    Stage(
        "structure",
        structure,
        inputs=(RAW,),
        tables=("sections", "passages", "questionnaire"),
        parallel=True,
    ),
    Stage("themes", themes, inputs=(RAW,), tables=("theme_prominence",), parallel=True),
    Stage(
        "indicators",
        indicators,
        inputs=(RAW, *CURATED),
        needs=("quantities",),
        tables=("indicators", "headlines", "observations", "discrepancies"),
    ),
    # The database and descriptor hold every table, its schema and the raw lines of every
    # report: the slowest stage. It starts before the indicators (early start), builds what
    # it can, and finishes when their tables arrive, while the workbook is written here.
    Stage(
        "publish",
        publish,
        inputs=(RAW,),
        needs=(ALL_TABLES,),
        files=("rapporter.sqlite", "datapackage.json"),
        parallel=True,
    ),
    Stage(
        "export",
        export,
        needs=("observations", "indicators", "discrepancies"),
        files=("observations.xlsx",),
    ),
    Stage("dictionary", dictionary, files=("README.md",), table_list=True),
)
