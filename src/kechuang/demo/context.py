"""What a demo step receives: its own seeded random generator, progress bars, helpers for bulk writes."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from . import corpora

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)

DATA_DIR = Path(settings.REPO_DIR) / "data"


def step_random(seed: int, step: str) -> random.Random:
    """A generator derived from the global seed and the step name only, so each step is reproducible
    on its own: adding, removing or re-running another step never shifts this one's numbers."""
    return random.Random(f"kechuang-demo:{seed}:{step}")


@dataclass
class DemoContext:
    seed: int = 2022
    scale: float = 1.0
    year: int = 2022
    data_dir: Path = DATA_DIR
    quiet: bool = False
    out: Any = None  # anything with .write(str): a stream or a command's stdout
    step: str = ""
    random: random.Random = field(default_factory=random.Random)
    _accounts: dict[str, Any] | None = field(default=None, repr=False)

    def for_step(self, name: str) -> DemoContext:
        """A copy for one step with that step's own seeded generator."""
        return DemoContext(
            seed=self.seed, scale=self.scale, year=self.year, data_dir=self.data_dir, quiet=self.quiet,
            out=self.out, step=name, random=step_random(self.seed, name), _accounts=None,
        )  # fmt: skip

    # -- sizes -----------------------------------------------------------------------------------
    def scaled(self, n: int, minimum: int = 1) -> int:
        """`n` at full scale, proportionally fewer in small test runs (never below `minimum`)."""
        if self.scale >= 1.0:
            return n
        return max(minimum, round(n * self.scale))

    # -- output ----------------------------------------------------------------------------------
    def progress(self, iterable: Iterable[T], total: int | None = None, desc: str = "") -> Iterator[T]:
        if self.quiet:
            yield from iterable
            return
        from tqdm import tqdm

        yield from tqdm(
            iterable, total=total, desc=desc or self.step, unit="rows", leave=False, mininterval=0.5
        )

    def log(self, message: str) -> None:
        if not self.quiet and self.out is not None:
            self.out.write(message + "\n")

    # -- writing -----------------------------------------------------------------------------------
    def bulk_create(
        self,
        model: type[M],
        rows: Iterable[M],
        total: int | None = None,
        desc: str = "",
        batch_size: int = 2000,
    ) -> list[M]:
        """Insert rows in batches (inside the step's transaction) with a progress bar; returns them
        with primary keys set, so many-to-many rows can follow."""
        created: list[M] = []
        batch: list[M] = []
        for row in self.progress(rows, total=total, desc=desc or model._meta.verbose_name_plural):  # type: ignore[arg-type]
            batch.append(row)
            if len(batch) >= batch_size:
                created.extend(model._default_manager.bulk_create(batch))
                batch = []
        if batch:
            created.extend(model._default_manager.bulk_create(batch))
        return created

    def insert_rows(
        self,
        model: type[models.Model],
        rows: Iterable[dict[str, Any]],
        total: int | None = None,
        desc: str = "",
        batch_size: int = 5000,
    ) -> int:
        """Insert plain rows ({attname: value}) with executemany, skipping the ORM's per-value SQL
        compilation (the slow part of bulk_create for 100,000+ rows). No primary keys come back: use
        `bulk_create` for rows that others must point at. Missing fields get their default."""
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        now = timezone.now()
        defaults: dict[str, Any] = {}
        prepare: dict[str, Any] = {}
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = now
            elif f.has_default() or f.null:
                defaults[f.attname] = f.get_default()
            if isinstance(f, models.DateTimeField):
                prepare[f.attname] = connection.ops.adapt_datetimefield_value
            elif not isinstance(f, (models.DecimalField, models.IntegerField, models.CharField, models.BooleanField,
                                    models.DateField, models.ForeignKey, models.FloatField)):  # fmt: skip
                prepare[f.attname] = lambda v, f=f: f.get_db_prep_save(v, connection)
        names = [f.attname for f in fields]
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(str(f.column)) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )

        def values(row: dict[str, Any]) -> tuple[Any, ...]:
            out = []
            for name in names:
                v = row[name] if name in row else defaults[name]
                if v is not None and name in prepare:
                    v = prepare[name](v)
                out.append(v)
            return tuple(out)

        n = 0
        batch: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for row in self.progress(rows, total=total, desc=desc or str(model._meta.verbose_name_plural)):
                batch.append(values(row))
                if len(batch) >= batch_size:
                    cursor.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                n += len(batch)
        return n

    # -- corpora and accounts ----------------------------------------------------------------------
    def corpus(self, name: str) -> Iterator[dict[str, Any]]:
        """Records of a real corpus copied into data/corpora (see data/corpora/README.md)."""
        return corpora.iter_records(name, self.data_dir / "corpora")

    @property
    def accounts(self) -> dict[str, Any]:
        """The demo users by role (empty before the `accounts` step ran)."""
        if self._accounts is None:
            from .accounts import demo_accounts

            self._accounts = demo_accounts()
        return self._accounts
