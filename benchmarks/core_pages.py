"""Server time of the core web pages on the demo dataset, beside the targets.

    KECHUANG_DATA_DIR=/path/with/demo .venv/bin/python benchmarks/core_pages.py [--repeat 20]

Run it after `kechuang demo` (at least the `core` and `accounts` steps). Each page is requested
through Django's test client (the full middleware, template and database path, no network), first
as a visitor and then signed in as the demo enterprise user and administrator. Prints the median
and 95th percentile per page in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

import django

django.setup()

from django.test import Client  # noqa: E402

from kechuang.core.models import Carrier, Organisation, Person, User  # noqa: E402

TARGET_MS = 300  # a page a user waits for; search-as-you-type fragments should be well under it
FRAGMENT_TARGET_MS = 150


def timed(client: Client, url: str, repeat: int, **headers: str) -> tuple[float, float]:
    client.get(url, headers=headers)  # warm caches and the template loader
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    enterprise = User.objects.filter(username="enterprise").first()
    admin = User.objects.filter(username="admin").first()
    if enterprise is None or admin is None or enterprise.organisation is None:
        print("Load the demo first: kechuang demo --only core accounts", file=sys.stderr)
        return 2
    org = enterprise.organisation
    person = Person.objects.filter(affiliations__isnull=False).first()
    carrier = Carrier.objects.first()
    print(f"data: {Organisation.objects.count():,} organisations, {Person.objects.count():,} people, "
          f"{Carrier.objects.count():,} carriers")  # fmt: skip

    visitor = Client()
    signed_in = Client()
    signed_in.force_login(enterprise)
    staff = Client()
    staff.force_login(admin)
    pages = [
        ("home", visitor, "/", {}, TARGET_MS),
        ("organisation list", visitor, "/organisations/", {}, TARGET_MS),
        ("organisation list, page 500", visitor, "/organisations/?page=500", {}, TARGET_MS),
        ("search as you type (htmx)", visitor, "/organisations/?q=科技&region=310115", {"HX-Request": "true"},
         FRAGMENT_TARGET_MS),
        ("organisation detail (visitor)", visitor, f"/organisations/{org.pk}/", {}, TARGET_MS),
        ("organisation detail (own, private facts)", signed_in, f"/organisations/{org.pk}/", {}, TARGET_MS),
        ("profile edit form", signed_in, f"/organisations/{org.pk}/edit/", {}, TARGET_MS),
        ("people list", visitor, "/people/?q=李", {}, TARGET_MS),
        ("person detail", visitor, f"/people/{person.pk}/" if person else "/people/", {}, TARGET_MS),
        ("carrier list, incubators in Shanghai", visitor, "/carriers/?kind=incubator&region=310000", {}, TARGET_MS),
        ("carrier detail", visitor, f"/carriers/{carrier.pk}/" if carrier else "/carriers/", {}, TARGET_MS),
        ("audit log (admin)", staff, "/audit/", {}, TARGET_MS),
        ("inbox", signed_in, "/inbox/", {}, TARGET_MS),
    ]  # fmt: skip
    print(f"{'page':45} {'median ms':>10} {'p95 ms':>8} {'target':>8}")
    worst = 0.0
    for name, client, url, headers, target in pages:
        median, p95 = timed(client, url, args.repeat, **headers)
        worst = max(worst, p95 / target)
        print(
            f"{name:45} {median:10.1f} {p95:8.1f} {'< ' + str(target):>8} {'ok' if p95 < target else 'SLOW'}"
        )
    return 0 if worst < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
